import type { DecodedSchedule, SnapshotView } from '../graph/index.ts';
import {
  BIG_0,
  CAPACITY_WORDS,
  RECORD_WORDS,
  WEIGHT_FLAT_HIGH,
  WEIGHT_FLAT_LOW,
  WEIGHT_PROPORTIONAL,
  WEIGHT_STRIDE,
  threeWordsToBigInt,
  wordsToBigInt,
} from '../graph/index.ts';
import type { Budget } from './budget.ts';
import { weightFee } from './fees.ts';
import { WeightFeeKernel } from './weight-fee-fast.ts';
import { FEE_INFINITE, FEE_UNDECIDED } from './weight-fee-linear.ts';
import { weightScheduleOf } from './weight-schedule.ts';

/** Request record flags; bit k of a pair refers to directed edge 2c + k. */
const CARRIES = 1; // << side: capacity >= value
const NO_REFUND = 4; // << side: the partner's capacity < int(float(value) * 1.1)
const KIND_SHIFT = 4; // two bits per side: 0 no fees, 1 flat + proportional, 2 penalty curve
const KIND_ZERO = 0;
const KIND_LINEAR = 1;
const BIG_SHIFT = 8; // the store's BIG_0 / BIG_1 flags, shifted

/** A uint below 2^96 as three little-endian 32-bit words, or `fits` false. */
interface Words3 {
  fits: boolean;
  w0: number;
  w1: number;
  w2: number;
}

function words3(v: bigint, out: Words3): void {
  out.fits = v >= 0n && v < 1n << 96n;
  if (!out.fits) return;
  out.w0 = Number(v & 0xffffffffn);
  out.w1 = Number((v >> 32n) & 0xffffffffn);
  out.w2 = Number(v >> 64n);
}

/**
 * Per-request view of the edges a search touches, and their weights (spec §3.3).
 *
 * Each channel's shared record is copied once per request (seqlock-consistent) into one
 * 64-byte request record, so a request sees one value per edge even while the shard keeps
 * writing, and a channel costs one cache line to read and one to keep. Layout of the
 * request record (Int32 words, as the store's record, see edge-store.ts):
 *   [0] request stamp  [1] flags  [2], [3] schedule ids  [4..9] low capacity words
 *   Float64 [5], [6]: fee weight of edge 2c and 2c + 1 (NaN until computed)
 * At the copy, the request-dependent facts that need no fee arithmetic are decided exactly
 * (whole-word comparisons): whether each direction carries the value, the no-refund term,
 * and the weight kind of each direction (from the schedule table's per-id records).
 * Capacities of 2^96 or more keep their full words in a side array. The fee term of a
 * directed edge depends only on the channel state and the requested value, so it is
 * computed on first use and cached for the whole request; only the diversity term changes
 * between rounds. Records are reused across requests via stamps instead of being cleared.
 *
 * weight = ((1 + visited[channel]) + fee_weight) + no_refund, summed in this order in
 * doubles exactly like the reference's expression, with fee_weight = float(fee) / 1e18 * fp.
 */
export class EdgeWeights {
  private stamp = 0;
  private slots = 0;
  private rec = new Int32Array(0);
  private recF = new Float64Array(0);
  /** Full capacity words (16 per channel) for channels with a capacity of 2^96 or more. */
  private bigWords: Uint32Array | null = null;
  /** Per channel: the diversity penalty, valid where the bit in `visitedBits` is set. */
  private visited = new Float64Array(0);
  private visitedBits = new Uint32Array(0);
  /** Channels with a penalty in this request (to clear their bits). */
  private visitedList: number[] = [];
  private readonly kernel = new WeightFeeKernel();
  private readonly bigScratch = new Uint32Array(RECORD_WORDS);
  private readonly valueWords: Words3 = { fits: false, w0: 0, w1: 0, w2: 0 };
  private readonly refundWords: Words3 = { fits: false, w0: 0, w1: 0, w2: 0 };
  /** Set by weightBound: whether the returned bound is the exact weight. */
  boundIsExact = false;
  /** Set by weightBound: an upper bound of the weight (Infinity when unknown). */
  upperBound = Infinity;

  view!: SnapshotView;
  budget!: Budget;
  value = 0n;
  private refundThreshold = 0n;
  private feePenalty = 0;

  /** Identifies the current request (for per-request caches of other objects). */
  get requestId(): number {
    return this.stamp;
  }

  /** Starts a request: resets caches (by stamp) and fixes the request parameters. */
  begin(view: SnapshotView, value: bigint, feePenalty: number, budget: Budget): void {
    this.view = view;
    this.budget = budget;
    this.value = value;
    // int(float(amount) * 1.1): the truncation of the double product, exactly as a bigint
    this.refundThreshold = BigInt(Math.trunc(Number(value) * 1.1));
    words3(value, this.valueWords);
    words3(this.refundThreshold, this.refundWords);
    this.feePenalty = feePenalty;
    this.kernel.setAmount(value);
    const slots = view.edges.slots;
    if (slots > this.slots) this.resize(slots);
    for (const c of this.visitedList) this.visitedBits[c >> 5] = 0;
    this.visitedList.length = 0;
    this.stamp++;
    if (this.stamp === 0x3fffffff) {
      this.stamp = 1;
      for (let c = 0; c < this.slots; c++) this.rec[RECORD_WORDS * c] = 0;
    }
  }

