import type { DecodedSchedule, SnapshotView } from '../graph/index.ts';
import {
  CAPACITY_WORDS,
  WEIGHT_FLAT_HIGH,
  WEIGHT_FLAT_LOW,
  WEIGHT_PROPORTIONAL,
  WEIGHT_STRIDE,
  wordsToBigInt,
} from '../graph/index.ts';
import type { Budget } from './budget.ts';
import { weightFee } from './fees.ts';
import { FEE_INFINITE, FEE_UNDECIDED, WeightFeeKernel, weightScheduleOf } from './weight-fee-fast.ts';

/** Channel record flags (per request); bit k of a pair refers to directed edge 2c + k. */
const CARRIES = 1; // << side: capacity >= value
const NO_REFUND = 4; // << side: the partner's capacity < int(float(value) * 1.1)
const KIND_SHIFT = 4; // two bits per side: 0 no fees, 1 flat + proportional, 2 penalty curve
const KIND_ZERO = 0;
const KIND_LINEAR = 1;

/**
 * Per-request view of the edges a search touches, and their weights (spec §3.3).
 *
 * Each channel slot is copied from shared memory once per request (seqlock-consistent),
 * so a request sees one value per edge even while the shard keeps writing. At that copy
 * the request-dependent facts that need no fee arithmetic are decided exactly and kept in
 * one compact record per channel: whether each direction carries the value, the no-refund
 * term, and the weight kind of each direction (no fees, flat + proportional, penalty
 * curve, from a byte per schedule id). The fee term of a directed edge depends only on the
 * channel state and the requested value, so it is computed on first use and cached for the
 * whole request; only the diversity term changes between rounds. Records are reused
 * across requests via stamps instead of being cleared.
 *
 * weight = ((1 + visited[channel]) + fee_weight) + no_refund, summed in this order in
 * doubles exactly like the reference's expression, with fee_weight = float(fee) / 1e18 * fp.
 */
export class EdgeWeights {
  private stamp = 0;
  private slots = 0;
  /** Per channel: [stamp, flags, schedule id side 0, schedule id side 1]. */
  private chI = new Int32Array(0);
  /** Per channel: [shadow 0, shadow 1, fee weight 0, fee weight 1] (NaN = not computed). */
  private chF = new Float64Array(0);
  /** Per channel: 16 capacity words (8 per side). */
  private words = new Uint32Array(0);
  /** Per channel: the diversity penalty, valid where the bit in `visitedBits` is set. */
  private visited = new Float64Array(0);
  private visitedBits = new Uint32Array(0);
  /** Channels with a penalty in this request (to clear their bits). */
  private visitedList: number[] = [];
  private readonly kernel = new WeightFeeKernel();
  /** Set by weightBound: whether the returned bound is the exact weight. */
  boundIsExact = false;
  /** Set by weightBound: an upper bound of the weight (Infinity when unknown). */
  upperBound = Infinity;

