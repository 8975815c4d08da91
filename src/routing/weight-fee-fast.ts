import {
  OE,
  OH,
  OL,
  OUT,
  ddAdd,
  ddCmpExact,
  ddDiv,
  ddHi,
  ddLo,
  ddMul,
  ddRoundHalfEven,
  ddSign,
  ddSub,
} from './double-double.ts';
import { FEE_INFINITE, FEE_UNDECIDED, linearWeightFee } from './weight-fee-linear.ts';
import type { WeightSchedule } from './weight-schedule.ts';

/**
 * The edge-weight fee (spec §3.3: balances all equal to the capacity, capping forced)
 * without BigInt and without allocating, for the search's hot path:
 *
 * - flat + proportional on both sides: the closed form of weight-fee-linear.ts, evaluated
 *   exactly in 31-bit limbs held in doubles (every intermediate stays below 2^53);
 * - a penalty curve on either side: the steps of `amountWithFees` in double-double
 *   arithmetic (double-double.ts) with a rigorous error bound carried along; every sign, comparison and
 *   rounding must be certain, otherwise the kernel answers FEE_UNDECIDED and the caller
 *   uses the exact BigInt routine.
 *
 * Results: the fee as a double (exactly Number(fee)), FEE_INFINITE when the weight is
 * infinite, FEE_UNDECIDED when only the exact routine can tell. Tested against the exact
 * routine on random and near-tie inputs (test/routing/fees.test.ts).
 */

const LIMB_MASK = 2147483647n;

/** Per-thread scratch for the curve routine (lazy candidates and their y values). */
const MAX_SCRATCH_POINTS = 512;

/**
 * Computes edge-weight fees for one request's amount. One instance per EdgeWeights; holds
 * the amount in the forms the kernels need and reusable scratch memory.
 */
export class WeightFeeKernel {
  private aH = 0;
  private aL = 0;
  private aLimbsOk = false;
  private aHi = 0;
  private aLo = 0;
  private aDdOk = false;
  // capacity of the current edge (double-double), set by fee()
  private cHi = 0;
  private cLo = 0;
  // lazy candidate list: exact x values, and their y values once computed
  private readonly candHi = new Float64Array(MAX_SCRATCH_POINTS);
  private readonly candLo = new Float64Array(MAX_SCRATCH_POINTS);
  private readonly yHi = new Float64Array(MAX_SCRATCH_POINTS);
  private readonly yLo = new Float64Array(MAX_SCRATCH_POINTS);
  private readonly yE = new Float64Array(MAX_SCRATCH_POINTS);
  private readonly yDone = new Uint8Array(MAX_SCRATCH_POINTS);
  private candCount = 0;
  private candDone = false;
  private candI = 0;
  private candJ = 0;
  // the curves of the current call (null: the zero function on [0, zeroTop])
  private inCurve: Float64Array | null = null;
  private inPoints = 0;
  private outCurve: Float64Array | null = null;
  private outPoints = 0;
  // constant part of y and the incoming proportional of the current call
  private kHi = 0;
  private kLo = 0;
  private kE = 0;
  /** y at x = 0, which is flat_in + outgoing: the two IP_in(c) terms of K + IP_in(c) cancel. */
  private y0Hi = 0;
  private y0Lo = 0;
  private y0E = 0;
  private pInHi = 0;
  private pInLo = 0;
  // state of the point walk (take)
  private next = 0;
  private iteration = 0;
  private crossingPending = false;
  private crossH = 0;
  private crossL = 0;
  private crossE = 0;
  private pxh = 0;
  private pxl = 0;
  private pxe = 0;
  private pyh = 0;
  private pyl = 0;
  private pye = 0;

