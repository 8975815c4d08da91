import type { EdgeWeights } from './edge-weights.ts';
import { type YenMarks, pathKey } from './yen.ts';

/** What a survey of the carrying paths found (see CarryingPaths.survey). */
export type Survey =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly nodes: number[]; readonly slots: number[]; readonly fee: bigint }
  | { readonly kind: 'many' }
  | { readonly kind: 'unknown' };

/**
 * Exact shortcuts for searches that would enumerate for a long time (reference weakness W3).
 *
 * A valid route must use only edges whose capacity carries the value (spec §3.6 rule 1),
 * and the reference's Yen generator eventually yields every simple path. So, counting the
 * valid carrying paths that are not yet returned:
 * - none: no further candidate can ever be valid; the reference ends with the routes found;
 * - exactly one: it is the first valid candidate of this round, whatever the enumeration
 *   order, and no valid candidate remains after it;
 * - two or more: their order matters, and the caller keeps emulating the reference.
 * The carrying paths are enumerated with Yen's algorithm over hop counts on the carrying
 * subgraph, which is complete; a limit on the paths examined keeps the survey cheap
 * (beyond it the answer is "unknown").
 */
export class CarryingPaths {
  private stamp = 0;
  private seenStamp = new Int32Array(0);
  private parent = new Int32Array(0);
  private parentSlot = new Int32Array(0);
  private queue = new Int32Array(0);
  private backQueue = new Int32Array(0);
  private backParent = new Int32Array(0);
  private backSlot = new Int32Array(0);
  /** Relaxations the current survey may still spend before it answers "unknown". */
  private allowance = 0;

  private ensure(nodes: number): void {
    if (nodes <= this.seenStamp.length) return;
    const n = Math.max(nodes, this.seenStamp.length * 2, 1024);
    this.seenStamp = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.parentSlot = new Int32Array(n);
    this.queue = new Int32Array(n);
    this.backQueue = new Int32Array(n);
    this.backParent = new Int32Array(n);
    this.backSlot = new Int32Array(n);
    this.stamp = 0;
  }

  /**
   * Surveys the simple carrying paths from source to target that are not in `returned`,
   * validating each with `validate` (the fee estimate, null when invalid).
   */
  survey(
    w: EdgeWeights,
    marks: YenMarks,
    source: number,
    target: number,
    returned: ReadonlySet<string>,
    validate: (nodes: number[], slots: number[]) => bigint | null,
    limit: number,
    relaxationLimit: number,
  ): Survey {
    this.ensure(w.view.topology.nodeCount);
    marks.ensure(w.view.topology.nodeCount);
    this.allowance = relaxationLimit;
    const first = this.bfs(w, marks, source, target, -1, -1, -1);
    if (first === null) return this.allowance < 0 ? { kind: 'unknown' } : { kind: 'none' };

    type Entry = { nodes: number[]; slots: number[]; seq: number };
    const pending: Entry[] = [];
    const pendingKeys = new Set<string>();
    const taken: number[][] = [];
    let valid: { nodes: number[]; slots: number[]; fee: bigint } | null = null;
    let seq = 0;
    let next: { nodes: number[]; slots: number[] } | null = first;
    while (next !== null) {
      const prev = next;
      taken.push(prev.nodes);
      if (taken.length > limit) return { kind: 'unknown' };
      if (!returned.has(pathKey(prev.nodes))) {
        const fee = validate(prev.nodes, prev.slots);
        if (fee !== null) {
          if (valid !== null) return { kind: 'many' };
          valid = { nodes: prev.nodes, slots: prev.slots, fee };
        }
      }
      const ignoreId = marks.nextId();
      for (let i = 1; i < prev.nodes.length; i++) {
        const spurSource = prev.nodes[i - 1]!;
        const bannedId = marks.nextId();
        for (const p of taken) {
          if (p.length > i && samePrefix(p, prev.nodes, i)) marks.bannedMark[p[i]!] = bannedId;
        }
        const spur = this.bfs(w, marks, spurSource, target, ignoreId, spurSource, bannedId);
        if (this.allowance < 0) return { kind: 'unknown' };
        if (spur !== null) {
          const nodes = prev.nodes.slice(0, i - 1).concat(spur.nodes);
          const key = pathKey(nodes);
          if (!pendingKeys.has(key)) {
            pendingKeys.add(key);
            pending.push({ nodes, slots: prev.slots.slice(0, i - 1).concat(spur.slots), seq: seq++ });
          }
        }
        marks.ignoreMark[spurSource] = ignoreId;
      }
      next = null;
      if (pending.length > 0) {
        // the shortest (fewest hops) next, ties by push order
        let best = 0;
        for (let k = 1; k < pending.length; k++) {
          const a = pending[k]!;
          const b = pending[best]!;
          if (a.nodes.length < b.nodes.length || (a.nodes.length === b.nodes.length && a.seq < b.seq)) best = k;
        }
        next = pending.splice(best, 1)[0]!;
        pendingKeys.delete(pathKey(next.nodes));
      }
    }
    return valid === null ? { kind: 'none' } : { kind: 'one', ...valid };
  }

