import type { EdgeWeights } from './edge-weights.ts';
import { DistHeap } from './heap.ts';

/** A shortest path: its length as the reference sums it, its nodes and directed edges. */
export interface WeightedPath {
  readonly cost: number;
  readonly nodes: number[];
  /** Directed edge slot of each hop; slots[i] goes from nodes[i] to nodes[i + 1]. */
  readonly slots: number[];
}

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
 * exact distance, are skipped without computing their weight.
 */
export class BidirectionalDijkstra {
  private run = 0;
  private capacity = 0;
  private seenStamp: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private exactStamp: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private doneStamp: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private seen: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  private seenBase: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  private seenSeq: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  private parent: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private parentSlot: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private readonly heaps: [DistHeap, DistHeap] = [new DistHeap(), new DistHeap()];
  // best meeting so far (networkx's finaldist / finalpath)
  private found = false;
  private bestDist = 0;
  private meetNode = -1;
  private meetParent0 = -1;
  private meetParent1 = -1;
  private meetSlot0 = -1;
  private meetSlot1 = -1;

  /** Makes room for `nodes` nodes. */
  ensure(nodes: number): void {
    if (nodes <= this.capacity) return;
    const n = Math.max(nodes, this.capacity * 2, 1024);
    this.capacity = n;
    const i32 = (): [Int32Array, Int32Array] => [new Int32Array(n), new Int32Array(n)];
    const f64 = (): [Float64Array, Float64Array] => [new Float64Array(n), new Float64Array(n)];
    this.seenStamp = i32();
    this.exactStamp = i32();
    this.doneStamp = i32();
    this.seen = f64();
    this.seenBase = f64();
    this.seenSeq = f64();
    this.parent = i32();
    this.parentSlot = i32();
    this.run = 0;
  }

  private nextRun(): number {
    if (++this.run === 0x7fffffff) {
      this.run = 1;
      for (const a of [...this.seenStamp, ...this.exactStamp, ...this.doneStamp]) a.fill(0);
    }
    return this.run;
  }

  /** Exact seen distance of x in direction d, computing a deferred weight if needed. */
  private exactSeen(w: EdgeWeights, d: number, x: number): number {
    const seen = this.seen[d]!;
    if (this.exactStamp[d]![x] === this.run) return seen[x]!;
    const exact = this.seenBase[d]![x]! + w.weight(d === 0 ? this.parentSlot[0][x]! : this.parentSlot[1][x]!);
    seen[x] = exact;
    this.exactStamp[d]![x] = this.run;
    return exact;
  }

  /** A lower bound of x's seen distance in direction d, refined cheaply when pending. */
  private boundSeen(w: EdgeWeights, d: number, x: number): number {
    const seen = this.seen[d]!;
    if (this.exactStamp[d]![x] === this.run) return seen[x]!;
    const bound = this.seenBase[d]![x]! + w.weightBound(this.parentSlot[d]![x]!);
    if (w.boundIsExact) this.exactStamp[d]![x] = this.run;
    if (bound > seen[x]!) seen[x] = bound;
    return seen[x]!;
  }

  /**
   * x is now seen in both directions: networkx takes this meeting if it is the first or
   * strictly shorter than the best. Lower bounds decide most cases without the exact
   * weights (float addition is monotonic, so a bound sum >= best rules it out).
   */
  private meet(w: EdgeWeights, x: number): void {
    if (this.found) {
      if (!(this.seen[0][x]! + this.seen[1][x]! < this.bestDist)) return;
      if (!(this.boundSeen(w, 0, x) + this.boundSeen(w, 1, x) < this.bestDist)) return;
    }
    const total = this.exactSeen(w, 0, x) + this.exactSeen(w, 1, x);
    if (!this.found || this.bestDist > total) {
      this.found = true;
      this.bestDist = total;
      this.meetNode = x;
      this.meetParent0 = this.parent[0][x]!;
      this.meetSlot0 = this.parentSlot[0][x]!;
      this.meetParent1 = this.parent[1][x]!;
      this.meetSlot1 = this.parentSlot[1][x]!;
    }
  }