  private resize(slots: number): void {
    const n = Math.max(slots, this.slots * 2, 1024);
    this.slots = n;
    const buffer = new ArrayBuffer(4 * RECORD_WORDS * n);
    this.rec = new Int32Array(buffer);
    this.recF = new Float64Array(buffer);
    this.bigWords = null;
    this.visited = new Float64Array(n);
    this.visitedBits = new Uint32Array((n >> 5) + 1);
    this.visitedList.length = 0;
    // the stamp keeps counting: fresh arrays hold 0, and requestId stays unique
  }

  /** Copies channel `c` for this request and decides its value-dependent flags. */
  private load(c: number): number {
    const rec = this.rec;
    const r = RECORD_WORDS * c;
    if (rec[r] === this.stamp) return rec[r + 1]!;
    const big = this.view.edges.readRecord(c, rec, r, this.bigScratch, 0, false);
    if (big !== 0) {
      this.bigWords ??= new Uint32Array(RECORD_WORDS * this.slots);
      this.bigWords.set(this.bigScratch, r);
    }
    // weight kinds of the two schedules: from the record when the writer put them there
    const meta = rec[r + 14]!;
    let s0: number;
    let s1: number;
    if (meta >= 0) {
      s0 = (meta & 15) >> 1;
      s1 = (meta >> 5) & 7;
    } else {
      const schedules = this.view.schedules;
      s0 = schedules.weightKind(rec[r + 2]!);
      s1 = schedules.weightKind(rec[r + 3]!);
    }
    // edge 2c: sender side 0, receiver side 1; edge 2c + 1 the reverse: the same kinds
    const kind = s0 === 2 || s1 === 2 ? 2 : s0 === 1 || s1 === 1 ? 1 : 0;
    let flags = (kind << KIND_SHIFT) | (kind << (KIND_SHIFT + 2)) | (big << BIG_SHIFT);
    rec[r + 1] = flags; // exactCapacity reads the BIG bits from here
    const c0 = this.atLeast(c, 0, this.value, this.valueWords);
    const c1 = this.atLeast(c, 1, this.value, this.valueWords);
    if (c0) flags |= CARRIES;
    if (c1) flags |= CARRIES << 1;
    if (!this.atLeast(c, 1, this.refundThreshold, this.refundWords)) flags |= NO_REFUND;
    if (!this.atLeast(c, 0, this.refundThreshold, this.refundWords)) flags |= NO_REFUND << 1;
    // fee weights known without arithmetic: infinite when the value is not carried, 0 without fees
    const f = 8 * c;
    this.recF[f + 5] = !c0 ? Infinity : kind === KIND_ZERO ? 0 : NaN;
    this.recF[f + 6] = !c1 ? Infinity : kind === KIND_ZERO ? 0 : NaN;
    rec[r] = this.stamp;
    rec[r + 1] = flags;
    return flags;
  }

  /** Capacity of side `side` of loaded channel `c` >= amount (exact). */
  private atLeast(c: number, side: number, amount: bigint, a: Words3): boolean {
    const r = RECORD_WORDS * c;
    if ((this.rec[r + 1]! & ((BIG_0 << BIG_SHIFT) << side)) !== 0 || !a.fits) return this.exactCapacity(c, side) >= amount;
    const at = r + 4 + 3 * side;
    const w2 = this.rec[at + 2]! >>> 0;
    if (w2 !== a.w2) return w2 > a.w2;
    const w1 = this.rec[at + 1]! >>> 0;
    if (w1 !== a.w1) return w1 > a.w1;
    return this.rec[at]! >>> 0 >= a.w0;
  }

  /** Exact capacity of side `side` of loaded channel `c`. */
  private exactCapacity(c: number, side: number): bigint {
    const r = RECORD_WORDS * c;
    if ((this.rec[r + 1]! & ((BIG_0 << BIG_SHIFT) << side)) !== 0) return wordsToBigInt(this.bigWords!, r + CAPACITY_WORDS * side);
    const at = r + 4 + 3 * side;
    return threeWordsToBigInt(this.rec[at]! >>> 0, this.rec[at + 1]! >>> 0, this.rec[at + 2]! >>> 0);
  }

  /** Exact capacity of directed edge `e`. */
  capacity(e: number): bigint {
    this.load(e >> 1);
    return this.exactCapacity(e >> 1, e & 1);
  }

  /** Decoded fee schedule of the sender side of `e`. */
  schedule(e: number): DecodedSchedule {
    this.load(e >> 1);
    return this.view.schedules.get(this.rec[RECORD_WORDS * (e >> 1) + 2 + (e & 1)]!);
  }

  /** capacity(e) >= requested value. */
  carriesValue(e: number): boolean {
    return (this.load(e >> 1) & (CARRIES << (e & 1))) !== 0;
  }

