import type { DecodedSchedule, FeeSchedule } from '../graph/index.ts';
import {
  type DD,
  abs,
  add,
  certainCompare,
  certainRoundHalfEven,
  certainSign,
  dd,
  ddFromBigInt,
  div,
  mul,
  sub,
} from './interval-dd.ts';

/**
 * The edge-weight fee (spec §3.3: balances all equal to the capacity, capping forced)
 * computed in double-double arithmetic with error bounds, the same steps as
 * `amountWithFees`. Returns the fee as a double (exactly Number(fee)), null when the
 * weight is infinite, or undefined when some decision was not certain; the caller then
 * uses the exact BigInt routine. Tested against it on random and near-tie inputs.
 */

/** A fee schedule in double-double form; null fields mean "too large, use BigInt". */
interface FastSchedule {
  readonly flat: DD | null;
  readonly proportional: DD | null;
  readonly xs: readonly DD[] | null;
  readonly ys: readonly DD[] | null;
  readonly representable: boolean;
}

/** The fast form of a decoded schedule, computed once and kept on it. */
function fastOf(decoded: DecodedSchedule): FastSchedule {
  if (decoded.derived !== undefined) return decoded.derived as FastSchedule;
  const f = toFast(decoded.schedule);
  decoded.derived = f;
  return f;
}

function toFast(s: FeeSchedule): FastSchedule {
  let f: FastSchedule;
  const flat = ddFromBigInt(s.flat);
  const proportional = ddFromBigInt(s.proportional);
  let xs: DD[] | null = null;
  let ys: DD[] | null = null;
  let representable = flat !== null && proportional !== null;
  if (s.imbalancePenalty !== null) {
    xs = [];
    ys = [];
    for (const [x, y] of s.imbalancePenalty) {
      const dx = ddFromBigInt(x);
      const dy = ddFromBigInt(y);
      if (dx === null || dy === null) representable = false;
      else {
        xs.push(dx);
        ys.push(dy);
      }
    }
  }
  f = { flat, proportional, xs, ys, representable };
  return f;
}

const MILLION = dd(1e6);
const ZERO = dd(0);

/** Exact comparison of exact double-doubles (integers). */
function cmp(x: DD, y: DD): number {
  return x.hi < y.hi ? -1 : x.hi > y.hi ? 1 : x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0;
}

/** Thrown internally when a decision is uncertain. */
const UNCERTAIN = new Error('uncertain');

function sure(v: number | null): number {
  if (v === null) throw UNCERTAIN;
  return v;
}

function must<T>(v: T | null): T {
  if (v === null) throw UNCERTAIN;
  return v;
}

interface Curve {
  readonly xs: readonly DD[];
  readonly ys: readonly DD[];
}

/** Value of a curve at an exact integer z, or null outside its range. */
function curveAt(c: Curve, z: DD): DD | null {
  const last = c.xs.length - 1;
  if (cmp(z, c.xs[0]!) < 0 || cmp(z, c.xs[last]!) > 0) return null;
  if (cmp(z, c.xs[last]!) === 0) return c.ys[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cmp(c.xs[mid]!, z) <= 0) lo = mid;
    else hi = mid;
  }
  const y0 = c.ys[lo]!;
  const dy = sub(c.ys[lo + 1]!, y0);
  if (dy.hi === 0 && dy.lo === 0) return y0;
  return add(y0, must(div(mul(dy, sub(z, c.xs[lo]!)), sub(c.xs[lo + 1]!, c.xs[lo]!))));
}

/** Double of the weight fee, null (infinite weight), or undefined (not certain). */
export function fastWeightFee(amount: DD, capacity: DD, sender: DecodedSchedule, receiver: DecodedSchedule): number | null | undefined {
  const out = fastOf(sender);
  const inn = fastOf(receiver);
  if (!out.representable || !inn.representable) return undefined;
  try {
    if (out.xs === null && inn.xs === null) return linear(amount, capacity, out, inn);
    return general(amount, capacity, out, inn);
  } catch (e) {
    if (e === UNCERTAIN) return undefined;
    throw e;
  }
}

