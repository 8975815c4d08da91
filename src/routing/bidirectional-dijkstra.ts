import type { EdgeWeights } from './edge-weights.ts';
import { DistHeap } from './heap.ts';
import { SeqQueue } from './seq-queue.ts';
import { CHAIN, DONE, EXACT, MeetingRecords, type WeightedPath } from './meeting-records.ts';
import { LOSE, UNRESOLVED } from './offer-chains.ts';

export type { WeightedPath } from './meeting-records.ts';

/** Nodes and first hops a spur search must avoid (Yen, spec §3.5 b). */
export interface Exclusions {
  /** A node is ignored when ignoreMark[node] === ignoreId. */
  readonly ignoreMark: Int32Array;
  readonly ignoreId: number;
  /** Edges (bannedFrom -> y) are ignored when bannedMark[y] === bannedId. */
  readonly bannedFrom: number;
  readonly bannedMark: Int32Array;
  readonly bannedId: number;
}

/** Relative margin of provablyFinal: 32 units of roundoff, over the 6 its bound needs. */
const MARGIN = 2 ** -48;

/** Near-tie checks per search (see tieIsFinal); heap entries one may visit; adjacency entries all may scan. */
const TIE_CHECKS = 8;
const TIE_ENTRIES = 4096;
const TIE_SCANS = 16384;

/**
 * networkx 2.8.7 `_bidirectional_dijkstra` on the pruned graph (spec §3.5 a): forward and
 * backward searches alternate, forward first, sharing one push counter; the first node
 * settled in both directions ends the search with the best meeting path recorded during
 * relaxation (replaced only when strictly shorter). Unreachable nodes are skipped, which is
 * exactly the reference's pruning.
 *
 * Deferred weights: an edge to a node not yet seen is pushed with the lower bound
 * dist + (1 + diversity term) instead of its exact length; the exact weight, which may
 * need the fee computation, is computed only when the entry reaches the top of the heap,
 * when an exact comparison needs it, or when the node is seen from both sides. The entry
 * keeps the sequence number of its push, so the pop order by (dist, seq) is the
 * reference's; most edges of a hub are never needed exactly. Likewise, edges into nodes
 * settled in the current direction, and edges whose lower bound cannot improve a known
 * exact distance, are skipped without computing their weight. An edge into a seen node
 * that the fee-free bounds cannot decide, and on which no meeting can depend, is not
 * decided either: it becomes a deferred offer (offer-chains.ts), decided only if the node
 * is needed.
 */
export class BidirectionalDijkstra extends MeetingRecords {
  private readonly heaps: [DistHeap, DistHeap] = [new DistHeap(), new DistHeap()];
  /** Nodes whose adjacency the last search scanned, in either direction (see expandedNodes). */
  private expanded = new Int32Array(1024);
  private expandedCount = 0;
  /** Near-tie checks made by the current search, and the adjacency entries they scanned. */
  private tieChecks = 0;
  private tieScans = 0;
  /**
   * Entries at distance Infinity pushed from nodes at distance Infinity: they all share
   * the largest key, so they pop in push order, after every finite entry; a FIFO per
   * direction holds them (merged by push counter with Infinity entries in the heap).
   */
  private readonly queues: [SeqQueue, SeqQueue] = [new SeqQueue(), new SeqQueue()];

  /**
   * The nodes whose adjacency the last search scanned (a copy). Exclusions are consulted
   * only for the neighbours of these nodes, so the search gives the same answer under any
   * exclusions that agree with its own on those neighbours (the spur cache of yen.ts).
   */
  expandedNodes(): Int32Array {
    return this.expanded.slice(0, this.expandedCount);
  }

  /** How many nodes the last search expanded (the length expandedNodes would copy). */
  expandedSize(): number {
    return this.expandedCount;
  }

  private growExpanded(): void {
    const grown = new Int32Array(this.expanded.length * 2);
    grown.set(this.expanded);
    this.expanded = grown;
  }