  view!: SnapshotView;
  budget!: Budget;
  value = 0n;
  private valueShadow = 0;
  private refundThreshold = 0n;
  private refundShadow = 0;
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
    this.valueShadow = Number(value);
    // int(float(amount) * 1.1): the truncation of the double product, exactly as a bigint
    this.refundShadow = Math.trunc(this.valueShadow * 1.1);
    this.refundThreshold = BigInt(this.refundShadow);
    this.feePenalty = feePenalty;
    this.kernel.setAmount(value);
    const slots = view.edges.slots;
    if (slots > this.slots) this.resize(slots);
    for (const c of this.visitedList) this.visitedBits[c >> 5] = 0;
    this.visitedList.length = 0;
    this.stamp++;
    if (this.stamp === 0x3fffffff) {
      this.stamp = 1;
      this.chI.fill(0);
    }
  }

  private resize(slots: number): void {
    const n = Math.max(slots, this.slots * 2, 1024);
    this.slots = n;
    this.chI = new Int32Array(4 * n);
    this.chF = new Float64Array(4 * n);
    this.words = new Uint32Array(2 * CAPACITY_WORDS * n);
    this.visited = new Float64Array(n);
    this.visitedBits = new Uint32Array((n >> 5) + 1);
    this.visitedList.length = 0;
    // the stamp keeps counting: fresh arrays hold 0, and requestId stays unique
  }

  /** Copies channel `c` for this request and decides its value-dependent flags. */
  private load(c: number): number {
    const chI = this.chI;
    if (chI[4 * c] === this.stamp) return chI[4 * c + 1]!;
    const chF = this.chF;
    this.view.edges.readChannel(c, chF, 4 * c, chI, 4 * c + 2, this.words, 2 * CAPACITY_WORDS * c);
    const schedules = this.view.schedules;
    const s0 = schedules.weightKind(chI[4 * c + 2]!);
    const s1 = schedules.weightKind(chI[4 * c + 3]!);
    // edge 2c: sender side 0, receiver side 1; edge 2c + 1 the reverse
    const kind = s0 === 2 || s1 === 2 ? 2 : s0 === 1 || s1 === 1 ? 1 : 0;
    let flags = (kind << KIND_SHIFT) | (kind << (KIND_SHIFT + 2));
    const c0 = this.atLeast(c, 0, this.value, this.valueShadow);
    const c1 = this.atLeast(c, 1, this.value, this.valueShadow);
    if (c0) flags |= CARRIES;
    if (c1) flags |= CARRIES << 1;
    if (!this.atLeast(c, 1, this.refundThreshold, this.refundShadow)) flags |= NO_REFUND;
    if (!this.atLeast(c, 0, this.refundThreshold, this.refundShadow)) flags |= NO_REFUND << 1;
    // fee weights known without arithmetic: infinite when the value is not carried, 0 without fees
    chF[4 * c + 2] = !c0 ? Infinity : kind === KIND_ZERO ? 0 : NaN;
    chF[4 * c + 3] = !c1 ? Infinity : kind === KIND_ZERO ? 0 : NaN;
    chI[4 * c] = this.stamp;
    chI[4 * c + 1] = flags;
    return flags;
  }

  /**
   * capacity of side `side` of channel `c` >= amount, decided on the float shadows where
   * they differ (rounding to double is monotonic, so a strict shadow order implies the
   * exact order) and exactly where they are equal.
   */
  private atLeast(c: number, side: number, amount: bigint, amountShadow: number): boolean {
    const shadow = this.chF[4 * c + side]!;
    if (shadow > amountShadow) return true;
    if (shadow < amountShadow) return false;
    return wordsToBigInt(this.words, (2 * c + side) * CAPACITY_WORDS) >= amount;
  }

  /** Exact capacity of directed edge `e`. */
  capacity(e: number): bigint {
    this.load(e >> 1);
    return wordsToBigInt(this.words, e * CAPACITY_WORDS);
  }

  /** Float shadow of the capacity of `e` (exactly rounded). */
  capacityShadow(e: number): number {
    this.load(e >> 1);
    return this.chF[4 * (e >> 1) + (e & 1)]!;
  }

  /** Decoded fee schedule of the sender side of `e`. */
  schedule(e: number): DecodedSchedule {
    this.load(e >> 1);
    return this.view.schedules.get(this.chI[4 * (e >> 1) + 2 + (e & 1)]!);
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
    let fw = this.chF[4 * c + 2 + side]!;
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
    let fw = this.chF[4 * c + 2 + side]!;
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
    const schedules = this.view.schedules;
    const senderId = this.chI[4 * c + 2 + side]!;
    const receiverId = this.chI[4 * c + 3 - side]!;
    let fee = FEE_UNDECIDED;
    if (((this.chI[4 * c + 1]! >> (KIND_SHIFT + 2 * side)) & 3) === KIND_LINEAR) {
      // flat + proportional: the limb kernel straight from the per-id records
      const r = schedules.weightRecords();
      const s = WEIGHT_STRIDE * senderId;
      const t = WEIGHT_STRIDE * receiverId;
      if ((r[s]! & 1) === 1 && (r[t]! & 1) === 1) {
        fee = this.kernel.linearFee(
          this.words,
          e * CAPACITY_WORDS,
          r[s + WEIGHT_FLAT_HIGH]! + r[t + WEIGHT_FLAT_HIGH]!,
          r[s + WEIGHT_FLAT_LOW]! + r[t + WEIGHT_FLAT_LOW]!,
          r[t + WEIGHT_PROPORTIONAL]!,
          r[s + WEIGHT_PROPORTIONAL]!,
        );
      }
    }
    if (fee === FEE_UNDECIDED) {
      const sender = schedules.get(senderId);
      const receiver = schedules.get(receiverId);
      // allocation-free kernels; the exact BigInt routine whenever they cannot decide
      fee = this.kernel.fee(this.words, e * CAPACITY_WORDS, weightScheduleOf(sender), weightScheduleOf(receiver));
      if (fee === FEE_UNDECIDED) {
        const exact = weightFee(this.value, wordsToBigInt(this.words, e * CAPACITY_WORDS), sender.schedule, receiver.schedule);
        fee = exact === null ? FEE_INFINITE : Number(exact);
      }
    }
    const fw = fee === FEE_INFINITE ? Infinity : (fee / 1e18) * this.feePenalty;
    this.chF[4 * c + 2 + side] = fw;
    return fw;
  }
}