  /** Diversity penalty accumulated on the channel of `e` in this request. */
  visitedOf(e: number): number {
    const c = e >> 1;
    return (this.visitedBits[c >> 5]! & (1 << (c & 31))) !== 0 ? this.visited[c]! : 0;
  }

  /** Adds the diversity penalty to the channel of `e` (after a route is returned). */
  addVisited(e: number, penalty: number): void {
    const c = e >> 1;
    const bit = 1 << (c & 31);
    if ((this.visitedBits[c >> 5]! & bit) === 0) {
      this.visitedBits[c >> 5] = this.visitedBits[c >> 5]! | bit;
      this.visitedList.push(c);
      this.visited[c] = 0;
    }
    this.visited[c] = this.visited[c]! + penalty;
  }

  /** Lower bound of weight(e): 1 + diversity term (fee and no-refund terms are >= 0). */
  baseWeight(e: number): number {
    const c = e >> 1;
    return (this.visitedBits[c >> 5]! & (1 << (c & 31))) !== 0 ? 1 + this.visited[c]! : 1;
  }

  /** The edge weight of §3.3 for the current round. */
  weight(e: number): number {
    const c = e >> 1;
    const side = e & 1;
    const flags = this.load(c);
    let fw = this.recF[8 * c + 5 + side]!;
    if (fw !== fw) fw = this.computeFeeWeight(e);
    return this.baseWeight(e) + fw + ((flags >> (2 + side)) & 1);
  }

  /**
   * A lower bound of weight(e) without curve arithmetic; exact (and `boundIsExact`) for
   * edges that cannot carry the value, edges without fees, flat + proportional edges (their
   * exact kernel is as cheap as a bound) and fees already computed. For penalty curves the
   * bound is 1 + diversity + no-refund: the fee term is >= 0 because the weight's fee is
   * computed with capping forced.
   */
  weightBound(e: number): number {
    const c = e >> 1;
    const side = e & 1;
    const flags = this.load(c);
    let fw = this.recF[8 * c + 5 + side]!;
    if (fw !== fw) {
      if (((flags >> (KIND_SHIFT + 2 * side)) & 3) === KIND_LINEAR) {
        fw = this.computeFeeWeight(e);
      } else {
        this.boundIsExact = false;
        this.upperBound = Infinity;
        return this.baseWeight(e) + ((flags >> (2 + side)) & 1);
      }
    }
    this.boundIsExact = true;
    return (this.upperBound = this.baseWeight(e) + fw + ((flags >> (2 + side)) & 1));
  }

  /** Computes and caches the fee weight of a carrying edge with fees. */
  private computeFeeWeight(e: number): number {
    this.budget.chargeFee();
    const c = e >> 1;
    const side = e & 1;
    const r = RECORD_WORDS * c;
    const rec = this.rec;
    const schedules = this.view.schedules;
    const senderId = rec[r + 2 + side]!;
    const receiverId = rec[r + 3 - side]!;
    const flags = rec[r + 1]!;
    const big = (flags & ((BIG_0 << BIG_SHIFT) << side)) !== 0;
    const w = r + 4 + 3 * side;
    let fee = FEE_UNDECIDED;
    if (!big && ((flags >> (KIND_SHIFT + 2 * side)) & 3) === KIND_LINEAR) {
      // flat + proportional: the limb kernel straight from the per-id records
      schedules.weightKind(Math.max(senderId, receiverId)); // the records cover both ids
      const t = schedules.weightRecords();
      const s = WEIGHT_STRIDE * senderId;
      const q = WEIGHT_STRIDE * receiverId;
      if ((t[s]! & 1) === 1 && (t[q]! & 1) === 1) {
        fee = this.kernel.linearFee(
          rec[w]! >>> 0,
          rec[w + 1]! >>> 0,
          rec[w + 2]! >>> 0,
          t[s + WEIGHT_FLAT_HIGH]! + t[q + WEIGHT_FLAT_HIGH]!,
          t[s + WEIGHT_FLAT_LOW]! + t[q + WEIGHT_FLAT_LOW]!,
          t[q + WEIGHT_PROPORTIONAL]!,
          t[s + WEIGHT_PROPORTIONAL]!,
        );
      }
    }
    if (fee === FEE_UNDECIDED) {
      const sender = schedules.get(senderId);
      const receiver = schedules.get(receiverId);
      // allocation-free kernels; the exact BigInt routine whenever they cannot decide
      if (!big) fee = this.kernel.fee3(rec[w]! >>> 0, rec[w + 1]! >>> 0, rec[w + 2]! >>> 0, weightScheduleOf(sender), weightScheduleOf(receiver));
      if (fee === FEE_UNDECIDED) {
        const exact = weightFee(this.value, this.exactCapacity(c, side), sender.schedule, receiver.schedule);
        fee = exact === null ? FEE_INFINITE : Number(exact);
      }
    }
    const fw = fee === FEE_INFINITE ? Infinity : (fee / 1e18) * this.feePenalty;
    this.recF[8 * c + 5 + side] = fw;
    return fw;
  }
}
