import type { DecodedSchedule, SnapshotView } from '../graph/index.ts';
import { CAPACITY_WORDS, wordsToBigInt } from '../graph/index.ts';
import type { Budget } from './budget.ts';
import { weightFee } from './fees.ts';

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
  private noRefund = new Uint8Array(0);
  private visitedStamp = new Int32Array(0);
  private visited = new Float64Array(0);

  view!: SnapshotView;
  budget!: Budget;
  value = 0n;
  private valueShadow = 0;
  private refundThreshold = 0n;
  private refundShadow = 0;
  private feePenalty = 0;

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
    const slots = view.edges.shadow.length >> 1;
    if (slots > this.slots) this.resize(slots);
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.stamp = 1;
      this.channelStamp.fill(0);
      this.bigStamp.fill(0);
      this.feeStamp.fill(0);
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
    return 1 + this.visitedOf(e) + this.feeWeight[e]! + this.noRefund[e]!;
  }

  private computeFeeTerms(e: number): void {
    this.budget.chargeFee();
    const partner = e ^ 1;
    // no_refund_weight = 1 if the partner's capacity < int(float(amount) * 1.1)
    this.noRefund[e] = this.capacityAtLeast(partner, this.refundThreshold, this.refundShadow) ? 0 : 1;
    const sender = this.schedule(e);
    const receiver = this.schedule(partner);
    let fw: number;
    if (sender.zeroForWeights && receiver.zeroForWeights) {
      fw = this.carriesValue(e) ? 0 : Infinity;
    } else {
      const fee = weightFee(this.value, this.capacity(e), sender.schedule, receiver.schedule);
      fw = fee === null ? Infinity : (Number(fee) / 1e18) * this.feePenalty;
    }
    this.feeWeight[e] = fw;
    this.feeStamp[e] = this.stamp;
  }
}