  /**
   * A fewest-hop carrying path, honouring ignored nodes and banned first hops: a
   * level-synchronous bidirectional breadth-first search that always expands the smaller
   * fringe, so it meets in the middle instead of flooding the network from one end.
   */
  private bfs(
    w: EdgeWeights,
    marks: YenMarks,
    source: number,
    target: number,
    ignoreId: number,
    bannedFrom: number,
    bannedId: number,
  ): { nodes: number[]; slots: number[] } | null {
    if (marks.ignoreMark[source] === ignoreId || marks.ignoreMark[target] === ignoreId) return null;
    if (source === target) return { nodes: [source], slots: [] };
    const t = w.view.topology;
    this.stamp += 2;
    if (this.stamp >= 0x7ffffff0) {
      this.stamp = 2;
      this.seenStamp.fill(0);
    }
    const forwardMark = this.stamp; // seen from the source
    const backwardMark = this.stamp + 1; // seen from the target
    const reach = w.view.reach;
    const q = this.queue;
    const back = this.backQueue;
    this.seenStamp[source] = forwardMark;
    this.parent[source] = -1;
    this.seenStamp[target] = backwardMark;
    this.backParent[target] = -1;
    let fHead = 0;
    let fTail = 0;
    let bHead = 0;
    let bTail = 0;
    q[fTail++] = source;
    back[bTail++] = target;
    let relaxations = 0;
    try {
      while (fHead < fTail && bHead < bTail) {
        if (relaxations > this.allowance) return null; // out of work: caller sees allowance < 0
        if (fTail - fHead <= bTail - bHead) {
          // one forward level
          const end = fTail;
          while (fHead < end) {
            const v = q[fHead++]!;
            const stop = t.adjStart[v + 1]!;
            relaxations += stop - t.adjStart[v]!;
            for (let k = t.adjStart[v]!; k < stop; k++) {
              const x = t.adjNode[k]!;
              const mark = this.seenStamp[x];
              if (mark === forwardMark) continue;
              if (reach[t.nodeKey[x]!] !== 1 || marks.ignoreMark[x] === ignoreId) continue;
              if (v === bannedFrom && marks.bannedMark[x] === bannedId) continue;
              const e = t.adjSlot[k]!;
              if (!w.carriesValue(e)) continue;
              if (mark === backwardMark) return this.join(v, e, x);
              this.seenStamp[x] = forwardMark;
              this.parent[x] = v;
              this.parentSlot[x] = e;
              q[fTail++] = x;
            }
          }
        } else {
          // one backward level: predecessors y of v with a carrying edge y -> v
          const end = bTail;
          while (bHead < end) {
            const v = back[bHead++]!;
            const stop = t.adjStart[v + 1]!;
            relaxations += stop - t.adjStart[v]!;
            for (let k = t.adjStart[v]!; k < stop; k++) {
              const y = t.adjNode[k]!;
              const mark = this.seenStamp[y];
              if (mark === backwardMark) continue;
              if (reach[t.nodeKey[y]!] !== 1 || marks.ignoreMark[y] === ignoreId) continue;
              if (y === bannedFrom && marks.bannedMark[v] === bannedId) continue;
              const e = t.adjSlot[k]! ^ 1;
              if (!w.carriesValue(e)) continue;
              if (mark === forwardMark) return this.join(y, e, v);
              this.seenStamp[y] = backwardMark;
              this.backParent[y] = v;
              this.backSlot[y] = e;
              back[bTail++] = y;
            }
          }
        }
      }
      return null;
    } finally {
      this.allowance -= relaxations;
      w.budget.chargeRelaxations(relaxations);
    }
  }

  /** The path source ... u -> x ... target where u is seen forward and x backward. */
  private join(u: number, e: number, x: number): { nodes: number[]; slots: number[] } {
    const nodes: number[] = [];
    const slots: number[] = [];
    let y = u;
    while (this.parent[y] !== -1) {
      nodes.push(y);
      slots.push(this.parentSlot[y]!);
      y = this.parent[y]!;
    }
    nodes.push(y);
    nodes.reverse();
    slots.reverse();
    slots.push(e);
    y = x;
    for (;;) {
      nodes.push(y);
      const down = this.backParent[y]!;
      if (down === -1) break;
      slots.push(this.backSlot[y]!);
      y = down;
    }
    return { nodes, slots };
  }
}

function samePrefix(a: readonly number[], b: readonly number[], length: number): boolean {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}
