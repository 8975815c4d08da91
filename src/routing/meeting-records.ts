import type { EdgeWeights } from './edge-weights.ts';
import { OfferChains } from './offer-chains.ts';

/** A shortest path: its length as the reference sums it, its nodes and directed edges. */
export interface WeightedPath {
  readonly cost: number;
  readonly nodes: number[];
  /** Directed edge slot of each hop; slots[i] goes from nodes[i] to nodes[i + 1]. */
  readonly slots: number[];
}

/*
 * Node records: one 64-byte record per node holds everything a relaxation touches, so a
 * visit costs one cache line instead of one per array. Through an Int32Array view:
 *   [16x + 4 + d]  tag of direction d: run * 8 | EXACT | DONE | CHAIN (seen in this run iff >= run * 8)
 *   [16x + 6 + d]  parent in direction d
 *   [16x + 8 + d]  directed edge from the parent
 *   [16x + 10 + d] push counter of the entry that set the seen distance
 *   [16x + 12]     reachability cached for the request: request * 2 + reachable
 * and through a Float64Array view over the same bytes:
 *   [8x + d]       seen distance in direction d (a lower bound while not EXACT)
 * A pending distance is parent's distance + weight(edge); the parent is settled, so its
 * seen distance is its exact final one. With CHAIN (and not DONE) the node also has
 * undecided offers (offer-chains.ts): the record then describes the chain's first offer.
 */
export const EXACT = 1;
export const DONE = 2;
export const CHAIN = 4;

/**
 * The per-node records of a bidirectional search (one 64-byte record per node, reused
 * across searches by run stamps) and its best meeting, networkx's finaldist / finalpath:
 * how seen distances are bounded or made exact, how a meeting is taken (replaced only by a
 * strictly shorter one), and how the path is rebuilt from the recorded parents. The search
 * loop itself is BidirectionalDijkstra.
 */
export class MeetingRecords {
  private run = 0;
  private request = 0;
  private lastWeights: EdgeWeights | null = null;
  private lastRequestId = -1;
  private capacity = 0;
  protected ni = new Int32Array(0);
  protected nf = new Float64Array(0);
  protected readonly chains = new OfferChains();
  /** The current search has no finite path: every meeting totals +Infinity. */
  protected infiniteOnly = false;
  // best meeting so far (networkx's finaldist / finalpath)
  protected found = false;
  protected bestDist = 0;
  private meetNode = -1;
  private meetParent0 = -1;
  private meetParent1 = -1;
  private meetSlot0 = -1;
  private meetSlot1 = -1;

  /** The tag base of the current run: a record is seen in this run iff its tag is >= this. */
  protected runTag(): number {
    return this.run * 8;
  }

  /** Makes room for `nodes` nodes. */
  ensure(nodes: number): void {
    if (nodes <= this.capacity) return;
    const n = Math.max(nodes, this.capacity * 2, 1024);
    this.capacity = n;
    const buffer = new ArrayBuffer(64 * n);
    this.ni = new Int32Array(buffer);
    this.nf = new Float64Array(buffer);
    this.run = 0;
    this.request = 0;
    this.lastWeights = null;
  }

  protected nextRun(): number {
    if (++this.run === 0x0fffffff) {
      this.run = 1;
      for (let x = 0; x < this.capacity; x++) {
        this.ni[16 * x + 4] = 0;
        this.ni[16 * x + 5] = 0;
      }
    }
    return this.run;
  }

  /** Request counter for the reachability cache (a new one whenever the request changes). */
  protected requestOf(w: EdgeWeights): number {
    if (w !== this.lastWeights || w.requestId !== this.lastRequestId) {
      this.lastWeights = w;
      this.lastRequestId = w.requestId;
      if (++this.request === 0x3fffffff) {
        this.request = 1;
        for (let x = 0; x < this.capacity; x++) this.ni[16 * x + 12] = 0;
      }
    }
    return this.request;
  }

  /** x has undecided offers in direction d (x is seen in this run). */
  protected chained(x: number, d: number): boolean {
    return (this.ni[16 * x + 4 + d]! & (CHAIN | DONE)) === CHAIN;
  }

  /** Decides the chain of unsettled x in direction d: its winner becomes the exact record. */
  protected resolve(w: EdgeWeights, x: number, d: number): void {
    const chains = this.chains;
    const best = chains.replay(w, x, d);
    const r = 16 * x;
    this.ni[r + 6 + d] = chains.parentOf(best);
    this.ni[r + 8 + d] = chains.edgeOf(best);
    this.ni[r + 10 + d] = best;
    this.nf[8 * x + d] = chains.bestLength;
    this.ni[r + 4 + d] = (this.ni[r + 4 + d]! & ~CHAIN) | EXACT;
  }

