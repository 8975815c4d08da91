import { Bfs, type HopGraph, closenessValue } from './closeness.ts';

/**
 * Partner suggestions (spec §9.2, `TokenNetwork.suggest_partner`): for every REACHABLE node
 * of the full graph, score = centrality * uptime * capacity; sorted by score, descending,
 * stable in node order; the top `limit`.
 *
 * The reference computes every node's closeness centrality first: one BFS per node,
 * O(n·m), minutes for 20,000 nodes. Only the top `limit` matter, so this computes exact
 * centralities lazily, best candidates first, and prunes (the "BFSCut" idea of Bergamini et
 * al., "Computing top-k closeness centrality faster in unweighted graphs", 2016):
 *
 * - Before any BFS, a node's centrality is bounded from above by bounding its distance sum
 *   from below: its neighbours are at distance 1, the rest of its component at least 2.
 * - Candidates are taken in order of that bound's score; once the bound of the next one
 *   cannot reach the current `limit`-th score, no later one can either: stop.
 * - During a candidate's BFS, after each level, the unseen rest of its component is at
 *   least one level further; once that bound cannot reach the `limit`-th score, stop it.
 *
 * Every bound is computed with the same floating-point operations as the exact value, with
 * a smaller distance sum; correctly rounded division and multiplication are monotonic, so
 * the bound is >= the exact double and pruning never changes the answer. Ties are decided
 * by node order, as the reference's stable sort does, including at the pruning boundary.
 *
 * Scores are positive only for nodes with positive uptime and capacity; the others score
 * (plus or minus) zero, or less than zero with a negative uptime (a clock step), and come
 * after every positive score: zeros in node order, then negatives by score. Those are
 * reached only when fewer than `limit` nodes score positive.
 *
 * The work (adjacency entries scanned by BFS) is capped by `workLimit`; past it the
 * computation gives up (`budget_exhausted`) rather than occupy a pool thread for minutes.
 */

/** One REACHABLE node of the graph and its score inputs. */
export interface PartnerCandidate {
  readonly node: number;
  /** Seconds since the node's last reachability change (a Python float). */
  readonly uptime: number;
  /** Sum of the capacities of the node's out-edges (exact). */
  readonly capacity: bigint;
}

/** One suggestion, as the reference's dict: score, centrality, uptime, capacity. */
export interface PartnerSuggestion {
  readonly node: number;
  readonly score: number;
  readonly centrality: number;
  readonly uptime: number;
  readonly capacity: bigint;
}

/** A graph plus what the bounds need. */
export interface PartnerGraph extends HopGraph {
  /** Connected component id of each node (any id, equal within a component). */
  readonly component: Uint32Array;
}

/** The outcome: the suggestions, or the work cap was reached first. */
export type SuggestOutcome =
  | { readonly kind: 'suggested'; readonly suggestions: readonly PartnerSuggestion[]; readonly work: number; readonly searched: number }
  | { readonly kind: 'budget_exhausted'; readonly work: number; readonly searched: number };

/** Suggestions per request (the reference's `limit=5`). */
export const SUGGESTION_LIMIT = 5;

/**
 * Default work cap: 2·10^8 adjacency entries, about 3 s of one pool thread on a slow core
 * (16 ns per entry measured on a 2-core test machine). Pruning keeps real networks far
 * below it: a random 20,000-node, 100,000-channel network needs 1.5·10^6 to 3·10^7 entries
 * (0.2-0.5 s) even with equal capacities or uptimes. It is the guard against pathological
 * graphs where every node ties exactly (a torus with equal capacities and uptimes), for
 * which no pruning helps and the reference's full O(n·m) would run for minutes.
 */
export const DEFAULT_SUGGEST_WORK_LIMIT = 200_000_000;

/** `a` ranks before `b`: higher score, then earlier node (the reference's stable sort). */
function before(a: PartnerSuggestion, b: PartnerSuggestion): boolean {
  return a.score > b.score || (a.score === b.score && a.node < b.node);
}

/** The reference's score expression, in its order of operations. */
function scoreOf(centrality: number, c: PartnerCandidate): number {
  return centrality * c.uptime * Number(c.capacity);
}

