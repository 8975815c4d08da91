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

export class OfferChains {
  private run = 0;
  /** Whether any chain was started in this run (entries need checking only then). */
  active = false;
  // per sequence number
  private seqRun = new Int32Array(1024);
  private status = new Uint8Array(1024);
  private next = new Int32Array(1024);
  private edge = new Int32Array(1024);
  private parent = new Int32Array(1024);
  private base = new Float64Array(1024);
  // per node * 2 + direction
  private first = new Int32Array(0);
  private tail = new Int32Array(0);
  private lowest = new Float64Array(0);
  /** Length of the winner found by the last replay. */
  bestLength = 0;

  /** Starts a search run over `nodes` nodes. */
  begin(run: number, nodes: number): void {
    if (run < this.run) this.seqRun.fill(0); // the run counter wrapped
    this.run = run;
    this.active = false;
    if (2 * nodes > this.first.length) {
      const n = Math.max(2 * nodes, 2 * this.first.length);
      this.first = new Int32Array(n);
      this.tail = new Int32Array(n);
      this.lowest = new Float64Array(n);
    }
  }

  /** Whether the heap entry with sequence number `seq` belongs to a chain of this run. */
  chained(seq: number): boolean {
    return seq < this.seqRun.length && this.seqRun[seq] === this.run;
  }

  statusOf(seq: number): number {
    return this.status[seq]!;
  }

  parentOf(seq: number): number {
    return this.parent[seq]!;
  }

  edgeOf(seq: number): number {
    return this.edge[seq]!;
  }

  /** Smallest lower bound of the chained offers of x in direction d (not the head). */
  lowerBound(x: number, d: number): number {
    return this.lowest[2 * x + d]!;
  }

  /** Starts the chain of x in direction d with a copy of its current offer. */
  start(x: number, d: number, seq: number, parent: number, edge: number, base: number): void {
    this.put(seq, WIN, parent, edge, base);
    this.first[2 * x + d] = seq;
    this.tail[2 * x + d] = seq;
    this.lowest[2 * x + d] = Infinity;
    this.active = true;
  }

  /** Appends an undecided offer (its entry is pushed with key `low`, a lower bound). */
  append(x: number, d: number, seq: number, parent: number, edge: number, base: number, low: number): void {
    this.put(seq, UNRESOLVED, parent, edge, base);
    const k = 2 * x + d;
    this.next[this.tail[k]!] = seq;
    this.tail[k] = seq;
    if (low < this.lowest[k]!) this.lowest[k] = low;
  }

  private put(seq: number, status: number, parent: number, edge: number, base: number): void {
    if (seq >= this.seqRun.length) this.grow(seq + 1);
    this.seqRun[seq] = this.run;
    this.status[seq] = status;
    this.next[seq] = -1;
    this.parent[seq] = parent;
    this.edge[seq] = edge;
    this.base[seq] = base;
  }

  /**
   * Decides every offer of the chain of x in direction d in push order against the running
   * shortest one; returns the winner's sequence number and leaves its length in
   * `bestLength`. Lengths are parent distance + weight, summed as in the relaxation.
   */
  replay(w: EdgeWeights, x: number, d: number): number {
    let best = this.first[2 * x + d]!;
    let bestLength = this.base[best]! + w.weight(this.edge[best]!);
    for (let j = this.next[best]!; j !== -1; j = this.next[j]!) {
      const e = this.edge[j]!;
      let win = false;
      // weight >= base weight, and float addition is monotonic
      if (this.base[j]! + w.baseWeight(e) < bestLength) {
        const length = this.base[j]! + w.weight(e);
        if (length < bestLength) {
          win = true;
          best = j;
          bestLength = length;
        }
      }
      this.status[j] = win ? WIN : LOSE;
    }
    this.bestLength = bestLength;
    return best;
  }

  /**
   * The entry `seq` of a node settles it: it is the node's shortest offer, so it was a
   * push, and every later offer of the chain is not.
   */
  settledBy(seq: number): void {
    this.status[seq] = WIN;
    for (let j = this.next[seq]!; j !== -1; j = this.next[j]!) this.status[j] = LOSE;
  }

  private grow(n: number): void {
    const size = Math.max(n, 2 * this.seqRun.length);
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (k: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.seqRun = grown(this.seqRun, (k) => new Int32Array(k));
    this.status = grown(this.status, (k) => new Uint8Array(k));
    this.next = grown(this.next, (k) => new Int32Array(k));
    this.edge = grown(this.edge, (k) => new Int32Array(k));
    this.parent = grown(this.parent, (k) => new Int32Array(k));
    this.base = grown(this.base, (k) => new Float64Array(k));
  }
}