  /**
   * Whether the best meeting is already networkx's answer, so that the rest of its search
   * (up to the first node settled in both directions, often most of the work) can be
   * skipped. `top0`, `top1`: lower bounds of the smallest key in each fringe.
   *
   * A later meeting replaces the best only when strictly shorter. Every later meeting comes
   * from a relaxation out of a node popped later, at a key >= top of its direction, into a
   * node x whose other side is either pending (its length >= top of that side) or settled
   * at distance D. In the first case the total is >= fl(top0 + top1) by monotonic rounding.
   * In the second, the edge's other end u was offered fl(D + w) by x's settling, and u is
   * still pending on that side (a settled u would end networkx's search when popped), so
   * fl(D + w) >= top there, and the total is >= (top0 + top1)(1 - 3 * 2^-53). Hence with
   * top0 + top1 >= best * (1 + MARGIN) no later meeting is shorter, in floats too.
   *
   * networkx also returns "no path" when a fringe runs out before a node is settled in both
   * directions, even after a meeting; that cannot happen here. A meeting means the target
   * is reachable forward and the source backward (through the same filtered edges); the
   * source is settled forward on the first turn and the target backward on the second (its
   * key 0 is the smallest), so the forward fringe cannot run out before it pops the target,
   * which ends the search, and likewise backward.
   */
  private provablyFinal(w: EdgeWeights, top0: number, top1: number): boolean {
    const best = this.bestDist;
    if (this.infiniteOnly || !(best < Infinity)) return false;
    const sum = top0 + top1;
    if (sum >= best + best * MARGIN) return true;
    if (!(sum >= best) || this.tieChecks >= TIE_CHECKS) return false;
    this.tieChecks++;
    return this.tieIsFinal(w, top0, top1, best);
  }

  /**
   * The near tie best <= fl(top0 + top1) < best * (1 + MARGIN), frequent with integer
   * weights: whether, even so, no later meeting can be strictly shorter than `best`.
   *
   * A later meeting of the first kind of provablyFinal totals >= fl(top0 + top1) >= best.
   * One of the second kind, at x settled on side o at D, reached from u popped later on
   * side d at distance a >= top_d over an edge of weight w >= 1, totals
   * T = fl(fl(a + w) + D); u is pending on side o at most fl(D + w), and T < best needs
   * a + w + D < best + 4 ulps, so a < top_d + best * MARGIN and fl(D + w) < top_o + best *
   * MARGIN. Any distance reached later on side d is >= top_d + 1 (weights are >= 1), so u
   * is already pending on side d near the top there, and on side o below top_o + best *
   * MARGIN. For each such u (found among the heap entries near the top) and each
   * neighbour x settled on side o, T >= fl(fl(top_d + w) + D), which is computed exactly
   * as networkx would; if it is >= best for all of them, nothing can replace the best.
   * A check that would visit too much answers false: the search then simply continues.
   */
  private tieIsFinal(w: EdgeWeights, top0: number, top1: number, best: number): boolean {
    const delta = best * MARGIN;
    const ni = this.ni;
    const nf = this.nf;
    const rb = this.runTag();
    const topology = w.view.topology;
    const adjStart = topology.adjStart;
    const adjNode = topology.adjNode;
    const adjSlot = topology.adjSlot;
    for (let d = 0; d < 2; d++) {
      const o = 1 - d;
      const topD = d === 0 ? top0 : top1;
      const topO = d === 0 ? top1 : top0;
      const near: number[] = [];
      if (!this.heaps[d]!.nodesUpTo(topD + delta, TIE_ENTRIES, near)) return false;
      for (const u of near) {
        if ((ni[16 * u + 4 + d]! & DONE) !== 0) continue; // a stale entry
        const to = ni[16 * u + 4 + o]!;
        if (to < rb || (to & DONE) !== 0) continue; // not seen on side o, or its pop ends the search
        if (this.lowSeen(u, o) > topO + delta) continue;
        for (let k = adjStart[u]!, end = adjStart[u + 1]!; k < end; k++) {
          if (++this.tieScans > TIE_SCANS) return false;
          const x = adjNode[k]!;
          const tx = ni[16 * x + 4 + o]!;
          if (tx < rb || (tx & DONE) === 0) continue;
          const weight = w.weight(d === 0 ? adjSlot[k]! : adjSlot[k]! ^ 1);
          if (topD + weight + nf[8 * x + o]! < best) return false;
        }
      }
    }
    return true;
  }