  /** `low`, a lower bound of x's record in direction d, lowered to cover its undecided offers. */
  private withChain(x: number, d: number, low: number): number {
    if (!this.chained(x, d)) return low;
    const chained = this.chains.lowerBound(x, d);
    return chained < low ? chained : low;
  }

  /** A lower bound of x's current distance in direction d without any fee computation. */
  protected lowSeen(x: number, d: number): number {
    return this.withChain(x, d, this.nf[8 * x + d]!);
  }

  /** Exact seen distance of x in direction d, computing a deferred weight if needed. */
  protected exactSeen(w: EdgeWeights, d: number, x: number): number {
    const ni = this.ni;
    const nf = this.nf;
    if (this.chained(x, d)) this.resolve(w, x, d);
    const tag = ni[16 * x + 4 + d]!;
    if ((tag & EXACT) !== 0) return nf[8 * x + d]!;
    const exact = nf[8 * ni[16 * x + 6 + d]! + d]! + w.weight(ni[16 * x + 8 + d]!);
    nf[8 * x + d] = exact;
    ni[16 * x + 4 + d] = tag | EXACT;
    return exact;
  }

  /** A lower bound of x's current distance in direction d, with the undecided offers. */
  private lowerSeen(w: EdgeWeights, d: number, x: number): number {
    return this.withChain(x, d, this.boundSeen(w, d, x));
  }

  /** A lower bound of the distance of x's record in direction d, refined cheaply when pending. */
  protected boundSeen(w: EdgeWeights, d: number, x: number): number {
    const ni = this.ni;
    const nf = this.nf;
    const tag = ni[16 * x + 4 + d]!;
    if ((tag & EXACT) !== 0) return nf[8 * x + d]!;
    const bound = nf[8 * ni[16 * x + 6 + d]! + d]! + w.weightBound(ni[16 * x + 8 + d]!);
    if (w.boundIsExact) ni[16 * x + 4 + d] = tag | EXACT;
    if (bound > nf[8 * x + d]!) nf[8 * x + d] = bound;
    return nf[8 * x + d]!;
  }

  /**
   * x is now seen in both directions: networkx takes this meeting if it is the first or
   * strictly shorter than the best. Lower bounds decide most cases without the exact
   * weights (float addition is monotonic, so a bound sum >= best rules it out).
   */
  protected meet(w: EdgeWeights, x: number): void {
    if (this.infiniteOnly || this.lowSeen(x, 0) === Infinity || this.lowSeen(x, 1) === Infinity) {
      // a lower bound of Infinity is exact: the total is Infinity, never strictly shorter
      if (this.found) return;
      // the recorded parents must be the current ones
      if (this.chained(x, 0)) this.resolve(w, x, 0);
      if (this.chained(x, 1)) this.resolve(w, x, 1);
      this.record(x, Infinity);
      return;
    }
    if (this.found) {
      if (!(this.lowSeen(x, 0) + this.lowSeen(x, 1) < this.bestDist)) return;
      if (!(this.lowerSeen(w, 0, x) + this.lowerSeen(w, 1, x) < this.bestDist)) return;
    }
    const forward = this.exactSeen(w, 0, x);
    // with one side exact, its sum with the other side's lower bound may already lose
    if (this.found && !(forward + this.lowSeen(x, 1) < this.bestDist)) return;
    const total = forward + this.exactSeen(w, 1, x);
    if (!this.found || this.bestDist > total) this.record(x, total);
  }

  private record(x: number, total: number): void {
    this.found = true;
    this.bestDist = total;
    this.meetNode = x;
    this.meetParent0 = this.ni[16 * x + 6]!;
    this.meetSlot0 = this.ni[16 * x + 8]!;
    this.meetParent1 = this.ni[16 * x + 7]!;
    this.meetSlot1 = this.ni[16 * x + 9]!;
  }

  /**
   * Rebuilds the meeting path: source ... meet ... target. Parents of settled nodes never
   * change, so the chains above the recorded parents are the ones the reference copied.
   */
  protected assemble(): WeightedPath {
    const ni = this.ni;
    const cost = this.bestDist;
    const meet = this.meetNode;
    const p0 = this.meetParent0;
    const s0 = this.meetSlot0;
    const p1 = this.meetParent1;
    const s1 = this.meetSlot1;
    const nodes: number[] = [];
    const slots: number[] = [];
    if (p0 !== -1) {
      slots.push(s0);
      let x = p0;
      for (;;) {
        nodes.push(x);
        const up = ni[16 * x + 6]!;
        if (up === -1) break;
        slots.push(ni[16 * x + 8]!);
        x = up;
      }
    }
    nodes.reverse();
    slots.reverse();
    nodes.push(meet);
    if (p1 !== -1) {
      slots.push(s1);
      let x = p1;
      for (;;) {
        nodes.push(x);
        const down = ni[16 * x + 7]!;
        if (down === -1) break;
        slots.push(ni[16 * x + 9]!);
        x = down;
      }
    }
    return { cost, nodes, slots };
  }
}