function feeOf(withFees: DD, amount: DD): number {
  const fee = sub(withFees, amount); // exact: both are integers below 2^100
  return fee.hi + fee.lo;
}

function linear(a: DD, c: DD, out: FastSchedule, inn: FastSchedule): number | null {
  if (c.hi === 0 || cmp(c, a) < 0) return null;
  const denominator = sub(MILLION, inn.proportional!);
  if (sure(certainSign(denominator)) <= 0) return null;
  const numerator = add(mul(MILLION, add(add(a, inn.flat!), out.flat!)), mul(out.proportional!, a));
  if (sure(certainCompare(numerator, mul(denominator, c))) > 0) return null;
  const x = must(div(numerator, denominator));
  return feeOf(must(certainRoundHalfEven(x)), a);
}

interface Point {
  readonly x: DD;
  readonly y: DD;
}

function clamp(x: DD, limit: DD): DD {
  return cmp(x, ZERO) < 0 ? ZERO : cmp(x, limit) > 0 ? limit : x;
}

function general(a: DD, c: DD, out: FastSchedule, inn: FastSchedule): number | null {
  if (c.hi === 0) return null;
  const curveIn: Curve = inn.xs !== null ? { xs: inn.xs, ys: inn.ys! } : { xs: [ZERO, add(c, c)], ys: [ZERO, ZERO] };
  const curveOut: Curve = out.xs !== null ? { xs: out.xs, ys: out.ys! } : { xs: [ZERO, c], ys: [ZERO, ZERO] };
  const outAfter = curveAt(curveOut, sub(c, a));
  const outBefore = curveAt(curveOut, c);
  const inBefore = curveAt(curveIn, c);
  if (outAfter === null || outBefore === null || inBefore === null) return null;
  const inFirst = curveIn.xs[0]!;
  const inLast = curveIn.xs[curveIn.xs.length - 1]!;
  const lowIn = sub(inFirst, c);
  const lowOut = sub(c, curveOut.xs[curveOut.xs.length - 1]!);
  const highIn = sub(inLast, c);
  const highOut = sub(c, curveOut.xs[0]!);
  const smallest = clamp(cmp(lowIn, lowOut) < 0 ? lowIn : lowOut, c);
  const largest = clamp(cmp(highIn, highOut) > 0 ? highIn : highOut, c);
  if (cmp(add(c, smallest), inFirst) < 0 || cmp(add(c, largest), inLast) > 0) return null;

  const outgoing = add(add(out.flat!, must(div(mul(out.proportional!, a), MILLION))), sub(outAfter, outBefore));
  const constant = add(sub(inn.flat!, inBefore), outgoing);
  const points = new CappedPoints(new Candidates(curveIn.xs, curveOut.xs, c, c), curveIn, c, constant, inn.proportional!);

  let previous = points.take()!;
  const first = sure(certainCompare(previous.y, sub(previous.x, a)));
  if (first === 0) throw UNCERTAIN; // wrap-around case: left to the exact routine
  const below = first < 0;
  let current: Point = previous;
  let currentLine = sub(current.x, a);
  for (;;) {
    const c2 = sure(certainCompare(current.y, currentLine));
    if (below ? c2 >= 0 : c2 <= 0) break;
    previous = current;
    const p = points.take();
    if (p === null) return null;
    current = p;
    currentLine = sub(current.x, a);
  }
  const line1 = sub(previous.x, a);
  const numerator = mul(sub(line1, previous.y), sub(current.x, previous.x));
  const denominator = sub(sub(current.y, previous.y), sub(currentLine, line1));
  if (certainSign(denominator) === 0) return null; // exactly zero: the reference divides by zero
  const result = add(must(div(numerator, denominator)), previous.x);
  if (sure(certainSign(result)) <= 0) return null;
  return feeOf(must(certainRoundHalfEven(result)), a);
}

