import type { Address } from '../domain/index.ts';
import type { SnapshotView } from '../graph/index.ts';
import { BidirectionalDijkstra } from './bidirectional-dijkstra.ts';
import { Budget, BudgetExhausted, type SearchLimits } from './budget.ts';
import { CarryingPaths } from './carrying-paths.ts';
import { EdgeWeights } from './edge-weights.ts';
import { FiniteRegion } from './finite-region.ts';
import { checkPath } from './path-check.ts';
import { quickCheck } from './quick-checks.ts';
import { NoPath, YenGenerator, YenMarks } from './yen.ts';

/** A route request as the routing core sees it (validated by the caller). */
export interface RouteQuery {
  readonly source: Address;
  readonly target: Address;
  readonly value: bigint;
  /** 1 ... 25 */
  readonly maxPaths: number;
  readonly diversityPenalty: number;
  readonly feePenalty: number;
}

/** One returned route. */
export interface FoundRoute {
  readonly path: readonly Address[];
  /** May be negative (imbalance fees without capping). */
  readonly estimatedFee: bigint;
}

/** Work done by one request. */
export interface SearchStats {
  readonly candidates: number;
  readonly relaxations: number;
  readonly feeComputations: number;
  readonly budgetExhausted: boolean;
}

/**
 * Outcome of a route request:
 * - `routes`: at least one route. If the budget ran out while looking for more, the routes
 *   are still the first ones the reference would return, in its order.
 * - `no_route`: none; `reason` is the quick-check message (§3.7) or null for the default
 *   "No route between nodes found.".
 * - `budget_exhausted`: the budget ran out before any route was found.
 */
export type RouteOutcome =
  | { readonly kind: 'routes'; readonly routes: readonly FoundRoute[]; readonly stats: SearchStats }
  | { readonly kind: 'no_route'; readonly reason: string | null; readonly stats: SearchStats }
  | { readonly kind: 'budget_exhausted'; readonly stats: SearchStats };

/**
 * A round exceeding this many candidates, or meeting a candidate of infinite cost, runs
 * the carrying-path survey once (see carrying-paths.ts).
 */
const CARRYING_CHECK_AFTER = 16;

/** Carrying paths, and adjacency entries, the survey may examine before answering "unknown". */
const CARRYING_SURVEY_PATHS = 64;
const CARRYING_SURVEY_RELAXATIONS = 200_000;

/**
 * Finds routes like the reference's `get_paths` (spec §3.4): quick checks, then rounds of
 * Yen's enumeration on the pruned graph, each taking the first valid candidate that is not
 * a route already returned, with the diversity penalty added between rounds. Holds reusable
 * scratch memory: one instance per thread, one request at a time.
 */
export class RouteFinder {
  private readonly weights = new EdgeWeights();
  private readonly dijkstra = new BidirectionalDijkstra();
  private readonly marks = new YenMarks();
  private readonly carrying = new CarryingPaths();
  private readonly region = new FiniteRegion();

  /** Answers one request on one snapshot. `reachable` covers any address (quick checks). */
  find(view: SnapshotView, q: RouteQuery, limits: SearchLimits, reachable: (a: Address) => boolean): RouteOutcome {
    const budget = new Budget(limits);
    const w = this.weights;
    w.begin(view, q.value, q.feePenalty, budget);
    this.region.begin(w);
    const stats = (exhausted: boolean): SearchStats => ({
      candidates: budget.candidates,
      relaxations: budget.relaxations,
      feeComputations: budget.feeComputations,
      budgetExhausted: exhausted,
    });

    const reason = quickCheck(w, q.source, q.target, reachable);
    if (reason !== null) return { kind: 'no_route', reason, stats: stats(false) };

    const topology = view.topology;
    const source = topology.nodeOf(q.source);
    const target = topology.nodeOf(q.target);
    // NodeNotFound: source or target has no channel to a reachable partner (pruned away)
    if (!this.inPrunedGraph(view, source) || !this.inPrunedGraph(view, target)) {
      return { kind: 'no_route', reason: null, stats: stats(false) };
    }

    const found: { nodes: number[]; slots: number[]; fee: bigint }[] = [];
    const validate = (nodes: number[], slots: number[]) => checkPath(w, nodes, slots);
    const foundKeys = new Set<string>();
    let exhausted = false;
    try {
      rounds: while (found.length < q.maxPaths) {
        const generator = new YenGenerator(w, this.dijkstra, this.marks, source, target, this.region);
        let roundCandidates = 0;
        let carryingChecked = false;
        for (;;) {
          const candidate = generator.next();
          if (candidate === null) break rounds;
          budget.chargeCandidate();
          roundCandidates++;
          if (!foundKeys.has(candidate.key)) {
            const fee = checkPath(w, candidate.nodes, candidate.slots);
            if (fee !== null) {
              found.push({ nodes: candidate.nodes, slots: candidate.slots, fee });
              foundKeys.add(candidate.key);
              for (const e of candidate.slots) w.addVisited(e, q.diversityPenalty);
              continue rounds;
            }
          }
          if (!carryingChecked && (candidate.cost === Infinity || roundCandidates > CARRYING_CHECK_AFTER)) {
            carryingChecked = true;
            const survey = this.carrying.survey(w, this.marks, source, target, foundKeys, validate, CARRYING_SURVEY_PATHS, CARRYING_SURVEY_RELAXATIONS);
            if (survey.kind === 'none') break rounds;
            if (survey.kind === 'one') {
              // the only valid path left: this round's answer, and the last one
              found.push({ nodes: survey.nodes, slots: survey.slots, fee: survey.fee });
              break rounds;
            }
          }
        }
      }
    } catch (e) {
      if (e instanceof NoPath) return { kind: 'no_route', reason: null, stats: stats(false) };
      if (!(e instanceof BudgetExhausted)) throw e;
      exhausted = true;
    }
    if (found.length === 0) {
      return exhausted
        ? { kind: 'budget_exhausted', stats: stats(true) }
        : { kind: 'no_route', reason: null, stats: stats(false) };
    }
    const routes = found.map((r) => ({ path: r.nodes.map((x) => topology.address(x)), estimatedFee: r.fee }));
    return { kind: 'routes', routes, stats: stats(exhausted) };
  }

  /** A node is in the pruned graph iff it is reachable and has a reachable neighbour. */
  private inPrunedGraph(view: SnapshotView, node: number): boolean {
    if (node < 0 || !view.isReachable(node)) return false;
    const t = view.topology;
    for (let k = t.adjStart[node]!; k < t.adjStart[node + 1]!; k++) {
      if (view.isReachable(t.adjNode[k]!)) return true;
    }
    return false;
  }
}
