import type { Address } from '../../src/domain/index.ts';
import type { Channel, FeeSchedule, TokenNetworkState } from '../../src/graph/index.ts';
import { amountWithFeesReference } from '../../src/routing/fees-reference.ts';
import { mediatorCapsFees } from '../../src/routing/fees.ts';

/**
 * A slow, literal transcription of the reference's `get_paths` (spec §3.2-§3.6) for
 * differential tests of the fast search on networks too large for the Python oracle:
 * the pruned graph is rebuilt as insertion-ordered maps, every edge weight of the pruned
 * graph is computed eagerly before every round with the exact rational fee routine,
 * networkx's bidirectional Dijkstra and Yen's generator are written out with their heaps
 * of tuples, and path validity uses the exact backward fee. Nothing here shares code with
 * the search under test except the exact fee transcription (itself tested against the
 * spec's examples) and the W9 capping rule (a documented deviation).
 */

/** Outcome of the slow search: routes (node addresses and fees), or the candidate limit hit. */
export type SlowOutcome =
  | { readonly kind: 'routes'; readonly paths: Address[][]; readonly fees: bigint[] }
  | { readonly kind: 'limit' };

interface EdgeView {
  readonly capacity: bigint;
  readonly partnerCapacity: bigint;
  readonly sender: FeeSchedule;
  readonly receiver: FeeSchedule;
  readonly channel: bigint;
}

/** Directed insertion-ordered graph (networkx DiGraph: node, succ and pred dicts). */
class DiGraph {
  readonly nodes = new Map<number, true>();
  readonly succ = new Map<number, Map<number, EdgeView>>();
  readonly pred = new Map<number, Map<number, EdgeView>>();

  addEdge(u: number, v: number, view: EdgeView): void {
    for (const x of [u, v]) {
      if (!this.nodes.has(x)) {
        this.nodes.set(x, true);
        this.succ.set(x, new Map());
        this.pred.set(x, new Map());
      }
    }
    this.succ.get(u)!.set(v, view);
    this.pred.get(v)!.set(u, view);
  }
}

function viewOf(channel: Channel, from: number): EdgeView {
  const s = channel.nodes[0] === from ? 0 : 1;
  const mine = channel.sides[s];
  const theirs = channel.sides[1 - s]!;
  return { capacity: mine.capacity, partnerCapacity: theirs.capacity, sender: mine.fee.schedule, receiver: theirs.fee.schedule, channel: channel.id };
}

/** The full graph G of spec §3.1: pairs in the order their edges were added. */
function fullGraph(state: TokenNetworkState): DiGraph {
  const g = new DiGraph();
  for (let x = 0; x < state.nodes.length; x++) {
    g.nodes.set(x, true);
    g.succ.set(x, new Map());
    g.pred.set(x, new Map());
  }
  for (const pair of state.pairEdges()) {
    const channel = pair.channels[pair.channels.length - 1]!;
    const [p1, p2] = channel.nodes;
    g.addEdge(p1, p2, viewOf(channel, p1));
    g.addEdge(p2, p1, viewOf(channel, p2));
  }
  return g;
}

/** Spec §3.2. */
function prune(g: DiGraph, reachable: (x: number) => boolean): DiGraph {
  const p = new DiGraph();
  for (const u of g.nodes.keys()) {
    for (const [v, view] of g.succ.get(u)!) {
      if (!reachable(u) || !reachable(v)) continue;
      p.addEdge(u, v, view);
      p.addEdge(v, u, g.succ.get(v)!.get(u)!);
    }
  }
  return p;
}

/** Spec §3.3. */
function weightOf(view: EdgeView, value: bigint, visited: number, fp: number): number {
  const forced = (s: FeeSchedule): FeeSchedule => ({ ...s, capFees: true });
  const withFees = amountWithFeesReference({
    amount: value,
    balanceIn: view.capacity,
    balanceOut: view.capacity,
    receivable: view.capacity,
    scheduleIn: forced(view.receiver),
    scheduleOut: forced(view.sender),
    capFees: true,
  });
  if (withFees === null) return Infinity;
  const feeWeight = (Number(withFees - value) / 1e18) * fp;
  const noRefund = view.partnerCapacity < BigInt(Math.trunc(Number(value) * 1.1)) ? 1 : 0;
  return 1 + visited + feeWeight + noRefund;
}

type Tuple = [number, number, number]; // (dist, seq, node)

function less(a: Tuple, b: Tuple): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** heapq with tuple order (any correct heap pops the same order: seq is unique). */
class TupleHeap {
  readonly items: Tuple[] = [];
  push(t: Tuple): void {
    const h = this.items;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Tuple {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= h.length) break;
        if (c + 1 < h.length && less(h[c + 1]!, h[c]!)) c++;
        if (!less(h[c]!, h[i]!)) break;
        [h[i], h[c]] = [h[c]!, h[i]!];
        i = c;
      }
    }
    return top;
  }
  get size(): number {
    return this.items.length;
  }
}

