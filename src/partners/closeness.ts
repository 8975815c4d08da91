/**
 * Closeness centrality on a token network's full graph, exactly as networkx computes it
 * (`closeness_centrality(G)` with the default `wf_improved=True`, spec §9.2): hop distances,
 * every node and channel counted (offline nodes and empty channels too), Wasserman–Faust
 * normalisation. The graph is symmetric (every channel has both directions), so distances
 * towards a node are distances from it and one BFS per node suffices.
 */

/** A symmetric graph in CSR form: node x's neighbours are adjNode[adjStart[x] .. adjStart[x+1]). */
export interface HopGraph {
  readonly nodeCount: number;
  readonly adjStart: Uint32Array;
  readonly adjNode: Uint32Array;
}

/**
 * networkx's float expression for node u: `((r-1)/Σd) * ((r-1)/(n-1))`, where r counts the
 * nodes that reach u (u included), Σd is the sum of their distances and n the node count;
 * 0.0 when Σd is 0 or n is 1. The operations and their order are networkx's, so the double
 * is the same. With a lower bound of Σd in place of Σd it is an upper bound of the value:
 * correctly rounded division and multiplication are monotonic.
 */
export function closenessValue(reached: number, distanceSum: number, nodeCount: number): number {
  if (distanceSum <= 0 || nodeCount <= 1) return 0;
  const c = (reached - 1) / distanceSum;
  return c * ((reached - 1) / (nodeCount - 1));
}

/** Reusable BFS buffers for one graph size. */
export class Bfs {
  readonly queue: Uint32Array;
  private readonly mark: Uint32Array;
  private stamp = 0;
  /** Adjacency entries scanned so far (the work measure). */
  work = 0;

  constructor(nodeCount: number) {
    this.queue = new Uint32Array(Math.max(1, nodeCount));
    this.mark = new Uint32Array(Math.max(1, nodeCount));
  }

  /**
   * Runs a BFS from `u` level by level. After each complete level (all nodes within
   * distance d found) `stop(d, found, sum)` may end it early: `found` nodes are known, with
   * distance sum `sum`, and the rest are at least d + 1 away. Returns the distance sum and
   * the number of nodes reached, or null when stopped.
   */
  run(g: HopGraph, u: number, stop: ((d: number, found: number, sum: number) => boolean) | null = null): { sum: number; reached: number } | null {
    if (++this.stamp === 0xffffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
    const { adjStart, adjNode } = g;
    const mark = this.mark;
    const queue = this.queue;
    const stamp = this.stamp;
    mark[u] = stamp;
    queue[0] = u;
    let head = 0;
    let tail = 1;
    let sum = 0;
    let d = 0;
    while (head < tail) {
      const levelEnd = tail;
      d++;
      let scanned = 0;
      for (; head < levelEnd; head++) {
        const x = queue[head]!;
        const end = adjStart[x + 1]!;
        const start = adjStart[x]!;
        scanned += end - start;
        for (let k = start; k < end; k++) {
          const y = adjNode[k]!;
          if (mark[y] !== stamp) {
            mark[y] = stamp;
            queue[tail++] = y;
          }
        }
      }
      this.work += scanned;
      sum += d * (tail - levelEnd);
      if (tail > levelEnd && stop !== null && stop(d, tail, sum)) return null;
    }
    return { sum, reached: tail };
  }
}

/** Closeness centrality of every node (networkx order of operations); O(n·m), for tests and small graphs. */
export function closenessCentrality(g: HopGraph): Float64Array {
  const out = new Float64Array(g.nodeCount);
  const bfs = new Bfs(g.nodeCount);
  for (let u = 0; u < g.nodeCount; u++) {
    const r = bfs.run(g, u)!;
    out[u] = closenessValue(r.reached, r.sum, g.nodeCount);
  }
  return out;
}