  /** Shortest path from `source` to `target`, or null (NetworkXNoPath). */
  search(w: EdgeWeights, source: number, target: number, ex: Exclusions | null): WeightedPath | null {
    if (ex !== null && (ex.ignoreMark[source] === ex.ignoreId || ex.ignoreMark[target] === ex.ignoreId)) return null;
    if (source === target) return { cost: 0, nodes: [source], slots: [] };
    const topology = w.view.topology;
    this.ensure(topology.nodeCount);
    const run = this.nextRun();
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

    for (const [d, start] of [[0, source], [1, target]] as const) {
      this.seenStamp[d][start] = run;
      this.exactStamp[d][start] = run;
      this.seen[d][start] = 0;
      this.parent[d][start] = -1;
    }
    const heap0 = this.heaps[0];
    const heap1 = this.heaps[1];
    heap0.clear();
    heap1.clear();
    let seq = 0;
    heap0.push(0, seq++, source, 0, -1);
    heap1.push(0, seq++, target, 0, -1);

    this.found = false;
    this.bestDist = 0;
    let relaxations = 0;
    let dir = 1;
    try {
      while (heap0.size > 0 && heap1.size > 0) {
        dir = 1 - dir;
        const other = 1 - dir;
        const heap = this.heaps[dir]!;
        const seen = this.seen[dir]!;
        const seenStamp = this.seenStamp[dir]!;
        const exactStamp = this.exactStamp[dir]!;
        const seenBase = this.seenBase[dir]!;
        const seenSeq = this.seenSeq[dir]!;
        const parent = this.parent[dir]!;
        const parentSlot = this.parentSlot[dir]!;
        const done = this.doneStamp[dir]!;
        // Refine provisional entries at the top until the top's key is exact: first a
        // cheap lower bound (often already exact), then the exact weight.
        for (;;) {
          const edge = heap.topEdge();
          if (edge === -1) break;
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
          if (seenSeq[x] === heap.topSeq() && exactStamp[x] !== run) {
            seen[x] = key;
            if (exact) exactStamp[x] = run;
          }
          if (exact && key === heap.topKey()) break;
          heap.settleTop(key, exact);
        }
        const dist = heap.topKey();
        const v = heap.topNode();
        heap.pop();
        if (done[v] === run) continue;
        done[v] = run;
        if (this.doneStamp[other]![v] === run) {
          return this.found ? this.assemble() : null;
        }
        const otherSeenStamp = this.seenStamp[other]!;
        const end = adjStart[v + 1]!;
        relaxations += end - adjStart[v]!;
        for (let k = adjStart[v]!; k < end; k++) {
          const x = adjNode[k]!;
          if (reach[nodeKey[x]!] !== 1) continue;
          if (ignoreMark !== undefined && ignoreMark[x] === ignoreId) continue;
          let e: number;
          if (dir === 0) {
            if (v === bannedFrom && bannedMark![x] === bannedId) continue;
            e = adjSlot[k]!;
          } else {
            if (x === bannedFrom && bannedMark![v] === bannedId) continue;
            e = adjSlot[k]! ^ 1;
          }
          if (done[x] === run) continue;
          const seenBoth = otherSeenStamp[x] === run;
          if (seenStamp[x] !== run) {
            // first sighting: provisional entry, exact weight deferred
            seenStamp[x] = run;
            seen[x] = dist + w.baseWeight(e);
            seenBase[x] = dist;
            seenSeq[x] = seq;
            parent[x] = v;
            parentSlot[x] = e;
            heap.push(seen[x]!, seq++, x, dist, e);
            if (seenBoth) this.meet(w, x);
            continue;
          }
          let length: number;
          if (exactStamp[x] === run) {
            if (dist + w.baseWeight(e) >= seen[x]!) continue;
            const bound = dist + w.weightBound(e);
            if (bound >= seen[x]!) continue;
            length = w.boundIsExact ? bound : dist + w.weight(e);
            if (!(length < seen[x]!)) continue;
          } else {
            // x is pending: compare bounds of the new length with bounds of the pending one
            const lower = dist + w.weightBound(e);
            const exactNew = w.boundIsExact;
            const upper = exactNew ? lower : dist + w.upperBound;
            const pendingLower = this.boundSeen(w, dir, x);
            if (exactStamp[x] !== run) {
              const pendingUpper = seenBase[x]! + w.upperBound;
              if (lower >= pendingUpper) continue; // new >= pending: no relaxation
              if (upper < pendingLower) {
                // new < pending for sure: relax, and keep the new length deferred if inexact
                if (!exactNew) {
                  seen[x] = lower;
                  seenBase[x] = dist;
                  seenSeq[x] = seq;
                  parent[x] = v;
                  parentSlot[x] = e;
                  heap.push(lower, seq++, x, dist, e, 1);
                  if (seenBoth) this.meet(w, x);
                  continue;
                }
                length = lower;
              } else {
                length = exactNew ? lower : dist + w.weight(e);
                if (!(length < this.exactSeen(w, dir, x))) continue;
              }
            } else {
              length = exactNew ? lower : dist + w.weight(e);
              if (!(length < seen[x]!)) continue;
            }
          }
          exactStamp[x] = run;
          seen[x] = length;
          seenSeq[x] = seq;
          parent[x] = v;
          parentSlot[x] = e;
          heap.push(length, seq++, x, 0, -1);
          if (seenBoth) this.meet(w, x);
        }
      }
      return null;
    } finally {
      w.budget.chargeRelaxations(relaxations);
    }
  }

  /**
   * Rebuilds the meeting path: source ... meet ... target. Parents of settled nodes never
   * change, so the chains above the recorded parents are the ones the reference copied.
   */
  private assemble(): WeightedPath {
    const cost = this.bestDist;
    const meet = this.meetNode;
    const p0 = this.meetParent0;
    const s0 = this.meetSlot0;
    const p1 = this.meetParent1;
    const s1 = this.meetSlot1;
    const head: number[] = [];
    const headSlots: number[] = [];
    if (p0 !== -1) {
      headSlots.push(s0);
      let x = p0;
      for (;;) {
        head.push(x);
        const up = this.parent[0][x]!;
        if (up === -1) break;
        headSlots.push(this.parentSlot[0][x]!);
        x = up;
      }
    }
    head.reverse();
    headSlots.reverse();
    const nodes = head;
    const slots = headSlots;
    nodes.push(meet);
    if (p1 !== -1) {
      slots.push(s1);
      let x = p1;
      for (;;) {
        nodes.push(x);
        const down = this.parent[1][x]!;
        if (down === -1) break;
        slots.push(this.parentSlot[1][x]!);
        x = down;
      }
    }
    return { cost, nodes, slots };
  }
}