class NoPathError extends Error {}

/** networkx 2.8.7 `_bidirectional_dijkstra` (spec §3.5 a). */
function bidirectionalDijkstra(
  g: DiGraph,
  weight: (u: number, v: number) => number,
  source: number,
  target: number,
  ignoreNodes: Set<number> | null,
  ignoreEdges: Set<string> | null,
): [number, number[]] {
  if (ignoreNodes !== null && (ignoreNodes.has(source) || ignoreNodes.has(target))) throw new NoPathError();
  if (source === target) return [0, [source]];
  const dists: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
  const paths: [Map<number, number[]>, Map<number, number[]>] = [new Map([[source, [source]]]), new Map([[target, [target]]])];
  const fringe: [TupleHeap, TupleHeap] = [new TupleHeap(), new TupleHeap()];
  const seen: [Map<number, number>, Map<number, number>] = [new Map([[source, 0]]), new Map([[target, 0]])];
  let seq = 0;
  fringe[0].push([0, seq++, source]);
  fringe[1].push([0, seq++, target]);
  let finalpath: number[] = [];
  let finaldist = 0;
  let dir = 1;
  while (fringe[0].size > 0 && fringe[1].size > 0) {
    dir = 1 - dir;
    const [dist, , v] = fringe[dir]!.pop();
    if (dists[dir]!.has(v)) continue;
    dists[dir]!.set(v, dist);
    if (dists[1 - dir]!.has(v)) return [finaldist, finalpath];
    const neighbours = dir === 0 ? g.succ.get(v)! : g.pred.get(v)!;
    for (const w of neighbours.keys()) {
      if (ignoreNodes !== null && ignoreNodes.has(w)) continue;
      if (ignoreEdges !== null && ignoreEdges.has(dir === 0 ? `${v},${w}` : `${w},${v}`)) continue;
      const length = dir === 0 ? dist + weight(v, w) : dist + weight(w, v);
      if (dists[dir]!.has(w)) continue;
      const s = seen[dir]!.get(w);
      if (s === undefined || length < s) {
        seen[dir]!.set(w, length);
        fringe[dir]!.push([length, seq++, w]);
        paths[dir]!.set(w, [...paths[dir]!.get(v)!, w]);
        if (seen[0].has(w) && seen[1].has(w)) {
          const total = seen[0].get(w)! + seen[1].get(w)!;
          if (finalpath.length === 0 || finaldist > total) {
            finaldist = total;
            finalpath = [...paths[0].get(w)!, ...[...paths[1].get(w)!].reverse().slice(1)];
          }
        }
      }
    }
  }
  throw new NoPathError();
}