  /** Fixes the request's amount (a positive integer). */
  setAmount(a: bigint): void {
    this.aLimbsOk = a > 0n && a < 1n << 84n;
    this.aH = this.aLimbsOk ? Number(a >> 31n) : 0;
    this.aL = this.aLimbsOk ? Number(a & LIMB_MASK) : 0;
    this.aDdOk = a > 0n && a < 1n << 96n;
    this.aHi = this.aDdOk ? ddHi(a) : 0;
    this.aLo = this.aDdOk ? ddLo(a) : 0;
  }

  /**
   * Weight fee of a directed edge whose capacity is the uint256 in 8 little-endian 32-bit
   * words at `words[at]`: the fee as a double, FEE_INFINITE or FEE_UNDECIDED.
   */
  fee(words: Uint32Array, at: number, sender: WeightSchedule, receiver: WeightSchedule): number {
    for (let k = 3; k < 8; k++) if (words[at + k] !== 0) return FEE_UNDECIDED;
    return this.fee3(words[at]!, words[at + 1]!, words[at + 2]!, sender, receiver);
  }

  /** fee() for a capacity below 2^96 given as three little-endian 32-bit words. */
  fee3(w0: number, w1: number, w2: number, sender: WeightSchedule, receiver: WeightSchedule): number {
    if (sender.curve === null && receiver.curve === null) {
      if (this.aLimbsOk && sender.limbsOk && receiver.limbsOk && w2 < 1048576) {
        return linearWeightFee(this.aH, this.aL, 
          (w0 >>> 31) + w1 * 2 + w2 * 8589934592,
          w0 & 0x7fffffff,
          sender.flatH + receiver.flatH,
          sender.flatL + receiver.flatL,
          receiver.prop,
          sender.prop,
        );
      }
      return FEE_UNDECIDED;
    }
    if (!this.aDdOk || !sender.ddOk || !receiver.ddOk) return FEE_UNDECIDED;
    // c = w2 * 2^64 + (w1 * 2^32 + w0) as an exact double-double
    const x = w1 * 4294967296;
    const s = x + w0;
    const sb = s - x;
    const t = x - (s - sb) + (w0 - sb);
    const top = w2 * 18446744073709551616;
    const h = top + s;
    const hb = h - top;
    const l = top - (h - hb) + (s - hb) + t;
    this.cHi = h + l;
    this.cLo = l - (this.cHi - h);
    return this.general(sender, receiver);
  }

  /**
   * Weight fee of a flat + proportional edge from the schedules' limbs (flat_in + flat_out
   * as `fH`, `fL`; each proportional below 2^20) and a capacity below 2^96 in three words;
   * FEE_UNDECIDED when beyond the limbs.
   */
  linearFee(w0: number, w1: number, w2: number, fH: number, fL: number, pIn: number, pOut: number): number {
    if (!this.aLimbsOk || w2 >= 1048576) return FEE_UNDECIDED;
    return linearWeightFee(this.aH, this.aL, (w0 >>> 31) + w1 * 2 + w2 * 8589934592, w0 & 0x7fffffff, fH, fL, pIn, pOut);
  }

  // --- the general routine (penalty curves), after fees.ts / weight-fee-fast history ---