  /**
   * Relaxations from a node settled at distance Infinity: every new length is Infinity, so
   * only first sightings change anything (Infinity < seen never holds), and their keys are
   * exact without loading the edge. Returns the push counter after the pushes.
   */
  private relaxFromInfinity(w: EdgeWeights, v: number, dir: number, rb: number, request: number, seq: number, ex: Exclusions | null): number {
    const topology = w.view.topology;
    const adjStart = topology.adjStart;
    const adjNode = topology.adjNode;
    const adjSlot = topology.adjSlot;
    const nodeKey = topology.nodeKey;
    const reach = w.view.reach;
    const ni = this.ni;
    const nf = this.nf;
    const queue = this.queues[dir]!;
    const other = 1 - dir;
    const reachYes = request * 2 + 1;
    const reachNo = request * 2;
    const ignoreMark = ex?.ignoreMark;
    const ignoreId = ex?.ignoreId ?? -1;
    const bannedFrom = ex?.bannedFrom ?? -1;
    const bannedMark = ex?.bannedMark;
    const bannedId = ex?.bannedId ?? -1;
    const end = adjStart[v + 1]!;
    for (let k = adjStart[v]!; k < end; k++) {
      const x = adjNode[k]!;
      const r = 16 * x;
      if (ni[r + 4 + dir]! >= rb) continue; // seen: Infinity cannot improve it
      const rt = ni[r + 12]!;
      if (rt !== reachYes) {
        if (rt === reachNo) continue;
        if (reach[nodeKey[x]!] !== 1) {
          ni[r + 12] = reachNo;
          continue;
        }
        ni[r + 12] = reachYes;
      }
      if (ignoreMark !== undefined && ignoreMark[x] === ignoreId) continue;
      let e: number;
      if (dir === 0) {
        if (v === bannedFrom && bannedMark![x] === bannedId) continue;
        e = adjSlot[k]!;
      } else {
        if (x === bannedFrom && bannedMark![v] === bannedId) continue;
        e = adjSlot[k]! ^ 1;
      }
      ni[r + 4 + dir] = rb | EXACT;
      nf[8 * x + dir] = Infinity;
      ni[r + 10 + dir] = seq;
      ni[r + 6 + dir] = v;
      ni[r + 8 + dir] = e;
      queue.push(seq++, x);
      if (ni[r + 4 + other]! >= rb) this.meet(w, x);
    }
    return seq;
  }

