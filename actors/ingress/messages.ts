import type { MessagePort } from 'node:worker_threads';
import type { Address } from '../../src/domain/index.ts';
import type { AddressRegistryHandle } from '../../src/graph/index.ts';
import type { ChainSourceSettings } from './chain-source.ts';
import type { IngressNotice, RecoverJob } from './ingress-core.ts';
import type { MatrixSourceSettings } from './matrix-source.ts';

/** Calls the main thread makes on the ingress. */
export type IngressControl =
  /** Load registry, presence and networks; replies with the networks and their shards. */
  | { readonly type: 'load' }
  | { readonly type: 'attach_shard'; readonly index: number; readonly port: MessagePort }
  /** Start applying the configured sources (the event log). */
  | { readonly type: 'run' }
  | { readonly type: 'stop' };

/** Replies to IngressControl calls. */
export type IngressControlReply =
  | { readonly type: 'loaded'; readonly networks: readonly { readonly address: Address; readonly shard: number }[] }
  | { readonly type: 'ok' };

/** Calls the ingress makes on the main thread. */
export type IngressRequest =
  /** Recover the signers of a batch (run on the pool). */
  | { readonly type: 'recover'; readonly jobs: readonly RecoverJob[] }
  /** Start shard `index` (its first network appeared) and attach it; replies once attached. */
  | { readonly type: 'start_shard'; readonly index: number };

/** Replies to IngressRequest. */
export type IngressRequestReply =
  | { readonly type: 'recovered'; readonly signers: readonly (Address | null)[] }
  | { readonly type: 'started' };

/** What the ingress worker is started with. */
export interface IngressWorkerData {
  readonly storePath: string;
  readonly mapSize?: number;
  readonly registry: AddressRegistryHandle;
  /** Decimal string (bigint does not need to cross as a number). */
  readonly chainId: string;
  readonly shardCount: number;
  readonly events: string | null;
  readonly record: string | null;
  readonly chunkLines: number;
  /** The live Matrix source, or null without --matrix-server. */
  readonly matrix: MatrixSourceSettings | null;
  /** The live chain source, or null in file-only mode. */
  readonly chain: ChainSourceSettings | null;
}

export type { IngressNotice };
