import { IngressCore, type IngressNotice } from '../../actors/ingress/ingress-core.ts';
import type { ShardEvent, ShardNotice, ShardReply } from '../../actors/shard/messages.ts';
import { ShardHost } from '../../actors/shard/shard-host.ts';
import type { Address } from '../../src/domain/index.ts';
import { AddressRegistryWriter } from '../../src/graph/index.ts';
import { recoverEip191Signer } from '../../src/protocol/index.ts';
import type { DeferralLimits } from '../../src/store/deferred-store.ts';
import { closeStore, openStore, type Store } from '../../src/store/environment.ts';
import { listNetworks } from '../../src/store/network-store.ts';

/**
 * The ingress as the ingress worker wires it, in one thread: a real LMDB store, real shard
 * hosts called directly instead of through a MessagePort, and the real signature recovery.
 * A crash can be injected at a shard call, before or after that shard committed.
 */

/** Where to crash: the n-th sendBatch call (1-based), before or after the shard applied it. */
export interface CrashPoint {
  readonly call: number;
  readonly when: 'before' | 'after';
}

export interface HarnessOptions {
  readonly chainId: bigint;
  readonly shardCount?: number;
  readonly chunkLines?: number;
  readonly limits?: DeferralLimits;
  /** The ingress clock (presence times); shards use the real clock. */
  readonly now?: () => number;
  readonly crash?: CrashPoint;
  /** The --record file's content, shared across harness instances like a file on disk. */
  readonly recordFile?: { text: string };
  /** Live (Matrix) sources the ingress waits for; stored presence is stale until each synced. */
  readonly liveSources?: readonly string[];
}

/** A running in-process ingress with its shards. */
export class IngressHarness {
  readonly store: Store;
  readonly registry: AddressRegistryWriter;
  readonly hosts: ShardHost[] = [];
  readonly core: IngressCore;
  readonly notices: IngressNotice[] = [];
  readonly shardNotices: ShardNotice[] = [];
  /** The recording (what --record would have written). */
  private readonly recordFile: { text: string };

  /** The recorded lines. */
  get recorded(): string[] {
    return this.recordFile.text.split('\n').slice(0, -1);
  }

  /** The recording as written. */
  get recordText(): string {
    return this.recordFile.text;
  }
  /** Counts summed over every `counts` notice. */
  readonly counts: Record<string, number> = {};
  private calls = 0;
  private readonly inFlight: Promise<unknown>[] = [];

  constructor(path: string, o: HarnessOptions) {
    this.recordFile = o.recordFile ?? { text: '' };
    this.store = openStore(path);
    // a fresh registry, as after a process start (the shared buffers die with the process)
    this.registry = new AddressRegistryWriter(AddressRegistryWriter.allocate(1 << 12));
    const shardCount = o.shardCount ?? 1;
    const limits = o.limits ?? { maxEntries: 1000, expirySeconds: 3600 };
    const stored = listNetworks(this.store);
    for (let i = 0; i < shardCount; i++) {
      const host = new ShardHost(this.store, this.registry, limits, (n) => this.shardNotices.push(n));
      host.restore(stored.filter((n) => n.createdSeq % shardCount === i).map((n) => n.address));
      this.hosts.push(host);
    }
    let batchId = 0;
    this.core = new IngressCore({
      store: this.store,
      registry: this.registry,
      chainId: o.chainId,
      shardCount,
      sendBatch: async (shard: number, events: readonly ShardEvent[]): Promise<ShardReply> => {
        const call = ++this.calls;
        if (o.crash !== undefined && call >= o.crash.call && o.crash.when === 'before') throw new Error(`crash before shard call ${call}`);
        const done = this.hosts[shard]!.handle({ type: 'batch', id: ++batchId, events });
        this.inFlight.push(done.catch(() => undefined));
        const reply = await done;
        if (o.crash !== undefined && call >= o.crash.call) throw new Error(`crash after shard call ${call}`);
        return reply;
      },
      recover: async (jobs) =>
        jobs.map((j) => {
          const r = recoverEip191Signer(j.data, j.signature);
          return r.ok ? r.address : null;
        }),
      notify: (n) => {
        this.notices.push(n);
        if (n.type === 'counts') for (const [k, v] of Object.entries(n.counts)) this.counts[k] = (this.counts[k] ?? 0) + v;
      },
      // an in-memory --record file that behaves like the real one across simulated crashes
      record: {
        open: (committed) => {
          const file = this.recordFile;
          if (committed !== null && Buffer.byteLength(file.text) > committed) file.text = Buffer.from(file.text).subarray(0, committed).toString('utf8');
          return Buffer.byteLength(file.text);
        },
        append: (text) => {
          this.recordFile.text += text;
        },
      },
      now: o.now ?? (() => Date.UTC(2025, 0, 1)),
      chunkLines: o.chunkLines ?? 4,
      liveSources: o.liveSources ?? [],
    });
    this.core.load();
  }

  /** Applies a log; resolves at its end (rejects at an injected crash). */
  run(path: string): Promise<void> {
    return this.core.runFile(path);
  }

  /** Reachability of an address in the shared registry, as the path workers read it. */
  reachable(address: Address): boolean {
    return this.registry.isAddressReachable(address);
  }

  /** Waits for shard work still running (a crashed batch) and closes the store. */
  async close(): Promise<void> {
    await Promise.all(this.inFlight);
    await closeStore(this.store);
  }
}

/**
 * Every stored record of a data dir as hex, in key order: two data dirs with the same dump
 * hold the same channels, capacities, schedules, order, presence, deferred updates and
 * cursors. The arrival time inside deferred records (the shard's wall clock) and their
 * arrival sequence number are masked; their order is kept.
 */
export function dumpStore(store: Store): Record<string, [string, string][]> {
  const out: Record<string, [string, string][]> = {};
  for (const [name, db] of Object.entries(store.dbs)) {
    if (name === 'meta') continue;
    const rows: [string, string][] = [];
    for (const { key, value } of (db as Store['dbs']['channels']).getRange({})) {
      const k = Buffer.from(key);
      const v = Buffer.from(value);
      if (name === 'deferred') {
        // the arrival sequence only orders a channel's updates (rows stay in key order);
        // after a restart it may restart lower, so its value is masked too
        k.fill(0, 52, 60);
        v.fill(0, 1, 9);
      }
      rows.push([k.toString('hex'), v.toString('hex')]);
    }
    out[name] = rows;
  }
  return out;
}
