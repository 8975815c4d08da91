import type { DecodedSchedule, SnapshotView } from '../graph/index.ts';
import { CAPACITY_WORDS, wordsToBigInt } from '../graph/index.ts';
import type { Budget } from './budget.ts';
import { weightFee } from './fees.ts';
import { FEE_INFINITE, FEE_UNDECIDED, WeightFeeKernel, weightScheduleOf } from './weight-fee-fast.ts';

/**
 * Per-request view of the edges a search touches, and their weights (spec §3.3).
 *
 * Each channel slot is copied from shared memory once per request (seqlock-consistent),
 * so a request sees one value per edge even while the shard keeps writing. The fee term of
 * a directed edge depends only on its channel state and the requested value, so it is
 * computed on first use and cached for the whole request; only the diversity term changes
 * between rounds. Arrays are indexed by directed slot and reused across requests via
 * stamps instead of being cleared.
 *
 * weight = ((1 + visited[channel]) + fee_weight) + no_refund, summed in this order in
 * doubles exactly like the reference's expression, with fee_weight = float(fee) / 1e18 * fp.
 */
export class EdgeWeights {
  private stamp = 0;
  private slots = 0;
  private channelStamp = new Int32Array(0);
  private shadow = new Float64Array(0);
  private words = new Uint32Array(0);
  private scheduleIds = new Uint32Array(0);
  private bigStamp = new Int32Array(0);
  private big: bigint[] = [];
  private feeStamp = new Int32Array(0);
  private feeWeight = new Float64Array(0);
  private refundStamp = new Int32Array(0);
  private noRefund = new Uint8Array(0);
  /** Set by weightBound: whether the returned bound is the exact weight. */
  boundIsExact = false;
  /** Set by weightBound: an upper bound of the weight (Infinity when unknown). */
  upperBound = Infinity;
  private visitedStamp = new Int32Array(0);
  private visited = new Float64Array(0);

  view!: SnapshotView;
  budget!: Budget;
  value = 0n;
  private readonly kernel = new WeightFeeKernel();
  private valueShadow = 0;
  private refundThreshold = 0n;
  private refundShadow = 0;
  private feePenalty = 0;

