import type { Address } from '../../src/domain/index.ts';
import {
  AddressRegistry,
  type AddressRegistryHandle,
  EdgeStoreReader,
  type NetworkSnapshotHandle,
  ScheduleTableReader,
  SnapshotView,
} from '../../src/graph/index.ts';
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
  let cached = networks.get(task.network);
  if (cached === undefined || cached.epoch !== task.snapshot.epoch) {
    cached = {
      epoch: task.snapshot.epoch,
      edges: new EdgeStoreReader(task.snapshot.edges),
      schedules: new ScheduleTableReader(task.snapshot.schedules),
      generation: -1,
      view: null,
    };
    networks.set(task.network, cached);
  }
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

/** The pool's entry: one worker type serves searches and signature recovery. */
export default function run(task: PathTask | RecoverTask): PathTaskResult | (Address | null)[] {
  return task.kind === 'path' ? runPathTask(task) : runRecoverTask(task);
}