/** networkx `shortest_simple_paths` with weights (spec §3.5 b), as a generator. */
function* shortestSimplePaths(g: DiGraph, weight: (u: number, v: number) => number, source: number, target: number): Generator<{ cost: number; path: number[] }> {
  const listA: number[][] = [];
  const heap: [number, number, number[]][] = [];
  const pathset = new Set<string>();
  let counter = 0;
  const before = (a: [number, number, number[]], b: [number, number, number[]]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const push = (cost: number, path: number[]) => {
    const key = path.join(',');
    if (pathset.has(key)) return;
    heap.push([cost, counter++, path]);
    pathset.add(key);
  };
  const pop = (): [number, number, number[]] => {
    let best = 0;
    for (let i = 1; i < heap.length; i++) if (before(heap[i]!, heap[best]!)) best = i;
    const [entry] = heap.splice(best, 1);
    pathset.delete(entry![2].join(','));
    return entry!;
  };
  let prev: number[] | null = null;
  for (;;) {
    if (prev === null) {
      const [length, path] = bidirectionalDijkstra(g, weight, source, target, null, null);
      push(length, path);
    } else {
      const ignoreNodes = new Set<number>();
      const ignoreEdges = new Set<string>();
      for (let i = 1; i < prev.length; i++) {
        const root = prev.slice(0, i);
        let rootLength = 0;
        for (let k = 0; k + 1 < root.length; k++) rootLength = rootLength + weight(root[k]!, root[k + 1]!);
        for (const path of listA) {
          if (path.length > i && root.every((x, k) => path[k] === x)) ignoreEdges.add(`${path[i - 1]},${path[i]}`);
        }
        try {
          const [length, spur] = bidirectionalDijkstra(g, weight, root[root.length - 1]!, target, ignoreNodes, ignoreEdges);
          push(rootLength + length, [...root.slice(0, -1), ...spur]);
        } catch (e) {
          if (!(e instanceof NoPathError)) throw e;
        }
        ignoreNodes.add(root[root.length - 1]!);
      }
    }
    if (heap.length === 0) return;
    const [cost, , path] = pop();
    yield { cost, path };
    listA.push(path);
    prev = path;
  }
}

/** Spec §3.6 (with the W9 capping rule); the fee, or null when invalid. */
function validate(g: DiGraph, nodes: number[], value: bigint): bigint | null {
  const views = nodes.slice(0, -1).map((x, i) => g.succ.get(x)!.get(nodes[i + 1]!)!);
  for (const v of views) if (v.capacity < value) return null;
  let total = value;
  let fee = 0n;
  for (let j = nodes.length - 2; j >= 1; j--) {
    const incoming = views[j - 1]!;
    const outgoing = views[j]!;
    const withFees = amountWithFeesReference({
      amount: total,
      balanceIn: incoming.partnerCapacity,
      balanceOut: outgoing.capacity,
      receivable: incoming.capacity,
      scheduleIn: incoming.receiver,
      scheduleOut: outgoing.sender,
      capFees: mediatorCapsFees(incoming.receiver, outgoing.sender),
    });
    if (withFees === null) return null;
    fee += withFees - total;
    total = withFees;
  }
  return fee;
}

/**
 * The reference's `get_paths` (spec §3.4) on an already quick-checked request. Gives up
 * with `limit` after `maxCandidates` candidates in all rounds.
 */
export function slowGetPaths(
  state: TokenNetworkState,
  reachable: (a: Address) => boolean,
  q: { source: Address; target: Address; value: bigint; maxPaths: number; diversityPenalty: number; feePenalty: number },
  maxCandidates: number,
): SlowOutcome {
  const g = fullGraph(state);
  const pruned = prune(g, (x) => reachable(state.nodes[x]!));
  const source = state.nodeId(q.source);
  const target = state.nodeId(q.target);
  if (source === undefined || target === undefined || !pruned.nodes.has(source) || !pruned.nodes.has(target)) {
    return { kind: 'routes', paths: [], fees: [] };
  }
  const visited = new Map<bigint, number>();
  const found: { nodes: number[]; fee: bigint }[] = [];
  let candidates = 0;
  try {
    rounds: while (found.length < q.maxPaths) {
      // every weight of this round (memoised: a pure function of the edge and the round)
      const weights = new Map<string, number>();
      const weight = (u: number, v: number) => {
        const key = `${u},${v}`;
        let w = weights.get(key);
        if (w === undefined) {
          const view = pruned.succ.get(u)!.get(v)!;
          w = weightOf(view, q.value, visited.get(view.channel) ?? 0, q.feePenalty);
          weights.set(key, w);
        }
        return w;
      };
      for (const { path: candidate } of shortestSimplePaths(pruned, weight, source, target)) {
        if (++candidates > maxCandidates) return { kind: 'limit' };
        if (found.some((f) => f.nodes.join() === candidate.join())) continue;
        const fee = validate(g, candidate, q.value);
        if (fee === null) continue;
        found.push({ nodes: candidate, fee });
        for (let i = 0; i + 1 < candidate.length; i++) {
          const channel = pruned.succ.get(candidate[i]!)!.get(candidate[i + 1]!)!.channel;
          visited.set(channel, (visited.get(channel) ?? 0) + q.diversityPenalty);
        }
        continue rounds;
      }
      break;
    }
  } catch (e) {
    if (e instanceof NoPathError) return { kind: 'routes', paths: [], fees: [] };
    throw e;
  }
  return { kind: 'routes', paths: found.map((f) => f.nodes.map((x) => state.nodes[x]!)), fees: found.map((f) => f.fee) };
}

/**
 * The first `limit` candidates (node addresses and cost) of the reference's first round
 * of Yen's generator (spec §3.5 b) for one request; [] when source and target are not
 * connected in the pruned graph.
 */
export function slowCandidates(
  state: TokenNetworkState,
  reachable: (a: Address) => boolean,
  q: { source: Address; target: Address; value: bigint; feePenalty: number },
  limit: number,
): { path: Address[]; cost: number }[] {
  const g = fullGraph(state);
  const pruned = prune(g, (x) => reachable(state.nodes[x]!));
  const source = state.nodeId(q.source);
  const target = state.nodeId(q.target);
  if (source === undefined || target === undefined || !pruned.nodes.has(source) || !pruned.nodes.has(target)) return [];
  const weights = new Map<string, number>();
  const weight = (u: number, v: number) => {
    const key = `${u},${v}`;
    let w = weights.get(key);
    if (w === undefined) {
      w = weightOf(pruned.succ.get(u)!.get(v)!, q.value, 0, q.feePenalty);
      weights.set(key, w);
    }
    return w;
  };
  const out: { path: Address[]; cost: number }[] = [];
  try {
    for (const { cost, path } of shortestSimplePaths(pruned, weight, source, target)) {
      out.push({ path: path.map((x) => state.nodes[x]!), cost });
      if (out.length >= limit) break;
    }
  } catch (e) {
    if (!(e instanceof NoPathError)) throw e;
  }
  return out;
}
