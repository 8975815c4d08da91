import type { EdgeWeights } from './edge-weights.ts';

/**
 * The nodes with a path of finite weight to the request's target, for the searches of
 * the infinite regime (reference weakness W3).
 *
 * Why it helps: networkx's bidirectional Dijkstra keeps the first meeting of the two
 * searches and replaces it only by a strictly shorter one. From a node with no finite
 * path to the target every meeting totals +Infinity, so the first meeting is the answer;
 * and once the searches have met, the search ends with that answer (the target is
 * forward-reachable, so the forward search cannot run dry before settling a node the
 * backward search settled). Such a search may therefore stop at the first meeting instead
 * of settling nodes until both sides touch, which is where enumerations of candidates of
 * infinite cost spend their time: the reference's answer is unchanged, only the work.
 * Exclusions only remove nodes and edges, so "no finite path" in the whole pruned graph
 * holds for every spur search too. Diversity penalties are finite, so the region is the
 * same in every round of a request.
 *
 * The region is found by a backward breadth-first search from the target over edges of
 * finite weight. It is computed once per request, only after some search has met a path
 * of infinite cost (otherwise the region is usually most of the network), and only if it
 * is small: beyond `limit` adjacency entries it stays unknown and nothing is stopped early.
 */
export class FiniteRegion {
  private mark = new Int32Array(0);
  private stamp = 0;
  private queue = new Int32Array(0);
  /** 0: not computed in this request; 1: known; 2: too large (unknown). */
  private state = 0;
  private requestId = -1;
  private weights: EdgeWeights | null = null;

  /** Starts a request (forgets the previous region). */
  begin(w: EdgeWeights): void {
    this.weights = w;
    this.requestId = w.requestId;
    this.state = 0;
  }

  /** True if `node` is known to have no finite path to `target` (see the class comment). */
  noFinitePath(node: number): boolean {
    return this.state === 1 && this.mark[node] !== this.stamp;
  }

  /**
   * Computes the region of `target` if not yet attempted in this request. The adjacency
   * entries scanned are charged to the request's budget like any search.
   */
  prepare(target: number, limit: number): void {
    const w = this.weights;
    if (this.state !== 0 || w === null || w.requestId !== this.requestId) return;
    this.state = 2;
    const t = w.view.topology;
    const n = t.nodeCount;
    if (this.mark.length < n) {
      this.mark = new Int32Array(Math.max(n, 1024));
      this.queue = new Int32Array(Math.max(n, 1024));
      this.stamp = 0;
    }
    if (++this.stamp === 0x7fffffff) {
      this.stamp = 1;
      this.mark.fill(0);
    }
    const stamp = this.stamp;
    const reach = w.view.reach;
    const mark = this.mark;
    const queue = this.queue;
    let head = 0;
    let tail = 0;
    mark[target] = stamp;
    queue[tail++] = target;
    let scanned = 0;
    try {
      while (head < tail) {
        const v = queue[head++]!;
        const end = t.adjStart[v + 1]!;
        scanned += end - t.adjStart[v]!;
        if (scanned > limit) return; // too large: stays unknown
        for (let k = t.adjStart[v]!; k < end; k++) {
          const y = t.adjNode[k]!;
          if (mark[y] === stamp || reach[t.nodeKey[y]!] !== 1) continue;
          // the edge y -> v; its weight is cached for the request, and the searches reuse it
          if (w.weight(t.adjSlot[k]! ^ 1) === Infinity) continue;
          mark[y] = stamp;
          queue[tail++] = y;
        }
      }
      this.state = 1;
    } finally {
      w.budget.chargeRelaxations(Math.min(scanned, limit + 1));
    }
  }
}
