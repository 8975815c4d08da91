import { type Address } from '../../src/domain/index.ts';
import type { AddressRegistryWriter } from '../../src/graph/index.ts';
import {
  type DecodedCapacityUpdate,
  type DecodedFeeUpdate,
  INVALID_MESSAGE_LOG,
  addressOfUserId,
  validateCapacityUpdate,
  validateFeeUpdate,
  verifyDisplayname,
} from '../../src/protocol/index.ts';
import type { Store } from '../../src/store/environment.ts';
import { listNetworks } from '../../src/store/network-store.ts';
import { type PresenceChange, PresenceTracker, type UserRecord } from '../../src/transport/presence-tracker.ts';
import type { ShardEvent, ShardReply } from '../shard/messages.ts';
import { EventLogReader, fileKey } from './event-log-reader.ts';
import {
  type Cursor,
  loadPresence,
  loadRegistry,
  persistAddress,
  persistRegistry,
  persistUser,
  readCursor,
  storedRegistryLength,
  LIVE_CURSOR,
  PRESENCE_IMAGE_KEY,
  RECORD_CURSOR,
  storedConfirmedBlock,
  writeCursor,
  writePresenceImage,
} from './ingress-state.ts';
import type { LogInput } from './log-line.ts';
import { type Prepared, type RecoverJob, prepareLines } from './prepare-lines.ts';

export { FILE_SUBPOSITIONS, filePosition, type RecoverJob } from './prepare-lines.ts';

/** What the ingress needs from its surroundings (threads, pool, clock). */
export interface IngressDeps {
  readonly store: Store;
  readonly registry: AddressRegistryWriter;
  readonly chainId: bigint;
  readonly shardCount: number;
  /** Sends a batch to a shard worker; resolves after its commit. */
  readonly sendBatch: (shard: number, events: readonly ShardEvent[]) => Promise<ShardReply>;
  /** Recovers signers (possibly on other threads); null where none can be recovered. */
  readonly recover: (jobs: readonly RecoverJob[]) => Promise<(Address | null)[]>;
  /** Presence changes, new networks, counters and progress for the main thread. */
  readonly notify: (notice: IngressNotice) => void;
  /** The --record file, or null. */
  readonly record: RecordSink | null;
  readonly now: () => number;
  /** Lines read per chunk. */
  readonly chunkLines: number;
  /**
   * Live Matrix sources this ingress waits for (their first sync): stored presence is then
   * stale until confirmed, and the service is caught up only once each has synced.
   */
  readonly liveSources?: readonly string[];
}

/** Live positions reserved (and committed) at a time; see `IngressCore.applyLive`. */
const LIVE_POSITION_BLOCK = 1_000_000;

/** Chunks prepared ahead of the one being applied (their signatures recover meanwhile). */
const PIPELINE_DEPTH = 3;

/**
 * Where accepted input is recorded (--record). Its committed length is stored with the
 * source cursors: lines appended by a chunk whose commit a crash prevented are cut off at
 * the next start and recorded again by the replay, so the recording holds each accepted
 * line once.
 */
export interface RecordSink {
  /** Cuts the file to `committedLength` when it is longer (null: never committed); returns its length. */
  open(committedLength: number | null): number;
  append(text: string): void;
}

/** Notifications of the ingress for the main thread. */
export type IngressNotice =
  | { readonly type: 'presence'; readonly changes: readonly PresenceChange[] }
  | { readonly type: 'networks'; readonly networks: readonly { readonly address: Address; readonly shard: number }[] }
  | { readonly type: 'counts'; readonly counts: Readonly<Record<string, number>> }
  | { readonly type: 'progress'; readonly source: string; readonly line: number; readonly block: number; readonly caughtUp: boolean }
  /** A live source (Matrix homeserver) applied its first sync. */
  | { readonly type: 'live_synced'; readonly source: string }
  /** The chain source's state: why it lags (null at the confirmed head), the node's head, the committed block. */
  | { readonly type: 'chain'; readonly lagging: string | null; readonly head: number | null; readonly committed: number }
  | { readonly type: 'log'; readonly level: 'info' | 'warning' | 'error'; readonly message: string; readonly fields?: Readonly<Record<string, unknown>> };

interface NetworkEntry {
  readonly createdSeq: number;
  readonly shard: number;
}

/**
 * The ingress: turns input (here the event-log file) into verified, typed events, keeps
 * the address registry and presence, and feeds each token network's events to its shard.
 *
 * A chunk of lines goes through three steps: prepare (parse, decode, pack signed bytes),
 * recover all signatures of the chunk at once (fanned out to the pool), then apply in order
 * and dispatch. The ingress cursor of a chunk is committed only after every shard has
 * committed the chunk's events, so after a crash the replay starts at or before the first
 * unapplied line; shards skip positions they hold already.
 */