  /** Starts a request: resets caches (by stamp) and fixes the request parameters. */
  begin(view: SnapshotView, value: bigint, feePenalty: number, budget: Budget): void {
    this.view = view;
    this.budget = budget;
    this.value = value;
    this.kernel.setAmount(value);
    this.valueShadow = Number(value);
    // int(float(amount) * 1.1): the truncation of the double product, exactly as a bigint
    this.refundShadow = Math.trunc(this.valueShadow * 1.1);
    this.refundThreshold = BigInt(this.refundShadow);
    this.feePenalty = feePenalty;
    const slots = view.edges.slots;
    if (slots > this.slots) this.resize(slots);
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.stamp = 1;
      this.channelStamp.fill(0);
      this.bigStamp.fill(0);
      this.feeStamp.fill(0);
      this.refundStamp.fill(0);
      this.visitedStamp.fill(0);
    }
  }

  private resize(slots: number): void {
    const n = Math.max(slots, this.slots * 2, 1024);
    this.slots = n;
    this.channelStamp = new Int32Array(n);
    this.shadow = new Float64Array(2 * n);
    this.words = new Uint32Array(2 * n * CAPACITY_WORDS);
    this.scheduleIds = new Uint32Array(2 * n);
    this.bigStamp = new Int32Array(2 * n);
    this.big = new Array<bigint>(2 * n).fill(0n);
    this.feeStamp = new Int32Array(2 * n);
    this.feeWeight = new Float64Array(2 * n);
    this.refundStamp = new Int32Array(2 * n);
    this.noRefund = new Uint8Array(2 * n);
    this.visitedStamp = new Int32Array(n);
    this.visited = new Float64Array(n);
    this.stamp = 0;
  }

  private load(channelSlot: number): void {
    if (this.channelStamp[channelSlot] === this.stamp) return;
    this.view.edges.readInto(channelSlot, this.shadow, this.words, this.scheduleIds);
    this.channelStamp[channelSlot] = this.stamp;
  }

  /** Exact capacity of directed edge `e`. */
  capacity(e: number): bigint {
    this.load(e >> 1);
    if (this.bigStamp[e] !== this.stamp) {
      this.big[e] = wordsToBigInt(this.words, e * CAPACITY_WORDS);
      this.bigStamp[e] = this.stamp;
    }
    return this.big[e]!;
  }

  /** Float shadow of the capacity of `e` (exactly rounded). */
  capacityShadow(e: number): number {
    this.load(e >> 1);
    return this.shadow[e]!;
  }

  /** Decoded fee schedule of the sender side of `e`. */
  schedule(e: number): DecodedSchedule {
    this.load(e >> 1);
    return this.view.schedules.get(this.scheduleIds[e]!);
  }

  /**
   * capacity(e) >= amount, decided on the float shadows where they differ (rounding to
   * double is monotonic, so a strict shadow order implies the exact order) and exactly
   * where they are equal.
   */
  capacityAtLeast(e: number, amount: bigint, amountShadow: number): boolean {
    const c = this.capacityShadow(e);
    if (c > amountShadow) return true;
    if (c < amountShadow) return false;
    return this.capacity(e) >= amount;
  }

  /** capacity(e) >= requested value. */
  carriesValue(e: number): boolean {
    return this.capacityAtLeast(e, this.value, this.valueShadow);
  }

  /** Diversity penalty accumulated on the channel of `e` in this request. */
  visitedOf(e: number): number {
    const c = e >> 1;
    return this.visitedStamp[c] === this.stamp ? this.visited[c]! : 0;
  }

  /** Adds the diversity penalty to the channel of `e` (after a route is returned). */
  addVisited(e: number, penalty: number): void {
    const c = e >> 1;
    if (this.visitedStamp[c] !== this.stamp) {
      this.visitedStamp[c] = this.stamp;
      this.visited[c] = 0;
    }
    this.visited[c] = this.visited[c]! + penalty;
  }

  /** Lower bound of weight(e): 1 + diversity term (fee and no-refund terms are >= 0). */
  baseWeight(e: number): number {
    return 1 + this.visitedOf(e);
  }

  /** The edge weight of §3.3 for the current round. */
  weight(e: number): number {
    if (this.feeStamp[e] !== this.stamp) this.computeFeeTerms(e);
    return 1 + this.visitedOf(e) + this.feeWeight[e]! + this.refund(e);
  }

  /** no_refund_weight: 1 if the partner's capacity < int(float(amount) * 1.1). */
  private refund(e: number): number {
    if (this.refundStamp[e] !== this.stamp) {
      this.noRefund[e] = this.capacityAtLeast(e ^ 1, this.refundThreshold, this.refundShadow) ? 0 : 1;
      this.refundStamp[e] = this.stamp;
    }
    return this.noRefund[e]!;
  }

  /**
   * A lower bound of weight(e) from cheap data (no fee arithmetic), exact for edges that
   * cannot carry the value (infinite) and for edges without fees; `boundIsExact` says
   * which. For flat + proportional schedules the fee is bounded below by
   * flat_in + flat_out + (p_in + p_out) * value / 1e6 - 1/2 (x* - a >= that before
   * rounding, since 1e6 - p_in <= 1e6), evaluated in doubles and shrunk by a margin far
   * above their rounding error; float addition is monotonic, so the sum stays below.
   */
  weightBound(e: number): number {
    if (this.feeStamp[e] === this.stamp) {
      this.boundIsExact = true;
      return (this.upperBound = this.weight(e));
    }
    const base = 1 + this.visitedOf(e);
    if (!this.carriesValue(e)) {
      this.setFeeWeight(e, Infinity);
      this.boundIsExact = true;
      return (this.upperBound = Infinity);
    }
    const refund = this.refund(e);
    const sender = this.schedule(e);
    const receiver = this.schedule(e ^ 1);
    if (sender.zeroForWeights && receiver.zeroForWeights) {
      this.setFeeWeight(e, 0);
      this.boundIsExact = true;
      return (this.upperBound = base + 0 + refund);
    }
    this.boundIsExact = false;
    this.upperBound = Infinity;
    if (sender.hasPenalty || receiver.hasPenalty) return base + refund;
    // x* - a = (1e6 F + (p_in + p_out) a) / (1e6 - p_in) with F the flats: below by
    // F + (p_in + p_out) a / 1e6, above by the exact quotient; rounding moves it by <= 1/2.
    const flats = sender.flatShadow + receiver.flatShadow;
    const proportionalAmount = (sender.proportionalShadow + receiver.proportionalShadow) * this.valueShadow;
    const feeLow = (flats + proportionalAmount / 1e6 - 0.5) * (1 - 2 ** -40) - 1e-6;
    const denominator = 1e6 - receiver.proportionalShadow;
    if (denominator >= 1) {
      // only when the fee is certainly defined: numerator well below denominator * capacity
      const numerator = 1e6 * (this.valueShadow + flats) + sender.proportionalShadow * this.valueShadow;
      if (numerator * (1 + 2 ** -40) < denominator * this.capacityShadow(e) * (1 - 2 ** -40)) {
        const feeHigh = ((1e6 * flats + proportionalAmount) / denominator + 0.5) * (1 + 2 ** -40) + 1e-6;
        this.upperBound = base + ((feeHigh / 1e18) * this.feePenalty) * (1 + 2 ** -40) + refund;
      }
    }
    return feeLow > 0 ? base + (feeLow / 1e18) * this.feePenalty + refund : base + refund;
  }

  private setFeeWeight(e: number, fw: number): void {
    this.feeWeight[e] = fw;
    this.feeStamp[e] = this.stamp;
  }

  private computeFeeTerms(e: number): void {
    this.budget.chargeFee();
    const sender = this.schedule(e);
    const receiver = this.schedule(e ^ 1);
    let fw: number;
    if (!this.carriesValue(e)) {
      fw = Infinity; // also what every fee routine answers when capacity < value
    } else if (sender.zeroForWeights && receiver.zeroForWeights) {
      fw = 0;
    } else {
      // allocation-free kernels; the exact BigInt routine whenever they cannot decide
      let fee = this.kernel.fee(this.words, e * CAPACITY_WORDS, weightScheduleOf(sender), weightScheduleOf(receiver));
      if (fee === FEE_UNDECIDED) {
        const exact = weightFee(this.value, this.capacity(e), sender.schedule, receiver.schedule);
        fee = exact === null ? FEE_INFINITE : Number(exact);
      }
      fw = fee === FEE_INFINITE ? Infinity : (fee / 1e18) * this.feePenalty;
    }
    this.setFeeWeight(e, fw);
  }
}
