import type { Address } from '../../src/domain/index.ts';
import type { CapacityUpdate, FeeUpdate, NetworkSnapshotHandle } from '../../src/graph/index.ts';

/** Where an event came from: the input source and its position there (monotonic). */
export interface Position {
  /** e.g. `file:<content key>` or `chain`. */
  readonly source: string;
  readonly at: number;
}

/** An event for one token network, already decoded and verified by the ingress. */
export type ShardEvent =
  | {
      readonly kind: 'network_created';
      readonly network: Address;
      readonly token: Address;
      readonly settleTimeout: bigint;
      /** Creation order of the network, decides its shard worker on every start. */
      readonly createdSeq: number;
      readonly block: number;
      readonly position: Position;
    }
  | {
      readonly kind: 'channel_opened';
      readonly network: Address;
      readonly id: bigint;
      readonly participants: readonly [Address, Address];
      readonly block: number;
      readonly position: Position;
    }
  | { readonly kind: 'channel_closed'; readonly network: Address; readonly id: bigint; readonly block: number; readonly position: Position }
  | { readonly kind: 'capacity_update'; readonly network: Address; readonly update: CapacityUpdate; readonly position: Position }
  | { readonly kind: 'fee_update'; readonly network: Address; readonly update: FeeUpdate; readonly position: Position };

/** Messages the ingress sends to a shard worker. */
export type ShardCommand =
  | { readonly type: 'batch'; readonly id: number; readonly events: readonly ShardEvent[] }
  /** Everything up to this position of a source has been dispatched (for idle networks). */
  | { readonly type: 'advance'; readonly id: number; readonly position: Position; readonly block: number };

/** Replies of a shard worker to the ingress. */
export type ShardReply = {
  readonly type: 'batch_done';
  readonly id: number;
  /** Outcome counts, e.g. `capacity_update:applied`, `capacity_update:deferred`. */
  readonly outcomes: Readonly<Record<string, number>>;
};

/** Notifications of a shard worker to the main thread. */
export type ShardNotice =
  | { readonly type: 'snapshot'; readonly network: Address; readonly handle: NetworkSnapshotHandle; readonly channels: number; readonly nodes: number }
  | { readonly type: 'restored'; readonly networks: readonly Address[] }
  | { readonly type: 'log'; readonly level: 'info' | 'warning' | 'error'; readonly message: string; readonly fields?: Readonly<Record<string, unknown>> };

/** Calls the main thread makes on a shard worker. */
export type ShardControl =
  | { readonly type: 'attach_ingress'; readonly port: import('node:worker_threads').MessagePort }
  | { readonly type: 'publish_all' }
  | { readonly type: 'stop' };

/** Replies to ShardControl calls. */
export type ShardControlReply = { readonly type: 'ok' };

/** What a shard worker is started with. */
export interface ShardWorkerData {
  readonly storePath: string;
  readonly mapSize?: number;
  readonly registry: import('../../src/graph/index.ts').AddressRegistryHandle;
  readonly limits: import('../../src/store/deferred-store.ts').DeferralLimits;
  readonly networks: readonly Address[];
  readonly index: number;
}