export class IngressCore {
  private readonly deps: IngressDeps;
  private readonly tracker = new PresenceTracker();
  private readonly networks = new Map<Address, NetworkEntry>();
  private readonly userSeq = new Map<string, number>();
  /** The store holds a presence image of the current presence (see writePresenceImage). */
  private presenceImageStored = false;
  private counts: Record<string, number> = {};
  private persistedRegistry = 1;
  private recordLength = 0;
  private confirmedBlock = 0;
  private stopped = false;
  /** Chunk applications run one at a time, whichever source they come from. */
  private applying: Promise<void> = Promise.resolve();
  /** Live sources whose first sync is not applied yet. */
  private readonly liveWaiting: Set<string>;
  /** Last live position used and the end of the committed reservation. */
  private livePosition = 0;
  private liveReserved = 0;

  constructor(deps: IngressDeps) {
    this.deps = deps;
    this.liveWaiting = new Set(deps.liveSources ?? []);
  }

  /** Loads registry, presence and networks; returns the registry size. */
  load(): void {
    const { store, registry } = this.deps;
    // the supervisor preloads the registry (stored addresses and every stored network node)
    // so shards can restore in parallel; a registry restarted empty is loaded here
    this.persistedRegistry = registry.count > 1 ? storedRegistryLength(store) : loadRegistry(store, registry).persisted;
    const presence = loadPresence(store, this.tracker);
    presence.userIds.forEach((id, seq) => this.userSeq.set(id, seq));
    this.presenceImageStored = presence.imageStored;
    // with live Matrix, stored presence is what was last known, not what is: see markStale
    if (this.liveWaiting.size > 0) this.tracker.markStale(this.deps.now());
    this.livePosition = this.liveReserved = readCursor(store, LIVE_CURSOR).line;
    for (const [address, record] of this.tracker.allAddresses()) {
      const index = registry.register(address);
      if (index !== null) registry.setReachable(index, record.reachability === 'reachable');
    }
    for (const n of listNetworks(store)) this.networks.set(n.address, { createdSeq: n.createdSeq, shard: n.createdSeq % this.deps.shardCount });
    this.deps.notify({ type: 'networks', networks: [...this.networks].map(([address, e]) => ({ address, shard: e.shard })) });
    // Announced in the order the addresses were first seen (the order of their first
    // users), which is the order a live run announced them in: the store keeps address
    // records in byte order, and the front lists online addresses in announcement order.
    // One change per user, not per address: the front counts online users (debug stats).
    // One pass over the users, so a restart stays linear in the number of users.
    const changes: PresenceChange[] = [];
    const metadata = new Map<Address, PresenceChange['metadata']>();
    for (const user of this.tracker.allUsers()) {
      const record = this.tracker.address(user.address);
      if (record === undefined) continue;
      let m = metadata.get(user.address);
      if (m === undefined) metadata.set(user.address, (m = this.tracker.metadata(user.address)));
      changes.push({ address: user.address, record, metadata: m, user });
    }
    if (changes.length > 0) this.deps.notify({ type: 'presence', changes });
    persistRegistry(store, registry, this.persistedRegistry);
    this.persistedRegistry = registry.count;
    this.confirmedBlock = storedConfirmedBlock(store);
    if (this.deps.record !== null) {
      const stored = store.dbs.cursors.get(Buffer.from(RECORD_CURSOR, 'utf8'));
      this.recordLength = this.deps.record.open(stored === undefined ? null : Number(stored.readBigUInt64BE(0)));
    }
    this.deps.notify({ type: 'progress', source: 'store', line: 0, block: this.confirmedBlock, caughtUp: false });
  }

  /** Shard worker hosting a network. */
  shardOf(network: Address): number | undefined {
    return this.networks.get(network)?.shard;
  }

  /** Token networks known so far, in creation order (the chain source follows all of them). */
  networkAddresses(): Address[] {
    return [...this.networks.keys()];
  }

  /**
   * Applies inputs of another source in order, like a chunk of the event log: `at` is each
   * input's position in `source` (monotonic), `text` its event-log line for --record. The
   * source cursor is committed at `cursorBlock` once every shard has committed.
   */
  async applySourceInputs(source: string, inputs: readonly { readonly at: number; readonly text: string; readonly input: LogInput }[], cursorBlock: number): Promise<void> {
    const items: Prepared[] = inputs.map((i) => ({ line: i.at, position: i.at, text: i.text, input: i.input, messages: [] }));
    await this.exclusive(() => this.applyChunk(source, items, [], { line: 0, offset: 0, block: cursorBlock }, cursorBlock));
  }