/**
 * The top `limit` suggestions. `candidates` are the REACHABLE nodes, in any order; the
 * graph's node count is the reference's `len(G)`.
 */
export function suggestPartners(
  g: PartnerGraph,
  candidates: readonly PartnerCandidate[],
  limit = SUGGESTION_LIMIT,
  workLimit = DEFAULT_SUGGEST_WORK_LIMIT,
): SuggestOutcome {
  const n = g.nodeCount;
  const componentSize = new Map<number, number>();
  for (let x = 0; x < n; x++) componentSize.set(g.component[x]!, (componentSize.get(g.component[x]!) ?? 0) + 1);
  const sizeOf = (x: number) => componentSize.get(g.component[x]!)!;
  const bfs = new Bfs(n);
  let searched = 0;
  const exhausted = (): SuggestOutcome => ({ kind: 'budget_exhausted', work: bfs.work, searched });

  /** The exact suggestion of a candidate (a full BFS), or null past the work cap. */
  const exact = (c: PartnerCandidate): PartnerSuggestion | null => {
    const r = sizeOf(c.node);
    let centrality = 0;
    if (r > 1) {
      searched++;
      const found = bfs.run(g, c.node)!;
      if (bfs.work > workLimit) return null;
      centrality = closenessValue(found.reached, found.sum, n);
    }
    return { node: c.node, score: scoreOf(centrality, c), centrality, uptime: c.uptime, capacity: c.capacity };
  };

  const positive: { c: PartnerCandidate; bound: number }[] = [];
  const zero: PartnerCandidate[] = [];
  const negative: PartnerCandidate[] = [];
  for (const c of candidates) {
    const capacity = Number(c.capacity);
    if (c.uptime > 0 && capacity > 0) {
      // capacity > 0 means an edge, so r >= 2: neighbours at 1, the rest of the component at >= 2
      const r = sizeOf(c.node);
      const degree = g.adjStart[c.node + 1]! - g.adjStart[c.node]!;
      positive.push({ c, bound: scoreOf(closenessValue(r, 2 * (r - 1) - degree, n), c) });
    } else if (c.uptime < 0 && capacity > 0) negative.push(c);
    // zero capacity or zero uptime: the score is +-0 whatever the centrality
    else zero.push(c);
  }

  const top: PartnerSuggestion[] = [];
  const cannotEnter = (bound: number, node: number): boolean => {
    if (top.length < limit) return false;
    const last = top[top.length - 1]!;
    return bound < last.score || (bound === last.score && node > last.node);
  };
  const insert = (s: PartnerSuggestion): void => {
    let i = top.length;
    while (i > 0 && before(s, top[i - 1]!)) i--;
    top.splice(i, 0, s);
    if (top.length > limit) top.pop();
  };

  positive.sort((a, b) => b.bound - a.bound || a.c.node - b.c.node);
  for (const { c, bound } of positive) {
    if (cannotEnter(bound, c.node)) break;
    const r = sizeOf(c.node);
    searched++;
    const found = bfs.run(
      g,
      c.node,
      (d, seen, sum) => bfs.work > workLimit || (seen < r && cannotEnter(scoreOf(closenessValue(r, sum + (d + 1) * (r - seen), n), c), c.node)),
    );
    if (bfs.work > workLimit) return exhausted();
    if (found === null) continue;
    const centrality = closenessValue(found.reached, found.sum, n);
    const s: PartnerSuggestion = { node: c.node, score: scoreOf(centrality, c), centrality, uptime: c.uptime, capacity: c.capacity };
    if (!cannotEnter(s.score, s.node)) insert(s);
  }

  // every positive score ranks before every zero, every zero before every negative score
  zero.sort((a, b) => a.node - b.node);
  for (let i = 0; top.length < limit && i < zero.length; i++) {
    const s = exact(zero[i]!);
    if (s === null) return exhausted();
    top.push(s);
  }
  if (top.length < limit && negative.length > 0) {
    const ranked: PartnerSuggestion[] = [];
    for (const c of negative) {
      const s = exact(c);
      if (s === null) return exhausted();
      ranked.push(s);
    }
    ranked.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    for (let i = 0; top.length < limit && i < ranked.length; i++) top.push(ranked[i]!);
  }
  return { kind: 'suggested', suggestions: top, work: bfs.work, searched };
}