  /**
   * Value of the incoming (`inCurveSide`) or outgoing curve at the exact integer z into
   * (OUT[OH]!, OUT[OL]!, OUT[OE]!); false when z is outside the curve. A missing curve is the zero function
   * on [0, 2c] (incoming) or [0, c] (outgoing).
   */
  private curveAt(incoming: boolean, zh: number, zl: number): boolean {
    const curve = incoming ? this.inCurve : this.outCurve;
    if (curve === null) {
      if (zh < 0 || (zh === 0 && zl < 0)) return false;
      let th = this.cHi;
      let tl = this.cLo;
      if (incoming) {
        ddAdd(th, tl, 0, th, tl, 0);
        th = OUT[OH]!;
        tl = OUT[OL]!;
      }
      if (ddCmpExact(zh, zl, th, tl) > 0) return false;
      OUT[OH] = 0;
      OUT[OL] = 0;
      OUT[OE] = 0;
      return true;
    }
    const last = (incoming ? this.inPoints : this.outPoints) - 1;
    if (ddCmpExact(zh, zl, curve[0]!, curve[1]!) < 0) return false;
    const lastCmp = ddCmpExact(zh, zl, curve[4 * last]!, curve[4 * last + 1]!);
    if (lastCmp > 0) return false;
    if (lastCmp === 0) {
      OUT[OH] = curve[4 * last + 2]!;
      OUT[OL] = curve[4 * last + 3]!;
      OUT[OE] = 0;
      return true;
    }
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (ddCmpExact(curve[4 * mid]!, curve[4 * mid + 1]!, zh, zl) <= 0) lo = mid;
      else hi = mid;
    }
    const x0h = curve[4 * lo]!;
    const x0l = curve[4 * lo + 1]!;
    const y0h = curve[4 * lo + 2]!;
    const y0l = curve[4 * lo + 3]!;
    if (x0h === zh && x0l === zl) {
      // at a breakpoint the interpolation adds an exact 0: y0 itself
      OUT[OH] = y0h;
      OUT[OL] = y0l;
      OUT[OE] = 0;
      return true;
    }
    ddSub(curve[4 * lo + 6]!, curve[4 * lo + 7]!, 0, y0h, y0l, 0);
    const dyh = OUT[OH]!;
    const dyl = OUT[OL]!;
    const dye = OUT[OE]!;
    if (dyh === 0 && dyl === 0) {
      OUT[OH] = y0h;
      OUT[OL] = y0l;
      OUT[OE] = 0;
      return true;
    }
    ddSub(zh, zl, 0, x0h, x0l, 0);
    ddMul(dyh, dyl, dye, OUT[OH]!, OUT[OL]!, OUT[OE]!);
    const nh = OUT[OH]!;
    const nl = OUT[OL]!;
    const ne = OUT[OE]!;
    ddSub(curve[4 * lo + 4]!, curve[4 * lo + 5]!, 0, x0h, x0l, 0);
    if (!ddDiv(nh, nl, ne, OUT[OH]!, OUT[OL]!, OUT[OE]!)) throw UNCERTAIN;
    ddAdd(y0h, y0l, 0, OUT[OH]!, OUT[OL]!, OUT[OE]!);
    return true;
  }

  /** x values of a curve side (the virtual zero curve has [0, top]). */
  private xOf(incoming: boolean, i: number, hiPart: boolean): number {
    const curve = incoming ? this.inCurve : this.outCurve;
    if (curve !== null) return curve[4 * i + (hiPart ? 0 : 1)]!;
    if (i === 0) return 0;
    if (!incoming) return hiPart ? this.cHi : this.cLo;
    return hiPart ? 2 * this.cHi : 2 * this.cLo; // exact doubling
  }

  private pointsOf(incoming: boolean): number {
    const curve = incoming ? this.inCurve : this.outCurve;
    if (curve === null) return 2;
    return incoming ? this.inPoints : this.outPoints;
  }

  /** Produces the next candidate x (spec §4.3 step 3, weight case: balances = limit = c). */
  private produce(): void {
    const inN = this.pointsOf(true);
    if (this.candI >= inN && this.candJ < 0) {
      this.candDone = true;
      return;
    }
    let xh: number;
    let xl: number;
    let takeIn = this.candJ < 0;
    if (!takeIn && this.candI < inN) {
      ddSub(this.xOf(true, this.candI, true), this.xOf(true, this.candI, false), 0, this.cHi, this.cLo, 0);
      const ih = OUT[OH]!;
      const il = OUT[OL]!;
      ddSub(this.cHi, this.cLo, 0, this.xOf(false, this.candJ, true), this.xOf(false, this.candJ, false), 0);
      takeIn = ddCmpExact(ih, il, OUT[OH]!, OUT[OL]!) <= 0;
    }
    if (takeIn) {
      ddSub(this.xOf(true, this.candI, true), this.xOf(true, this.candI, false), 0, this.cHi, this.cLo, 0);
      this.candI++;
    } else {
      ddSub(this.cHi, this.cLo, 0, this.xOf(false, this.candJ, true), this.xOf(false, this.candJ, false), 0);
      this.candJ--;
    }
    xh = OUT[OH]!;
    xl = OUT[OL]!;
    if (ddCmpExact(xh, xl, this.cHi, this.cLo) >= 0) {
      xh = this.cHi;
      xl = this.cLo;
      this.candDone = true;
    }
    const n = this.candCount;
    if (n === 0 || ddCmpExact(this.candHi[n - 1]!, this.candLo[n - 1]!, xh, xl) !== 0) {
      if (n >= MAX_SCRATCH_POINTS) throw UNCERTAIN;
      this.candHi[n] = xh;
      this.candLo[n] = xl;
      this.yDone[n] = 0;
      this.candCount = n + 1;
    }
  }

  /** Ensures candidate k exists if there is one; false past the last. */
  private candidate(k: number): boolean {
    while (this.candCount <= k && !this.candDone) this.produce();
    return k < this.candCount;
  }

  /** y of candidate k: constant + p_in * x / 1e6 + IP_in(c + x), cached. */
  private y(k: number): void {
    if (this.yDone[k] === 1) {
      OUT[OH] = this.yHi[k]!;
      OUT[OL] = this.yLo[k]!;
      OUT[OE] = this.yE[k]!;
      return;
    }
    const xh = this.candHi[k]!;
    const xl = this.candLo[k]!;
    if (xh === 0 && xl === 0) {
      // symbolically K + IP_in(c) = flat_in + outgoing: computing both IP_in(c) terms and
      // subtracting leaves an error bound that hides an exact zero (a frequent value:
      // no flat fee, no outgoing curve), and the kernel would give up on its sign
      this.yHi[k] = this.y0Hi;
      this.yLo[k] = this.y0Lo;
      this.yE[k] = this.y0E;
      this.yDone[k] = 1;
      OUT[OH] = this.y0Hi;
      OUT[OL] = this.y0Lo;
      OUT[OE] = this.y0E;
      return;
    }
    ddAdd(this.cHi, this.cLo, 0, xh, xl, 0);
    if (!this.curveAt(true, OUT[OH]!, OUT[OL]!)) throw new Error('invariant: incoming curve range checked');
    const ph = OUT[OH]!;
    const pl = OUT[OL]!;
    const pe = OUT[OE]!;
    ddMul(this.pInHi, this.pInLo, 0, xh, xl, 0);
    if (!ddDiv(OUT[OH]!, OUT[OL]!, OUT[OE]!, 1e6, 0, 0)) throw UNCERTAIN;
    ddAdd(this.kHi, this.kLo, this.kE, OUT[OH]!, OUT[OL]!, OUT[OE]!);
    ddAdd(OUT[OH]!, OUT[OL]!, OUT[OE]!, ph, pl, pe);
    this.yHi[k] = OUT[OH]!;
    this.yLo[k] = OUT[OL]!;
    this.yE[k] = OUT[OE]!;
    this.yDone[k] = 1;
  }

  private general(out: WeightSchedule, inn: WeightSchedule): number {
    try {
      return this.generalOrThrow(out, inn);
    } catch (e) {
      if (e === UNCERTAIN) return FEE_UNDECIDED;
      throw e;
    }
  }

  private generalOrThrow(out: WeightSchedule, inn: WeightSchedule): number {
    const ch = this.cHi;
    const cl = this.cLo;
    if (ch === 0) return FEE_INFINITE;
    const ah = this.aHi;
    const al = this.aLo;
    this.inCurve = inn.curve;
    this.inPoints = inn.points;
    this.outCurve = out.curve;
    this.outPoints = out.points;
    // IP_out(c - a), IP_out(c), IP_in(c): any outside its curve makes the fee undefined
    ddSub(ch, cl, 0, ah, al, 0);
    if (!this.curveAt(false, OUT[OH]!, OUT[OL]!)) return FEE_INFINITE;
    const oah = OUT[OH]!;
    const oal = OUT[OL]!;
    const oae = OUT[OE]!;
    if (!this.curveAt(false, ch, cl)) return FEE_INFINITE;
    const obh = OUT[OH]!;
    const obl = OUT[OL]!;
    const obe = OUT[OE]!;
    if (!this.curveAt(true, ch, cl)) return FEE_INFINITE;
    const ibh = OUT[OH]!;
    const ibl = OUT[OL]!;
    const ibe = OUT[OE]!;
    // every incoming evaluation in range, decided by the extreme candidates
    const inN = this.pointsOf(true);
    const outN = this.pointsOf(false);
    ddSub(this.xOf(true, 0, true), this.xOf(true, 0, false), 0, ch, cl, 0);
    const lowInH = OUT[OH]!;
    const lowInL = OUT[OL]!;
    ddSub(ch, cl, 0, this.xOf(false, outN - 1, true), this.xOf(false, outN - 1, false), 0);
    let sh = OUT[OH]!;
    let sl = OUT[OL]!;
    if (ddCmpExact(lowInH, lowInL, sh, sl) < 0) {
      sh = lowInH;
      sl = lowInL;
    }
    ddSub(this.xOf(true, inN - 1, true), this.xOf(true, inN - 1, false), 0, ch, cl, 0);
    const highInH = OUT[OH]!;
    const highInL = OUT[OL]!;
    ddSub(ch, cl, 0, this.xOf(false, 0, true), this.xOf(false, 0, false), 0);
    let gh = OUT[OH]!;
    let gl = OUT[OL]!;
    if (ddCmpExact(highInH, highInL, gh, gl) > 0) {
      gh = highInH;
      gl = highInL;
    }
    // clamp into [0, c]
    if (sh < 0 || (sh === 0 && sl < 0)) {
      sh = 0;
      sl = 0;
    } else if (ddCmpExact(sh, sl, ch, cl) > 0) {
      sh = ch;
      sl = cl;
    }
    if (gh < 0 || (gh === 0 && gl < 0)) {
      gh = 0;
      gl = 0;
    } else if (ddCmpExact(gh, gl, ch, cl) > 0) {
      gh = ch;
      gl = cl;
    }
    ddAdd(ch, cl, 0, sh, sl, 0);
    if (ddCmpExact(OUT[OH]!, OUT[OL]!, this.xOf(true, 0, true), this.xOf(true, 0, false)) < 0) return FEE_INFINITE;
    ddAdd(ch, cl, 0, gh, gl, 0);
    if (ddCmpExact(OUT[OH]!, OUT[OL]!, this.xOf(true, inN - 1, true), this.xOf(true, inN - 1, false)) > 0) return FEE_INFINITE;

    // outgoing = flat_out + p_out * a / 1e6 + (IP_out(c - a) - IP_out(c));
    // constant = flat_in - IP_in(c) + outgoing
    ddMul(out.propHi, out.propLo, 0, ah, al, 0);
    if (!ddDiv(OUT[OH]!, OUT[OL]!, OUT[OE]!, 1e6, 0, 0)) throw UNCERTAIN;
    ddAdd(out.flatHi, out.flatLo, 0, OUT[OH]!, OUT[OL]!, OUT[OE]!);
    const o1h = OUT[OH]!;
    const o1l = OUT[OL]!;
    const o1e = OUT[OE]!;
    ddSub(oah, oal, oae, obh, obl, obe);
    ddAdd(o1h, o1l, o1e, OUT[OH]!, OUT[OL]!, OUT[OE]!);
    const outH = OUT[OH]!;
    const outL = OUT[OL]!;
    const outE = OUT[OE]!;
    ddSub(inn.flatHi, inn.flatLo, 0, ibh, ibl, ibe);
    ddAdd(OUT[OH]!, OUT[OL]!, OUT[OE]!, outH, outL, outE);
    this.kHi = OUT[OH]!;
    this.kLo = OUT[OL]!;
    this.kE = OUT[OE]!;
    ddAdd(inn.flatHi, inn.flatLo, 0, outH, outL, outE);
    this.y0Hi = OUT[OH]!;
    this.y0Lo = OUT[OL]!;
    this.y0E = OUT[OE]!;
    this.pInHi = inn.propHi;
    this.pInLo = inn.propLo;
    if (inn.curve === null && inn.propHi < 1e6) return this.outgoingCurveOnly(ah, al, ch, cl);

    // candidates: first incoming index with x > c, last outgoing index with x < c
    let lo = 0;
    let hi = inN;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ddCmpExact(this.xOf(true, mid, true), this.xOf(true, mid, false), ch, cl) > 0) hi = mid;
      else lo = mid + 1;
    }
    this.candI = lo;
    lo = -1;
    hi = outN - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ddCmpExact(this.xOf(false, mid, true), this.xOf(false, mid, false), ch, cl) < 0) lo = mid;
      else hi = mid - 1;
    }
    this.candJ = lo;
    this.candCount = 0;
    this.candDone = false;
    if (this.candI > 0 || this.candJ < outN - 1) {
      this.candHi[0] = 0;
      this.candLo[0] = 0;
      this.yDone[0] = 0;
      this.candCount = 1;
    }

    this.next = 0;
    this.iteration = 0;
    this.crossingPending = false;

    // find_intersection with the line x - a
    if (!this.take()) throw UNCERTAIN; // at least one candidate always exists
    let prevXh = this.pxh;
    let prevXl = this.pxl;
    let prevXe = this.pxe;
    let prevYh = this.pyh;
    let prevYl = this.pyl;
    let prevYe = this.pye;
    ddSub(prevXh, prevXl, prevXe, ah, al, 0);
    ddSub(prevYh, prevYl, prevYe, OUT[OH]!, OUT[OL]!, OUT[OE]!); // y - (x - a)
    const first = ddSign(OUT[OH]!, OUT[OL]!, OUT[OE]!);
    if (first === 2 || first === 0) throw UNCERTAIN; // 0: wrap-around case, left to the exact routine
    const below = first < 0;
    let curXh = prevXh;
    let curXl = prevXl;
    let curXe = prevXe;
    let curYh = prevYh;
    let curYl = prevYl;
    let curYe = prevYe;
    for (;;) {
      ddSub(curXh, curXl, curXe, ah, al, 0);
      ddSub(curYh, curYl, curYe, OUT[OH]!, OUT[OL]!, OUT[OE]!);
      const c2 = ddSign(OUT[OH]!, OUT[OL]!, OUT[OE]!);
      if (c2 === 2) throw UNCERTAIN;
      if (below ? c2 >= 0 : c2 <= 0) break;
      prevXh = curXh;
      prevXl = curXl;
      prevXe = curXe;
      prevYh = curYh;
      prevYl = curYl;
      prevYe = curYe;
      if (!this.take()) return FEE_INFINITE;
      curXh = this.pxh;
      curXl = this.pxl;
      curXe = this.pxe;
      curYh = this.pyh;
      curYl = this.pyl;
      curYe = this.pye;
    }
    // x* = (l1 - y1)(x2 - x1) / ((y2 - y1) - (l2 - l1)) + x1, l = x - a
    ddSub(prevXh, prevXl, prevXe, ah, al, 0);
    const l1h = OUT[OH]!;
    const l1l = OUT[OL]!;
    const l1e = OUT[OE]!;
    ddSub(curXh, curXl, curXe, ah, al, 0);
    const l2h = OUT[OH]!;
    const l2l = OUT[OL]!;
    const l2e = OUT[OE]!;
    ddSub(l1h, l1l, l1e, prevYh, prevYl, prevYe);
    const n1h = OUT[OH]!;
    const n1l = OUT[OL]!;
    const n1e = OUT[OE]!;
    ddSub(curXh, curXl, curXe, prevXh, prevXl, prevXe);
    ddMul(n1h, n1l, n1e, OUT[OH]!, OUT[OL]!, OUT[OE]!);
    const numH = OUT[OH]!;
    const numL = OUT[OL]!;
    const numE = OUT[OE]!;
    ddSub(curYh, curYl, curYe, prevYh, prevYl, prevYe);
    const dyh = OUT[OH]!;
    const dyl = OUT[OL]!;
    const dye = OUT[OE]!;
    ddSub(l2h, l2l, l2e, l1h, l1l, l1e);
    ddSub(dyh, dyl, dye, OUT[OH]!, OUT[OL]!, OUT[OE]!);
    const denH = OUT[OH]!;
    const denL = OUT[OL]!;
    const denE = OUT[OE]!;
    if (ddSign(denH, denL, denE) === 0) return FEE_INFINITE; // exactly zero: the reference divides by zero
    if (!ddDiv(numH, numL, numE, denH, denL, denE)) throw UNCERTAIN;
    ddAdd(OUT[OH]!, OUT[OL]!, OUT[OE]!, prevXh, prevXl, prevXe);
    const sign = ddSign(OUT[OH]!, OUT[OL]!, OUT[OE]!);
    if (sign === 2) throw UNCERTAIN;
    if (sign <= 0) return FEE_INFINITE;
    if (!ddRoundHalfEven(OUT[OH]!, OUT[OL]!, OUT[OE]!)) throw UNCERTAIN;
    ddSub(OUT[OH]!, OUT[OL]!, 0, ah, al, 0); // exact: both are integers below 2^100
    return OUT[OH]! + OUT[OL]!;
  }

  /**
   * No incoming curve (its zero function on [0, 2c]), incoming proportional p_in < 1e6:
   * then y(x) = K + s x with s = p_in / 1e6 < 1 on every candidate, the capped function is
   * max(0, y) exactly (a straight line changes sign at most once, and the first sign change
   * always gets its crossing point), and max(0, y(x)) - (x - a) strictly decreases from a
   * positive value at x = 0. So the walk of the general routine ends at the unique
   * intersection x* of max(0, y) with x - a, undefined iff x* > c:
   * x* = a when y(a) = K + s a <= 0, else x* = a + (1e6 K + p_in a) / (1e6 - p_in).
   * The caller checked c > 0 and that IP_out(c - a) and IP_out(c) exist (so a <= c), and
   * left K in (kHi, kLo, kE).
   */
  private outgoingCurveOnly(ah: number, al: number, ch: number, cl: number): number {
    // N = 1e6 K + p_in a
    ddMul(1e6, 0, 0, this.kHi, this.kLo, this.kE);
    const mh = OUT[OH]!;
    const ml = OUT[OL]!;
    const me = OUT[OE]!;
    ddMul(this.pInHi, this.pInLo, 0, ah, al, 0);
    ddAdd(mh, ml, me, OUT[OH]!, OUT[OL]!, OUT[OE]!);
    const nh = OUT[OH]!;
    const nl = OUT[OL]!;
    const ne = OUT[OE]!;
    const sign = ddSign(nh, nl, ne);
    if (sign === 2) throw UNCERTAIN;
    if (sign <= 0) return 0; // x* = a, and a <= c
    ddSub(1e6, 0, 0, this.pInHi, this.pInLo, 0);
    if (!ddDiv(nh, nl, ne, OUT[OH]!, OUT[OL]!, OUT[OE]!)) throw UNCERTAIN;
    const qh = OUT[OH]!;
    const ql = OUT[OL]!;
    const qe = OUT[OE]!;
    // defined iff a + q <= c, i.e. q <= c - a
    ddSub(ch, cl, 0, ah, al, 0);
    ddSub(OUT[OH]!, OUT[OL]!, OUT[OE]!, qh, ql, qe);
    const room = ddSign(OUT[OH]!, OUT[OL]!, OUT[OE]!);
    if (room === 2) throw UNCERTAIN;
    if (room < 0) return FEE_INFINITE;
    ddAdd(ah, al, 0, qh, ql, qe);
    if (!ddRoundHalfEven(OUT[OH]!, OUT[OL]!, OUT[OE]!)) throw UNCERTAIN;
    ddSub(OUT[OH]!, OUT[OL]!, 0, ah, al, 0); // exact: both are integers below 2^100
    return OUT[OH]! + OUT[OL]!;
  }

  /**
   * The next point of the capped fee function into (px*, py*), false after the last.
   * Capping: the reference's loop examines pair (k, k+1) only while its index, which
   * every insertion advances by two, stays below the original point count.
   */
  private take(): boolean {
    if (this.crossingPending) {
      this.crossingPending = false;
      this.pxh = this.crossH;
      this.pxl = this.crossL;
      this.pxe = this.crossE;
      this.pyh = 0;
      this.pyl = 0;
      this.pye = 0;
      return true;
    }
    const k = this.next;
    if (!this.candidate(k)) return false;
    this.next++;
    this.y(k);
    const ykh = OUT[OH]!;
    const ykl = OUT[OL]!;
    const yke = OUT[OE]!;
    const signK = ddSign(ykh, ykl, yke);
    if (signK === 2) throw UNCERTAIN;
    const xkh = this.candHi[k]!;
    const xkl = this.candLo[k]!;
    this.pxh = xkh;
    this.pxl = xkl;
    this.pxe = 0;
    if (signK < 0) {
      this.pyh = 0;
      this.pyl = 0;
      this.pye = 0;
    } else {
      this.pyh = ykh;
      this.pyl = ykl;
      this.pye = yke;
    }
    if (this.candidate(k + 1)) {
      this.y(k + 1);
      const ynh = OUT[OH]!;
      const ynl = OUT[OL]!;
      const yne = OUT[OE]!;
      const signNext = ddSign(ynh, ynl, yne);
      if (signNext === 2) throw UNCERTAIN;
      if (signK * signNext === -1 && (this.iteration <= k || this.iteration <= this.countAll() - 2)) {
        // crossing at x_k + |y_k| / |y_{k+1} - y_k| * (x_{k+1} - x_k)
        ddSub(ynh, ynl, yne, ykh, ykl, yke);
        const dNeg = OUT[OH]! < 0 || (OUT[OH]! === 0 && OUT[OL]! < 0);
        const dh = dNeg ? -OUT[OH]! : OUT[OH]!;
        const dl = dNeg ? -OUT[OL]! : OUT[OL]!;
        const de = OUT[OE]!;
        const yNeg = ykh < 0 || (ykh === 0 && ykl < 0);
        if (!ddDiv(yNeg ? -ykh : ykh, yNeg ? -ykl : ykl, yke, dh, dl, de)) throw UNCERTAIN;
        const qh = OUT[OH]!;
        const ql = OUT[OL]!;
        const qe = OUT[OE]!;
        ddSub(this.candHi[k + 1]!, this.candLo[k + 1]!, 0, xkh, xkl, 0);
        ddMul(qh, ql, qe, OUT[OH]!, OUT[OL]!, OUT[OE]!);
        ddAdd(xkh, xkl, 0, OUT[OH]!, OUT[OL]!, OUT[OE]!);
        this.crossH = OUT[OH]!;
        this.crossL = OUT[OL]!;
        this.crossE = OUT[OE]!;
        this.crossingPending = true;
        this.iteration += 2;
      } else {
        this.iteration += 1;
      }
    }
    return true;
  }

  /** Number of candidates (forces all of them). */
  private countAll(): number {
    while (!this.candDone) this.produce();
    return this.candCount;
  }
}

/** Thrown internally when a decision is uncertain. */
const UNCERTAIN = new Error('uncertain');