  /** Adds to the outcome counters (inputs a source refused before they reached the core). */
  addCounts(counts: Readonly<Record<string, number>>): void {
    for (const [k, n] of Object.entries(counts)) this.count(k, n);
  }

  /** Asks a running `runFile` to stop after its current chunk. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Queues presence changes. The first one after a clean start removes the presence
   * image in the same transaction, since the image shows the state before it.
   */
  private persistPresence(changes: readonly PresenceChange[]): void {
    const store = this.deps.store;
    if (changes.length === 0) return;
    if (this.presenceImageStored) {
      void store.dbs.images.remove(PRESENCE_IMAGE_KEY);
      this.presenceImageStored = false;
    }
    for (const change of changes) {
      persistUser(store, this.userSeq.get(change.user.userId)!, change.user);
      persistAddress(store, change.address, change.record);
    }
  }

  /**
   * At a clean stop, after the sources have stopped: stores the presence image so the next
   * start loads presence in one read (nothing to do while the stored image is current).
   */
  async writePresenceImage(): Promise<void> {
    if (this.presenceImageStored) return;
    await writePresenceImage(this.deps.store);
    this.presenceImageStored = true;
  }

  /** Applies an event log from where this data dir stopped; resolves at its end. */
  async runFile(path: string): Promise<void> {
    const source = `file:${fileKey(path)}`;
    const cursor = readCursor(this.deps.store, source);
    this.confirmedBlock = Math.max(this.confirmedBlock, cursor.block);
    const reader = new EventLogReader(path, cursor.offset, cursor.line);
    this.deps.notify({ type: 'log', level: 'info', message: 'applying event log', fields: { path, fromLine: cursor.line + 1 } });
    try {
      // A pipeline: while the shards commit chunk n and the pool recovers the signatures of
      // the next chunks, this thread prepares further ones. Chunks are applied in order.
      const inFlight: { items: Prepared[]; signers: Promise<readonly (Address | null)[]>; end: Cursor }[] = [];
      let pending: Promise<void> = Promise.resolve();
      let eof = false;
      for (;;) {
        while (!eof && !this.stopped && inFlight.length < PIPELINE_DEPTH) {
          const lines = reader.next(this.deps.chunkLines);
          if (lines.length === 0) {
            eof = true;
            break;
          }
          const prepared = prepareLines(lines, (key, n) => this.count(key, n));
          const last = lines[lines.length - 1]!;
          const signers = this.deps.recover(prepared.jobs);
          // awaited when its turn comes; a failure while earlier chunks still apply must not
          // count as an unhandled rejection (which would kill the thread before `run` reports it)
          signers.catch(() => undefined);
          inFlight.push({ items: prepared.items, signers, end: { line: last.number, offset: last.endOffset, block: 0 } });
        }
        const head = inFlight.shift();
        if (head === undefined) break;
        const signers = await head.signers;
        await pending;
        if (this.stopped) break;
        pending = this.exclusive(() => this.applyChunk(source, head.items, signers, head.end));
        // awaited on the next turn (and at the end); marked handled for the same reason
        pending.catch(() => undefined);
        // let the next chunk's preparation start before this one's shard commits finish
        await new Promise((resolve) => setImmediate(resolve));
      }
      await pending;
      // recoveries of chunks left unapplied after a stop are awaited so none is left dangling
      await Promise.allSettled(inFlight.map((c) => c.signers));
    } finally {
      reader.close();
    }
    const done = readCursor(this.deps.store, source);
    this.deps.notify({ type: 'progress', source, line: done.line, block: this.confirmedBlock, caughtUp: !this.stopped });
  }

