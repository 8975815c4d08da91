import type { Address } from '../../src/domain/index.ts';
import {
  AddressRegistry,
  type AddressRegistryHandle,
  CAPACITY_WORDS,
  EdgeStoreReader,
  type NetworkSnapshotHandle,
  ScheduleTableReader,
  SnapshotView,
  Topology,
  wordsToBigInt,
} from '../../src/graph/index.ts';
import { type PartnerCandidate, suggestPartners } from '../../src/partners/index.ts';
import { recoverEip191Signer } from '../../src/protocol/index.ts';
import { RouteFinder, type RouteOutcome, type RouteQuery, type SearchLimits } from '../../src/routing/index.ts';

/** One path request for a pool worker. */
export interface PathTask {
  readonly kind: 'path';
  readonly network: Address;
  readonly snapshot: NetworkSnapshotHandle;
  readonly registry: AddressRegistryHandle;
  readonly query: RouteQuery;
  readonly limits: SearchLimits;
  /**
   * Date.now() after which nobody waits for the answer: a task that waited in the queue
   * past it is dropped unrun, so a backlog drains at once instead of burning the pool.
   */
  readonly deadline: number;
}

/** The answer: the routing outcome plus the time the search took, or `expired`. */
export type PathTaskResult =
  | { readonly kind: 'searched'; readonly outcome: RouteOutcome; readonly searchMs: number }
  | { readonly kind: 'expired' };

interface Cached {
  readonly epoch: string;
  readonly edges: EdgeStoreReader;
  readonly schedules: ScheduleTableReader;
  generation: number;
  view: SnapshotView | null;
}

const finder = new RouteFinder();
const networks = new Map<Address, Cached>();
let registry: AddressRegistry | null = null;

/**
 * Runs one search on the task's snapshot. Readers of a network's shared buffers are kept
 * per worker (decoded fee schedules are cached in them); a new topology generation or a
 * restarted shard (new epoch) replaces what it must.
 */
export function runPathTask(task: PathTask): PathTaskResult {
  if (Date.now() > task.deadline) return { kind: 'expired' };
  registry ??= new AddressRegistry(task.registry);
  const cached = readersOf(task.network, task.snapshot);
  const reach = registry.reachBytes();
  if (cached.view === null || cached.generation !== task.snapshot.topology.generation || cached.view.reach !== reach) {
    cached.view = new SnapshotView(task.snapshot, reach, { edges: cached.edges, schedules: cached.schedules });
    cached.generation = task.snapshot.topology.generation;
  }
  const r = registry;
  const start = performance.now();
  const outcome = finder.find(cached.view, task.query, task.limits, (a) => r.isAddressReachable(a));
  return { kind: 'searched', outcome, searchMs: performance.now() - start };
}

/** The readers of a network's shared buffers kept by this worker (replaced for a new epoch). */
function readersOf(network: Address, snapshot: NetworkSnapshotHandle): Cached {
  let cached = networks.get(network);
  if (cached === undefined || cached.epoch !== snapshot.epoch) {
    cached = {
      epoch: snapshot.epoch,
      edges: new EdgeStoreReader(snapshot.edges),
      schedules: new ScheduleTableReader(snapshot.schedules),
      generation: -1,
      view: null,
    };
    networks.set(network, cached);
  }
  return cached;
}

/** A suggest_partner computation for one token network (spec §9.2). */
export interface SuggestTask {
  readonly kind: 'suggest';
  readonly network: Address;
  readonly snapshot: NetworkSnapshotHandle;
  /**
   * Per address-registry index: milliseconds since the epoch of the address's last
   * reachability change when it is REACHABLE, NaN otherwise (the front's presence view).
   */
  readonly since: Float64Array;
  /** Date.now() of the computation: uptimes are measured to it (the reference's one `now`). */
  readonly now: number;
  readonly limit: number;
  /** Most adjacency entries the centrality BFS may scan (see suggestPartners). */
  readonly workLimit: number;
}

/** One suggestion with the node resolved to its address. */
export interface SuggestedPartner {
  readonly address: Address;
  readonly score: number;
  readonly centrality: number;
  readonly uptime: number;
  readonly capacity: bigint;
}

/** The suggestions, or `budget_exhausted`; with the work done and the time taken. */
export type SuggestTaskResult =
  | { readonly kind: 'suggested'; readonly suggestions: readonly SuggestedPartner[]; readonly work: number; readonly ms: number }
  | { readonly kind: 'budget_exhausted'; readonly work: number; readonly ms: number };

/**
 * Builds the candidates (REACHABLE nodes of the full graph with uptime and the exact sum of
 * their out-edge capacities) from the snapshot and ranks them. O(n + m) plus the pruned
 * centrality search.
 */
export function runSuggestTask(task: SuggestTask): SuggestTaskResult {
  const start = performance.now();
  const edges = readersOf(task.network, task.snapshot).edges;
  const topology = new Topology(task.snapshot.topology);
  const slots = edges.slots;
  const shadow = new Float64Array(2 * slots);
  const words = new Uint32Array(2 * slots * CAPACITY_WORDS);
  const scheduleIds = new Uint32Array(2 * slots);
  const loaded = new Uint8Array(slots);
  const candidates: PartnerCandidate[] = [];
  for (let x = 0; x < topology.nodeCount; x++) {
    const since = task.since[topology.nodeKey[x]!];
    if (since === undefined || Number.isNaN(since)) continue;
    let capacity = 0n;
    for (let k = topology.adjStart[x]!; k < topology.adjStart[x + 1]!; k++) {
      const e = topology.adjSlot[k]!;
      const channel = e >> 1;
      if (loaded[channel] === 0) {
        edges.readInto(channel, shadow, words, scheduleIds);
        loaded[channel] = 1;
      }
      capacity += wordsToBigInt(words, e * CAPACITY_WORDS);
    }
    candidates.push({ node: x, uptime: (task.now - since) / 1000, capacity });
  }
  const outcome = suggestPartners(topology, candidates, task.limit, task.workLimit);
  const ms = performance.now() - start;
  if (outcome.kind === 'budget_exhausted') return { kind: 'budget_exhausted', work: outcome.work, ms };
  const suggestions = outcome.suggestions.map((s) => ({
    address: topology.address(s.node),
    score: s.score,
    centrality: s.centrality,
    uptime: s.uptime,
    capacity: s.capacity,
  }));
  return { kind: 'suggested', suggestions, work: outcome.work, ms };
}

/** A batch of signatures to recover (ingestion fans them out to the pool). */
export interface RecoverTask {
  readonly kind: 'recover';
  readonly jobs: readonly { readonly data: Uint8Array; readonly signature: Uint8Array }[];
}

/** Recovers the EIP-191 signer of each job; null where none can be recovered. */
export function runRecoverTask(task: RecoverTask): (Address | null)[] {
  return task.jobs.map((j) => {
    const r = recoverEip191Signer(j.data, j.signature);
    return r.ok ? r.address : null;
  });
}

/** The pool's entry: one worker type serves searches, suggestions and signature recovery. */
export default function run(task: PathTask | SuggestTask | RecoverTask): PathTaskResult | SuggestTaskResult | (Address | null)[] {
  switch (task.kind) {
    case 'path':
      return runPathTask(task);
    case 'suggest':
      return runSuggestTask(task);
    case 'recover':
      return runRecoverTask(task);
  }
}
