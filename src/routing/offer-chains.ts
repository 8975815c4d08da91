import type { EdgeWeights } from './edge-weights.ts';

/**
 * Deferred relaxations of the bidirectional search (see BidirectionalDijkstra).
 *
 * networkx relaxes an edge into a seen, unsettled node only when the new length is
 * strictly shorter than the node's current one, and only then pushes a heap entry. Deciding
 * that comparison needs both lengths exactly, which means fee computations, yet most
 * nodes that receive a second offer are never settled before the search ends. So an offer
 * the cheap bounds cannot decide is not decided: it is pushed as a provisional entry with
 * its own sequence number and appended to the node's chain of offers. The chain starts
 * with a copy of the node's offer at that time (its head).
 *
 * Offer j of a node was one of networkx's pushes iff its length is strictly shorter than
 * every earlier offer of that node (WIN), and otherwise never existed there (LOSE). Since
 * a LOSE offer always has an earlier offer at most as long, the first entry of a node to
 * reach the top of our heap is the one networkx pops, and the chain only has to be
 * replayed (in push order, with exact lengths) when its node is needed exactly before it
 * settles, or when an entry of a settled node reaches the top: a WIN entry is a stale
 * entry that costs networkx a turn, a LOSE entry is dropped without one. Sequence numbers
 * keep their order, which is all a tie needs.
 *
 * Offers are indexed by sequence number (unique within a search run); a node's chain is
 * valid while its tag carries the CHAIN flag of the current run.
 */

/** Not decided yet. */
export const UNRESOLVED = 1;
/** A push of the reference. */
export const WIN = 2;
/** Not a push of the reference: its entry is dropped without a turn. */
export const LOSE = 3;

/*
 * Offer records, 32 bytes per sequence number, through an Int32Array view:
 *   [8s] run that wrote it  [8s + 1] status  [8s + 2] next offer of the chain (-1: last)
 *   [8s + 3] directed edge  [8s + 4] parent
 * and through a Float64Array view: [4s + 3] the parent's distance.
 * Chain records, 16 bytes per node * 2 + direction: Int32 [4k] first offer, [4k + 1] last
 * offer; Float64 [2k + 1] smallest lower bound of the chained offers (not the first).
 */
const OFFER_WORDS = 8;

export class OfferChains {
  private run = 0;
  /** Whether any chain was started in this run (entries need checking only then). */
  active = false;
  private offers = 0;
  private oi = new Int32Array(0);
  private of = new Float64Array(0);
  private ci = new Int32Array(0);
  private cf = new Float64Array(0);
  /** Length of the winner found by the last replay. */
  bestLength = 0;

  constructor() {
    this.growOffers(1024);
  }

  /** Starts a search run over `nodes` nodes. */
  begin(run: number, nodes: number): void {
    if (run < this.run) this.oi.fill(0); // the run counter wrapped
    this.run = run;
    this.active = false;
    if (4 * 2 * nodes > this.ci.length) {
      const buffer = new ArrayBuffer(16 * Math.max(2 * nodes, this.ci.length / 2));
      this.ci = new Int32Array(buffer);
      this.cf = new Float64Array(buffer);
    }
  }

  /** Whether the heap entry with sequence number `seq` belongs to a chain of this run. */
  chained(seq: number): boolean {
    return seq < this.offers && this.oi[OFFER_WORDS * seq] === this.run;
  }

  statusOf(seq: number): number {
    return this.oi[OFFER_WORDS * seq + 1]!;
  }

  parentOf(seq: number): number {
    return this.oi[OFFER_WORDS * seq + 4]!;
  }

  edgeOf(seq: number): number {
    return this.oi[OFFER_WORDS * seq + 3]!;
  }

  /** Smallest lower bound of the chained offers of x in direction d (not the head). */
  lowerBound(x: number, d: number): number {
    return this.cf[2 * (2 * x + d) + 1]!;
  }

  /** Starts the chain of x in direction d with a copy of its current offer. */
  start(x: number, d: number, seq: number, parent: number, edge: number, base: number): void {
    this.put(seq, WIN, parent, edge, base);
    const k = 2 * x + d;
    this.ci[4 * k] = seq;
    this.ci[4 * k + 1] = seq;
    this.cf[2 * k + 1] = Infinity;
    this.active = true;
  }

  /** Appends an undecided offer (its entry is pushed with key `low`, a lower bound). */
  append(x: number, d: number, seq: number, parent: number, edge: number, base: number, low: number): void {
    this.put(seq, UNRESOLVED, parent, edge, base);
    const k = 2 * x + d;
    this.oi[OFFER_WORDS * this.ci[4 * k + 1]! + 2] = seq;
    this.ci[4 * k + 1] = seq;
    if (low < this.cf[2 * k + 1]!) this.cf[2 * k + 1] = low;
  }

  private put(seq: number, status: number, parent: number, edge: number, base: number): void {
    if (seq >= this.offers) this.growOffers(Math.max(seq + 1, 2 * this.offers));
    const o = OFFER_WORDS * seq;
    const oi = this.oi;
    oi[o] = this.run;
    oi[o + 1] = status;
    oi[o + 2] = -1;
    oi[o + 3] = edge;
    oi[o + 4] = parent;
    this.of[4 * seq + 3] = base;
  }

  /**
   * Decides every offer of the chain of x in direction d in push order against the running
   * shortest one; returns the winner's sequence number and leaves its length in
   * `bestLength`. Lengths are parent distance + weight, summed as in the relaxation.
   */
  replay(w: EdgeWeights, x: number, d: number): number {
    const oi = this.oi;
    const of = this.of;
    let best = this.ci[4 * (2 * x + d)]!;
    let bestLength = of[4 * best + 3]! + w.weight(oi[OFFER_WORDS * best + 3]!);
    for (let j = oi[OFFER_WORDS * best + 2]!; j !== -1; j = oi[OFFER_WORDS * j + 2]!) {
      const e = oi[OFFER_WORDS * j + 3]!;
      const base = of[4 * j + 3]!;
      let win = false;
      // weight >= base weight, and float addition is monotonic
      if (base + w.baseWeight(e) < bestLength) {
        const length = base + w.weight(e);
        if (length < bestLength) {
          win = true;
          best = j;
          bestLength = length;
        }
      }
      oi[OFFER_WORDS * j + 1] = win ? WIN : LOSE;
    }
    this.bestLength = bestLength;
    return best;
  }

  /**
   * The entry `seq` of a node settles it: it is the node's shortest offer, so it was a
   * push, and every later offer of the chain is not.
   */
  settledBy(seq: number): void {
    const oi = this.oi;
    oi[OFFER_WORDS * seq + 1] = WIN;
    for (let j = oi[OFFER_WORDS * seq + 2]!; j !== -1; j = oi[OFFER_WORDS * j + 2]!) oi[OFFER_WORDS * j + 1] = LOSE;
  }

  private growOffers(n: number): void {
    const buffer = new ArrayBuffer(4 * OFFER_WORDS * n);
    const oi = new Int32Array(buffer);
    oi.set(this.oi);
    this.oi = oi;
    this.of = new Float64Array(buffer);
    this.offers = n;
  }
}