/** Points of the capped fee function, left to right (see FeePoints in fees.ts). */
class CappedPoints {
  private readonly ys: DD[] = [];
  private next = 0;
  private iteration = 0;
  private crossing: Point | null = null;
  private readonly candidates: Candidates;
  private readonly curveIn: Curve;
  private readonly c: DD;
  private readonly constant: DD;
  private readonly proportional: DD;

  constructor(candidates: Candidates, curveIn: Curve, c: DD, constant: DD, proportional: DD) {
    this.candidates = candidates;
    this.curveIn = curveIn;
    this.c = c;
    this.constant = constant;
    this.proportional = proportional;
  }

  private y(k: number, x: DD): DD {
    const cached = this.ys[k];
    if (cached !== undefined) return cached;
    const penalty = curveAt(this.curveIn, add(this.c, x))!;
    const value = add(add(this.constant, must(div(mul(this.proportional, x), MILLION))), penalty);
    this.ys[k] = value;
    return value;
  }

  take(): Point | null {
    if (this.crossing !== null) {
      const p = this.crossing;
      this.crossing = null;
      return p;
    }
    const k = this.next;
    const xk = this.candidates.at(k);
    if (xk === null) return null;
    this.next++;
    const yk = this.y(k, xk);
    const signK = sure(certainSign(yk));
    const point: Point = { x: xk, y: signK < 0 ? ZERO : yk };
    const xNext = this.candidates.at(k + 1);
    if (xNext !== null) {
      const yNext = this.y(k + 1, xNext);
      const signNext = sure(certainSign(yNext));
      if (signK * signNext === -1 && (this.iteration <= k || this.iteration <= this.candidates.count() - 2)) {
        const ratio = must(div(abs(yk), abs(sub(yNext, yk))));
        this.crossing = { x: add(xk, mul(ratio, sub(xNext, xk))), y: ZERO };
        this.iteration += 2;
      } else {
        this.iteration += 1;
      }
    }
    return point;
  }
}

/** The candidate x values of the weight case (balances = capacity), as in fees.ts. */
class Candidates {
  private readonly values: DD[] = [];
  private i: number;
  private j: number;
  private done = false;
  private readonly inXs: readonly DD[];
  private readonly outXs: readonly DD[];
  private readonly c: DD;
  private readonly limit: DD;

  constructor(inXs: readonly DD[], outXs: readonly DD[], c: DD, limit: DD) {
    this.inXs = inXs;
    this.outXs = outXs;
    this.c = c;
    this.limit = limit;
    let lo = 0;
    let hi = inXs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(inXs[mid]!, c) > 0) hi = mid;
      else lo = mid + 1;
    }
    this.i = lo;
    lo = -1;
    hi = outXs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cmp(outXs[mid]!, c) < 0) lo = mid;
      else hi = mid - 1;
    }
    this.j = lo;
    if (this.i > 0 || this.j < outXs.length - 1) this.values.push(ZERO);
  }

  at(k: number): DD | null {
    while (this.values.length <= k && !this.done) this.produce();
    return this.values[k] ?? null;
  }

  count(): number {
    while (!this.done) this.produce();
    return this.values.length;
  }

  private produce(): void {
    if (this.i >= this.inXs.length && this.j < 0) {
      this.done = true;
      return;
    }
    let x: DD;
    if (this.j < 0 || (this.i < this.inXs.length && cmp(sub(this.inXs[this.i]!, this.c), sub(this.c, this.outXs[this.j]!)) <= 0)) {
      x = sub(this.inXs[this.i++]!, this.c);
    } else {
      x = sub(this.c, this.outXs[this.j--]!);
    }
    if (cmp(x, this.limit) >= 0) {
      x = this.limit;
      this.done = true;
    }
    const lastValue = this.values[this.values.length - 1];
    if (lastValue === undefined || cmp(lastValue, x) !== 0) this.values.push(x);
  }
}
