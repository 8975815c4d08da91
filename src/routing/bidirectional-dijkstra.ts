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
 * exactly the reference's pruning. Edges into nodes already settled in the current
 * direction are skipped before their weight is computed, and so are edges whose lower
 * bound (1 + diversity term) cannot improve the neighbour; neither changes any outcome.
 */
export class BidirectionalDijkstra {
  private run = 0;
  private capacity = 0;
  private seenStamp: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private doneStamp: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private seen: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  private parent: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private parentSlot: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  private readonly heaps: [DistHeap, DistHeap] = [new DistHeap(), new DistHeap()];

  /** Makes room for `nodes` nodes. */
  ensure(nodes: number): void {
    if (nodes <= this.capacity) return;
    const n = Math.max(nodes, this.capacity * 2, 1024);
    this.capacity = n;
    this.seenStamp = [new Int32Array(n), new Int32Array(n)];
    this.doneStamp = [new Int32Array(n), new Int32Array(n)];
    this.seen = [new Float64Array(n), new Float64Array(n)];
    this.parent = [new Int32Array(n), new Int32Array(n)];
    this.parentSlot = [new Int32Array(n), new Int32Array(n)];
    this.run = 0;
  }

  private nextRun(): number {
    if (++this.run === 0x7fffffff) {
      this.run = 1;
      for (const a of this.seenStamp) a.fill(0);
      for (const a of this.doneStamp) a.fill(0);
    }
    return this.run;
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

    const [seenStamp0, seenStamp1] = this.seenStamp;
    const [seen0, seen1] = this.seen;
    const [parent0, parent1] = this.parent;
    const [parentSlot0, parentSlot1] = this.parentSlot;
    seenStamp0[source] = run;
    seen0[source] = 0;
    parent0[source] = -1;
    seenStamp1[target] = run;
    seen1[target] = 0;
    parent1[target] = -1;
    const heap0 = this.heaps[0];
    const heap1 = this.heaps[1];
    heap0.clear();
    heap1.clear();
    let seq = 0;
    heap0.push(0, seq++, source);
    heap1.push(0, seq++, target);

    let found = false;
    let bestDist = 0;
    let meet = -1;
    let meetParent0 = -1;
    let meetParent1 = -1;
    let meetSlot0 = -1;
    let meetSlot1 = -1;
    let relaxations = 0;
    let dir = 1;
    try {
      while (heap0.size > 0 && heap1.size > 0) {
        dir = 1 - dir;
        const heap = this.heaps[dir]!;
        const dist = heap.topDist();
        const v = heap.topNode();
        heap.pop();
        const done = this.doneStamp[dir]!;
        if (done[v] === run) continue;
        done[v] = run;
        if (this.doneStamp[1 - dir]![v] === run) {
          return found ? this.assemble(bestDist, meet, meetParent0, meetSlot0, meetParent1, meetSlot1) : null;
        }
        const seenStamp = this.seenStamp[dir]!;
        const seen = this.seen[dir]!;
        const parent = this.parent[dir]!;
        const parentSlot = this.parentSlot[dir]!;
        const otherStamp = this.seenStamp[1 - dir]!;
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
          const isSeen = seenStamp[x] === run;
          if (isSeen && dist + w.baseWeight(e) >= seen[x]!) continue;
          const length = dist + w.weight(e);
          if (isSeen && !(length < seen[x]!)) continue;
          seenStamp[x] = run;
          seen[x] = length;
          heap.push(length, seq++, x);
          parent[x] = v;
          parentSlot[x] = e;
          if (otherStamp[x] === run) {
            const total = seen0[x]! + seen1[x]!;
            if (!found || bestDist > total) {
              found = true;
              bestDist = total;
              meet = x;
              meetParent0 = parent0[x]!;
              meetSlot0 = parentSlot0[x]!;
              meetParent1 = parent1[x]!;
              meetSlot1 = parentSlot1[x]!;
            }
          }
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
  private assemble(
    cost: number,
    meet: number,
    p0: number,
    s0: number,
    p1: number,
    s1: number,
  ): WeightedPath {
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
