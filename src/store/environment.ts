import { mkdirSync } from 'node:fs';
import { type Database, type RootDatabase, open } from 'lmdb';

/**
 * The LMDB environment under --data-dir: one environment, one named database per concern.
 * Every thread that persists something opens the environment itself (lmdb-js shares it
 * safely across worker threads); each actor writes only its own key range.
 *
 * Keys and values are raw bytes with explicit encodings (codec.ts), except `meta`, which
 * holds small JSON documents.
 */

/** Version of the on-disk layout. A data dir written by another version is refused. */
export const SCHEMA_VERSION = 1;

/** The named databases. */
export interface Databases {
  /** schema version, identity of the data dir (chain id, service address, contracts). */
  readonly meta: Database<unknown, string>;
  /** token network address (20 bytes) -> network record. */
  readonly networks: Database<Buffer, Buffer>;
  /** network (20) ‖ node index (u32) -> address (20 bytes). */
  readonly nodes: Database<Buffer, Buffer>;
  /** network (20) ‖ channel id (32) -> channel record. */
  readonly channels: Database<Buffer, Buffer>;
  /** network (20) ‖ deferral sequence (8) -> deferred update. */
  readonly deferred: Database<Buffer, Buffer>;
  /** global address index (u32) -> address (20 bytes): the shared address registry. */
  readonly addresses: Database<Buffer, Buffer>;
  /** Matrix user id (UTF-8) -> presence record. */
  readonly presence: Database<Buffer, Buffer>;
  /** source name (UTF-8) -> source cursor (how far input has been applied). */
  readonly cursors: Database<Buffer, Buffer>;
  /** Route feedback of paths answers, bounded (feedback-store.ts); written by the main thread only. */
  readonly feedback: Database<Buffer, Buffer>;
  /**
   * token network (20) -> snapshot image written at a clean stop. Removed in the same
   * transaction as the network's next change, so a stored image always matches the records.
   */
  readonly images: Database<Buffer, Buffer>;
  /**
   * sender (20) ‖ claimable_until (32, big-endian) -> IOU record (payments/iou-ledger.ts);
   * written by the main thread's payment desk and by the claim-fees command.
   */
  readonly ious: Database<Buffer, Buffer>;
}

/** An open store. */
export interface Store {
  readonly env: RootDatabase;
  readonly dbs: Databases;
  readonly path: string;
}

/** Options for opening the store. */
export interface StoreOptions {
  /** Initial map size in bytes; LMDB grows it as needed when not given. */
  readonly mapSize?: number;
}

/** Opens (creating if needed) the environment and its databases. */
export function openStore(path: string, options: StoreOptions = {}): Store {
  mkdirSync(path, { recursive: true });
  const env = open({
    path,
    maxDbs: 16,
    // lmdb-js grows the map automatically unless a size is forced
    ...(options.mapSize !== undefined ? { mapSize: options.mapSize } : {}),
  });
  const binary = (name: string) => env.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' });
  const dbs: Databases = {
    meta: env.openDB<unknown, string>({ name: 'meta', encoding: 'json' }),
    networks: binary('networks'),
    nodes: binary('nodes'),
    channels: binary('channels'),
    deferred: binary('deferred'),
    addresses: binary('addresses'),
    presence: binary('presence'),
    cursors: binary('cursors'),
    feedback: binary('feedback'),
    images: binary('images'),
    ious: binary('ious'),
  };
  return { env, dbs, path };
}

/** Waits for pending writes and closes the environment (close can hang otherwise). */
export async function closeStore(store: Store): Promise<void> {
  await store.env.committed;
  await store.env.close();
}

/** The identity a data dir is created with; a later start must present the same one. */
export interface DataDirIdentity {
  readonly chainId: string;
  readonly serviceAddress: string;
  readonly registry: string;
  readonly userDeposit: string;
}

/** Outcome of checking a data dir's schema version and identity. */
export type DataDirCheck =
  | { readonly kind: 'created' }
  | { readonly kind: 'matches' }
  | { readonly kind: 'schema_mismatch'; readonly found: unknown }
  | { readonly kind: 'identity_mismatch'; readonly field: keyof DataDirIdentity; readonly stored: string; readonly given: string };

/**
 * Checks (or, for a new data dir, writes) the schema version and the identity. A data dir
 * of another schema version is refused, as is one created for another chain, service key
 * or contracts (the reference refuses a mismatching database too).
 */
export async function checkDataDir(store: Store, identity: DataDirIdentity): Promise<DataDirCheck> {
  const meta = store.dbs.meta;
  const version = meta.get('schema');
  if (version === undefined) {
    await meta.put('schema', SCHEMA_VERSION);
    await meta.put('identity', identity);
    return { kind: 'created' };
  }
  if (version !== SCHEMA_VERSION) return { kind: 'schema_mismatch', found: version };
  const stored = meta.get('identity') as DataDirIdentity | undefined;
  if (stored === undefined) {
    await meta.put('identity', identity);
    return { kind: 'matches' };
  }
  for (const field of ['chainId', 'serviceAddress', 'registry', 'userDeposit'] as const) {
    if (stored[field] !== identity[field]) {
      return { kind: 'identity_mismatch', field, stored: stored[field], given: identity[field] };
    }
  }
  return { kind: 'matches' };
}