  /** Runs chunk applications one after the other (file chunks and live batches interleave). */
  private exclusive(apply: () => Promise<void>): Promise<void> {
    const run = this.applying.then(apply);
    this.applying = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies lines of a live source (Matrix presence and to-device input, in event-log form)
   * through exactly the steps of the file source: parse, decode, recover signers, verify,
   * dispatch, record. Resolves once the shards and the ingress have committed them.
   *
   * Live input cannot be replayed from a cursor. Its shard positions come from one counter
   * that must grow across restarts (a shard skips positions it holds), so blocks of
   * positions are reserved and committed before any of them is dispatched.
   */
  async applyLive(source: string, lines: readonly string[]): Promise<void> {
    for (let from = 0; from < lines.length; from += this.deps.chunkLines) {
      const slice = lines.slice(from, from + this.deps.chunkLines);
      // every line and every message of a to-device body gets a position of its own
      const numbered = slice.map((text) => ({ text, number: ++this.livePosition }));
      const prepared = prepareLines(numbered, (key, n) => this.count(key, n), () => ++this.livePosition);
      if (this.livePosition > this.liveReserved) {
        this.liveReserved = this.livePosition + LIVE_POSITION_BLOCK;
        writeCursor(this.deps.store, LIVE_CURSOR, { line: this.liveReserved, offset: 0, block: 0 });
        await this.deps.store.env.committed;
      }
      const signers = await this.deps.recover(prepared.jobs);
      const end = { line: this.livePosition, offset: 0, block: 0 };
      await this.exclusive(() => this.applyChunk(source, prepared.items, signers, end));
    }
  }

  /**
   * A live source finished its first sync: stored presence of the users it covers that no
   * event confirmed stays unknown (and is persisted so), and the main thread learns that
   * this source has caught up (readiness waits for every live source).
   */
  async liveSynced(source: string, covers: (userId: string) => boolean): Promise<void> {
    await this.exclusive(async () => {
      const changes = this.tracker.confirmStale(covers);
      this.persistPresence(changes);
      await this.deps.store.env.committed;
      if (changes.length > 0) this.deps.notify({ type: 'presence', changes });
    });
    if (this.liveWaiting.delete(source)) this.deps.notify({ type: 'live_synced', source });
  }

  /** Every user known from stored or live presence (displaynames and avatars to reuse). */
  knownUsers(): IterableIterator<UserRecord> {
    return this.tracker.allUsers();
  }

  private count(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  /**
   * Applies a prepared chunk in order, dispatches to shards, then commits the cursor (its
   * block is `cursorBlock` when given, else the highest block seen from any source).
   */
  private async applyChunk(source: string, items: readonly Prepared[], signers: readonly (Address | null)[], end: Cursor, cursorBlock: number | null = null): Promise<void> {
    const { registry, store } = this.deps;
    const perShard = new Map<number, ShardEvent[]>();
    const dispatch = (network: Address, event: ShardEvent) => {
      const shard = this.networks.get(network)?.shard;
      if (shard === undefined) return false;
      let list = perShard.get(shard);
      if (list === undefined) perShard.set(shard, (list = []));
      list.push(event);
      return true;
    };
    const accepted: string[] = [];
    const presence: PresenceChange[] = [];
    const newNetworks: { address: Address; shard: number }[] = [];
    const now = this.deps.now();

    for (const item of items) {
      const position = { source, at: item.position };
      const input = item.input;
      let ok = true;
      switch (input.kind) {
        case 'skip':
          ok = false;
          break;
        case 'invalid':
          this.count(`line:rejected_${input.reason}`);
          this.deps.notify({ type: 'log', level: 'warning', message: 'event log line skipped', fields: { line: item.line, reason: input.reason } });
          ok = false;
          break;
        case 'block':
          this.raiseBlock(input.block);
          this.count('block:applied');
          break;
        case 'network_created': {
          this.raiseBlock(input.block);
          if (!this.networks.has(input.network)) {
            const createdSeq = this.networks.size;
            const shard = createdSeq % this.deps.shardCount;
            this.networks.set(input.network, { createdSeq, shard });
            newNetworks.push({ address: input.network, shard });
          }
          const entry = this.networks.get(input.network)!;
          dispatch(input.network, {
            kind: 'network_created',
            network: input.network,
            token: input.token,
            settleTimeout: input.settleTimeout,
            createdSeq: entry.createdSeq,
            block: input.block,
            position,
          });
          this.count('network_created:dispatched');
          break;
        }
        case 'channel_opened': {
          this.raiseBlock(input.block);
          if (!this.networks.has(input.network)) {
            this.count('channel_opened:rejected_unknown_network');
            ok = false;
            break;
          }
          if (registry.register(input.participants[0]) === null || registry.register(input.participants[1]) === null) {
            this.count('channel_opened:rejected_registry_full');
            ok = false;
            break;
          }
          dispatch(input.network, { kind: 'channel_opened', network: input.network, id: input.id, participants: input.participants, block: input.block, position });
          break;
        }
        case 'channel_closed':
          this.raiseBlock(input.block);
          if (!dispatch(input.network, { kind: 'channel_closed', network: input.network, id: input.id, block: input.block, position })) {
            this.count('channel_closed:rejected_unknown_network');
            ok = false;
          }
          break;
        case 'presence': {
          const change = this.presence(input, now);
          if (change === null) ok = false;
          else presence.push(change);
          break;
        }
        case 'to_device':
          ok = this.toDevice(input.sender, item, signers, position, dispatch);
          break;
      }
      if (ok) accepted.push(item.text);
    }

    if (newNetworks.length > 0) this.deps.notify({ type: 'networks', networks: newNetworks });
    const replies = await Promise.all([...perShard].map(([shard, events]) => this.deps.sendBatch(shard, events)));
    for (const reply of replies) for (const [k, n] of Object.entries(reply.outcomes)) this.count(k, n);
    if (presence.length > 0) this.deps.notify({ type: 'presence', changes: presence });
    if (accepted.length > 0 && this.deps.record !== null) {
      const text = accepted.join('\n') + '\n';
      this.deps.record.append(text);
      this.recordLength += Buffer.byteLength(text, 'utf8');
      const length = Buffer.alloc(8);
      length.writeBigUInt64BE(BigInt(this.recordLength));
      void store.dbs.cursors.put(Buffer.from(RECORD_CURSOR, 'utf8'), length);
    }

    // everything of this chunk is durable in the shards: commit our own state and cursor
    persistRegistry(store, registry, this.persistedRegistry);
    this.persistedRegistry = registry.count;
    this.persistPresence(presence);
    writeCursor(store, source, { ...end, block: cursorBlock ?? this.confirmedBlock });
    await store.env.committed;
    this.deps.notify({ type: 'counts', counts: this.counts });
    this.counts = {};
    this.deps.notify({ type: 'progress', source, line: end.line, block: this.confirmedBlock, caughtUp: false });
  }

  private raiseBlock(block: number): void {
    if (block > this.confirmedBlock) this.confirmedBlock = block;
  }

  /** A presence event: the displayname must be the user id signed by its address (§8.2). */
  private presence(input: Extract<LogInput, { kind: 'presence' }>, now: number): PresenceChange | null {
    const verified = verifyDisplayname(input.userId, input.displayname);
    if (!verified.ok) {
      this.count(`presence:rejected_${verified.reason}`);
      return null;
    }
    const index = this.deps.registry.register(verified.address);
    if (index === null) {
      this.count('presence:rejected_registry_full');
      return null;
    }
    if (!this.userSeq.has(input.userId)) this.userSeq.set(input.userId, this.userSeq.size);
    const change = this.tracker.update(
      { userId: input.userId, address: verified.address, presence: input.presence, displayname: input.displayname, avatarUrl: input.avatarUrl },
      now,
    );
    this.deps.registry.setReachable(index, change.record.reachability === 'reachable');
    this.count(`presence:${input.presence}`);
    return change;
  }

  /** A to-device message: each line verified like a live Matrix message (§6.3, §8.5). */
  private toDevice(
    sender: string,
    item: Prepared,
    signers: readonly (Address | null)[],
    position: { source: string; at: number },
    dispatch: (network: Address, event: ShardEvent) => boolean,
  ): boolean {
    const senderAddress = addressOfUserId(sender);
    if (senderAddress === null) {
      this.count('message:rejected_bad_sender');
      return false;
    }
    let any = false;
    for (const { decoded, job, packed, position: at } of item.messages) {
      if (decoded.kind === 'invalid') {
        // the reason text comes from the input: logged, while the counter keeps a fixed label
        this.count('message:rejected_invalid');
        this.deps.notify({ type: 'log', level: 'info', message: INVALID_MESSAGE_LOG, fields: { line: item.line, reason: decoded.reason.slice(0, 200) } });
        continue;
      }
      if (decoded.kind === 'other') {
        this.count('message:ignored_other_type');
        continue;
      }
      const signer = job >= 0 ? signers[job] ?? null : null;
      const ctx = {
        chainId: this.deps.chainId,
        isKnownTokenNetwork: (n: Address) => this.networks.has(n),
        expectedSender: senderAddress,
        recoverSigner: () => signer,
        // unpackable messages (no job) are packed again by validation, which rejects them
        packed: packed ?? undefined,
      };
      const result =
        decoded.kind === 'capacity_update'
          ? validateCapacityUpdate(decoded as DecodedCapacityUpdate, ctx)
          : validateFeeUpdate(decoded as DecodedFeeUpdate, ctx);
      if (!result.ok) {
        this.count(`${decoded.kind}:rejected_${result.reason}`);
        continue;
      }
      const event: ShardEvent =
        decoded.kind === 'capacity_update'
          ? { kind: 'capacity_update', network: result.tokenNetwork, update: result.update as never, position: { source: position.source, at } }
          : { kind: 'fee_update', network: result.tokenNetwork, update: result.update as never, position: { source: position.source, at } };
      dispatch(result.tokenNetwork, event);
      any = true;
    }
    return any;
  }
}
