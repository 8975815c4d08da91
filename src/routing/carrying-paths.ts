import type { EdgeWeights } from './edge-weights.ts';
import { type YenMarks, pathKey } from './yen.ts';

/**
 * Exact early stop for searches that cannot succeed (reference weakness W3).
 *
 * A valid route must use only edges whose capacity carries the value (spec §3.6 rule 1).
 * If every simple source-target path over such edges is already among the returned
 * routes, no further candidate can ever be valid, and the reference's exhaustive Yen
 * enumeration can only end with the routes already found. This check answers that
 * question with Yen's algorithm over hop counts on the carrying subgraph, stopping at the
 * first path that is not yet returned; it produces at most |returned| + 1 paths.
 */
export class CarryingPaths {
  private stamp = 0;
  private seenStamp = new Int32Array(0);
  private parent = new Int32Array(0);
  private parentSlot = new Int32Array(0);
  private queue = new Int32Array(0);

  private ensure(nodes: number): void {
    if (nodes <= this.seenStamp.length) return;
    const n = Math.max(nodes, this.seenStamp.length * 2, 1024);
    this.seenStamp = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.parentSlot = new Int32Array(n);
    this.queue = new Int32Array(n);
    this.stamp = 0;
  }

  /** True if a simple carrying path from source to target exists that is not in `returned`. */
  existsBeyond(w: EdgeWeights, marks: YenMarks, source: number, target: number, returned: ReadonlySet<string>): boolean {
    this.ensure(w.view.topology.nodeCount);
    marks.ensure(w.view.topology.nodeCount);
    const first = this.bfs(w, marks, source, target, -1, -1, -1);
    if (first === null) return false;
    if (!returned.has(pathKey(first.nodes))) return true;

    type Entry = { nodes: number[]; slots: number[]; seq: number };
    const pending: Entry[] = [];
    const pendingKeys = new Set<string>();
    const taken: number[][] = [first.nodes];
    let seq = 0;
    let prev: { nodes: number[]; slots: number[] } = first;
    for (;;) {
      const ignoreId = marks.nextId();
      for (let i = 1; i < prev.nodes.length; i++) {
        const spurSource = prev.nodes[i - 1]!;
        const bannedId = marks.nextId();
        for (const p of taken) {
          if (p.length > i && samePrefix(p, prev.nodes, i)) marks.bannedMark[p[i]!] = bannedId;
        }
        const spur = this.bfs(w, marks, spurSource, target, ignoreId, spurSource, bannedId);
        if (spur !== null) {
          const nodes = prev.nodes.slice(0, i - 1).concat(spur.nodes);
          const key = pathKey(nodes);
          if (!returned.has(key)) return true;
          if (!pendingKeys.has(key)) {
            pendingKeys.add(key);
            pending.push({ nodes, slots: prev.slots.slice(0, i - 1).concat(spur.slots), seq: seq++ });
          }
        }
        marks.ignoreMark[spurSource] = ignoreId;
      }
      if (pending.length === 0) return false;
      // pop the shortest (fewest hops), ties by push order
      let best = 0;
      for (let k = 1; k < pending.length; k++) {
        const a = pending[k]!;
        const b = pending[best]!;
        if (a.nodes.length < b.nodes.length || (a.nodes.length === b.nodes.length && a.seq < b.seq)) best = k;
      }
      const next = pending.splice(best, 1)[0]!;
      pendingKeys.delete(pathKey(next.nodes));
      taken.push(next.nodes);
      prev = next;
    }
  }

  /** Fewest-hop carrying path, honouring ignored nodes and banned first hops. */
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
    if (++this.stamp === 0x7fffffff) {
      this.stamp = 1;
      this.seenStamp.fill(0);
    }
    const stamp = this.stamp;
    const reach = w.view.reach;
    let head = 0;
    let tail = 0;
    this.queue[tail++] = source;
    this.seenStamp[source] = stamp;
    this.parent[source] = -1;
    let relaxations = 0;
    try {
      while (head < tail) {
        const v = this.queue[head++]!;
        const end = t.adjStart[v + 1]!;
        relaxations += end - t.adjStart[v]!;
        for (let k = t.adjStart[v]!; k < end; k++) {
          const x = t.adjNode[k]!;
          if (this.seenStamp[x] === stamp) continue;
          if (reach[t.nodeKey[x]!] !== 1) continue;
          if (marks.ignoreMark[x] === ignoreId) continue;
          if (v === bannedFrom && marks.bannedMark[x] === bannedId) continue;
          const e = t.adjSlot[k]!;
          if (!w.carriesValue(e)) continue;
          this.seenStamp[x] = stamp;
          this.parent[x] = v;
          this.parentSlot[x] = e;
          if (x === target) return this.trace(target);
          this.queue[tail++] = x;
        }
      }
      return null;
    } finally {
      w.budget.chargeRelaxations(relaxations);
    }
  }

  private trace(target: number): { nodes: number[]; slots: number[] } {
    const nodes: number[] = [];
    const slots: number[] = [];
    let x = target;
    while (this.parent[x] !== -1) {
      nodes.push(x);
      slots.push(this.parentSlot[x]!);
      x = this.parent[x]!;
    }
    nodes.push(x);
    return { nodes: nodes.reverse(), slots: slots.reverse() };
  }
}

function samePrefix(a: readonly number[], b: readonly number[], length: number): boolean {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}