  /**
   * Shortest path from `source` to `target`, or null (NetworkXNoPath). `firstMeetingFinal`:
   * the caller knows there is no path of finite weight from source to target, so every
   * meeting totals +Infinity, the first one is the reference's answer, and the search
   * returns it at once (see finite-region.ts).
   */
  search(w: EdgeWeights, source: number, target: number, ex: Exclusions | null, firstMeetingFinal = false): WeightedPath | null {
    if (ex !== null && (ex.ignoreMark[source] === ex.ignoreId || ex.ignoreMark[target] === ex.ignoreId)) return null;
    if (source === target) return { cost: 0, nodes: [source], slots: [] };
    const topology = w.view.topology;
    this.ensure(topology.nodeCount);
    const run = this.nextRun();
    const rb = run * 8; // tags of this run are rb | flags
    const chains = this.chains;
    chains.begin(run, topology.nodeCount);
    const request = this.requestOf(w);
    const reachYes = request * 2 + 1;
    const reachNo = request * 2;
    const ni = this.ni;
    const nf = this.nf;
    const adjStart = topology.adjStart;
    const adjNode = topology.adjNode;
    const adjSlot = topology.adjSlot;
    const nodeKey = topology.nodeKey;
    const reach = w.view.reach;
    const ignoreMark = ex?.ignoreMark;
    const ignoreId = ex?.ignoreId ?? -1;
    const bannedFrom = ex?.bannedFrom ?? -1;
    const bannedMark = ex?.bannedMark;
    const bannedId = ex?.bannedId ?? -1;

    ni[16 * source + 4] = rb | EXACT;
    nf[8 * source] = 0;
    ni[16 * source + 6] = -1;
    ni[16 * target + 5] = rb | EXACT;
    nf[8 * target + 1] = 0;
    ni[16 * target + 7] = -1;
    const heap0 = this.heaps[0];
    const heap1 = this.heaps[1];
    heap0.clear();
    heap1.clear();
    const queue0 = this.queues[0];
    const queue1 = this.queues[1];
    queue0.clear();
    queue1.clear();
    let seq = 0;
    heap0.push(0, seq++, source, 0, -1);
    heap1.push(0, seq++, target, 0, -1);

    this.found = false;
    this.bestDist = 0;
    this.infiniteOnly = firstMeetingFinal;
    this.expandedCount = 0;
    this.tieChecks = 0;
    this.tieScans = 0;
    let relaxations = 0;
    let dir = 1;
    try {
      while ((heap0.size > 0 || queue0.size > 0) && (heap1.size > 0 || queue1.size > 0)) {
        dir = 1 - dir;
        const other = 1 - dir;
        if (this.found && this.provablyFinal(w, heap0.size > 0 ? heap0.topKey() : Infinity, heap1.size > 0 ? heap1.topKey() : Infinity)) {
          return this.assemble();
        }
        const heap = dir === 0 ? heap0 : heap1;
        const queue = dir === 0 ? queue0 : queue1;
        // Refine provisional entries at the top until the top's key is exact: first a
        // cheap lower bound (often already exact), then the exact weight.
        while (heap.size > 0) {
          if (chains.active && chains.chained(heap.topSeq())) {
            // an undecided offer: a settled node's entry is decided by replaying its chain,
            // and an entry networkx never pushed leaves without costing a turn
            const s = heap.topSeq();
            if (chains.statusOf(s) === UNRESOLVED && (ni[16 * heap.topNode() + 4 + dir]! & DONE) !== 0) chains.replay(w, heap.topNode(), dir);
            if (chains.statusOf(s) === LOSE) {
              heap.pop();
              continue;
            }
          }
          const edge = heap.topEdge();
          if (edge === -1) break;
          if (heap.topBase() === Infinity) break; // Infinity + weight is Infinity: exact
          let key: number;
          let exact: boolean;
          if (heap.topStage() === 0) {
            key = heap.topBase() + w.weightBound(edge);
            exact = w.boundIsExact;
          } else {
            key = heap.topBase() + w.weight(edge);
            exact = true;
          }
          const x = heap.topNode();
          const tx = ni[16 * x + 4 + dir]!;
          if (ni[16 * x + 10 + dir] === heap.topSeq() && (tx & EXACT) === 0) {
            nf[8 * x + dir] = key;
            if (exact) ni[16 * x + 4 + dir] = tx | EXACT;
          }
          if (exact && key === heap.topKey()) break;
          heap.settleTop(key, exact);
        }
        // Only entries networkx never pushed were left: its fringe was empty, and it gives
        // up. (The loop above cannot see that in advance; it does not matter, because a
        // fringe can only run out when no path exists, and then every search answers None.)
        if (heap.size === 0 && queue.size === 0) return null;
        // the smallest (dist, seq): the heap's top, or the oldest entry at Infinity
        let dist: number;
        let v: number;
        if (heap.size > 0 && !(queue.size > 0 && heap.topKey() === Infinity && queue.headSeq() < heap.topSeq())) {
          dist = heap.topKey();
          v = heap.topNode();
          if (chains.active && this.chained(v, dir) && chains.chained(heap.topSeq())) {
            // the node's shortest offer, first in push order among equals: the one networkx pops
            const s = heap.topSeq();
            ni[16 * v + 6 + dir] = chains.parentOf(s);
            ni[16 * v + 8 + dir] = chains.edgeOf(s);
            ni[16 * v + 10 + dir] = s;
            chains.settledBy(s);
          }
          heap.pop();
        } else {
          dist = Infinity;
          v = queue.pop();
        }
        const tv = ni[16 * v + 4 + dir]!;
        if ((tv & DONE) !== 0) continue; // seen in this run: a node in the heap always is
        ni[16 * v + 4 + dir] = tv | DONE | EXACT;
        nf[8 * v + dir] = dist;
        const tvo = ni[16 * v + 4 + other]!;
        if (tvo >= rb && (tvo & DONE) !== 0) {
          return this.found ? this.assemble() : null;
        }
        const end = adjStart[v + 1]!;
        relaxations += end - adjStart[v]!;
        if (this.expandedCount === this.expanded.length) this.growExpanded();
        this.expanded[this.expandedCount++] = v;
        if (dist === Infinity) {
          seq = this.relaxFromInfinity(w, v, dir, rb, request, seq, ex);
          if (firstMeetingFinal && this.found) return this.assemble();
          continue;
        }
        for (let k = adjStart[v]!; k < end; k++) {
          const x = adjNode[k]!;
          const r = 16 * x;
          const rt = ni[r + 12]!;
          if (rt !== reachYes) {
            if (rt === reachNo) continue;
            if (reach[nodeKey[x]!] !== 1) {
              ni[r + 12] = reachNo;
              continue;
            }
            ni[r + 12] = reachYes;
          }
          if (ignoreMark !== undefined && ignoreMark[x] === ignoreId) continue;
          let e: number;
          if (dir === 0) {
            if (v === bannedFrom && bannedMark![x] === bannedId) continue;
            e = adjSlot[k]!;
          } else {
            if (x === bannedFrom && bannedMark![v] === bannedId) continue;
            e = adjSlot[k]! ^ 1;
          }
          const tx = ni[r + 4 + dir]!;
          const seenBoth = ni[r + 4 + other]! >= rb;
          if (tx < rb) {
            // first sighting: provisional entry, exact weight deferred
            const bound = dist + w.baseWeight(e);
            ni[r + 4 + dir] = rb;
            nf[8 * x + dir] = bound;
            ni[r + 10 + dir] = seq;
            ni[r + 6 + dir] = v;
            ni[r + 8 + dir] = e;
            heap.push(bound, seq++, x, dist, e);
            if (seenBoth) {
              this.meet(w, x);
              if (firstMeetingFinal) return this.assemble();
            }
            continue;
          }
          if ((tx & DONE) !== 0) continue;
          const low = dist + w.baseWeight(e);
          // new >= the record >= the current distance: no relaxation (with or without a chain)
          if ((tx & EXACT) !== 0 && low >= nf[8 * x + dir]!) continue;
          if (!seenBoth || (this.found && (this.infiniteOnly || !(low + this.lowSeen(x, other) < this.bestDist)))) {
            // undecided without fees, and no meeting can depend on it: defer (offer-chains.ts)
            if ((tx & CHAIN) === 0) {
              const parent = ni[r + 6 + dir]!;
              chains.start(x, dir, ni[r + 10 + dir]!, parent, ni[r + 8 + dir]!, nf[8 * parent + dir]!);
              ni[r + 4 + dir] = tx | CHAIN;
            }
            chains.append(x, dir, seq, v, e, dist, low);
            heap.push(low, seq++, x, dist, e);
            continue;
          }
          // a meeting may depend on it: decide now, after the earlier undecided offers
          if ((tx & CHAIN) !== 0) this.resolve(w, x, dir);
          let length: number;
          if ((ni[r + 4 + dir]! & EXACT) !== 0) {
            const seenX = nf[8 * x + dir]!;
            if (dist + w.baseWeight(e) >= seenX) continue;
            const bound = dist + w.weightBound(e);
            if (bound >= seenX) continue;
            length = w.boundIsExact ? bound : dist + w.weight(e);
            if (!(length < seenX)) continue;
          } else {
            // x is pending: compare bounds of the new length with bounds of the pending one,
            // the pending one first: its bound is cached with its edge, and when the new
            // length's base alone reaches its upper bound the new fee is never needed
            const pendingLower = this.boundSeen(w, dir, x);
            const pendingExact = (ni[r + 4 + dir]! & EXACT) !== 0;
            // boundSeen left w.upperBound for the pending edge
            const pendingUpper = pendingExact ? pendingLower : nf[8 * ni[r + 6 + dir]! + dir]! + w.upperBound;
            if (dist + w.baseWeight(e) >= pendingUpper) continue; // new >= pending: no relaxation
            const lower = dist + w.weightBound(e);
            const exactNew = w.boundIsExact;
            const upper = exactNew ? lower : dist + w.upperBound;
            if (!pendingExact) {
              if (lower >= pendingUpper) continue; // new >= pending: no relaxation
              if (upper < pendingLower) {
                // new < pending for sure: relax, and keep the new length deferred if inexact
                if (!exactNew) {
                  nf[8 * x + dir] = lower;
                  ni[r + 10 + dir] = seq;
                  ni[r + 6 + dir] = v;
                  ni[r + 8 + dir] = e;
                  heap.push(lower, seq++, x, dist, e, 1);
                  if (seenBoth) {
                    this.meet(w, x);
                    if (firstMeetingFinal) return this.assemble();
                  }
                  continue;
                }
                length = lower;
              } else {
                const pending = this.exactSeen(w, dir, x);
                if (lower >= pending) continue; // the new length's lower bound already loses
                length = exactNew ? lower : dist + w.weight(e);
                if (!(length < pending)) continue;
              }
            } else {
              if (lower >= nf[8 * x + dir]!) continue; // the lower bound already loses
              length = exactNew ? lower : dist + w.weight(e);
              if (!(length < nf[8 * x + dir]!)) continue;
            }
          }
          ni[r + 4 + dir] = rb | EXACT;
          nf[8 * x + dir] = length;
          ni[r + 10 + dir] = seq;
          ni[r + 6 + dir] = v;
          ni[r + 8 + dir] = e;
          heap.push(length, seq++, x, 0, -1);
          if (seenBoth) {
            this.meet(w, x);
            if (firstMeetingFinal) return this.assemble();
          }
        }
      }
      return null;
    } finally {
      // the near-tie checks' scans count as adjacency scans
      w.budget.chargeRelaxations(relaxations + Math.min(this.tieScans, TIE_SCANS));
    }
  }
}
