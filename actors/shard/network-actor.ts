import type { Address } from '../../src/domain/index.ts';
import {
  type AddressRegistry,
  type Channel,
  type NetworkSnapshotHandle,
  SnapshotWriter,
  TokenNetworkState,
  encodeSnapshotImage,
} from '../../src/graph/index.ts';
import { DeferredStore, type DeferralLimits, type DeferredUpdate } from '../../src/store/deferred-store.ts';
import type { Store } from '../../src/store/environment.ts';
import { NetworkStore, networkKey, type NetworkRecord } from '../../src/store/network-store.ts';
import { isFeeTimestampInFuture } from '../../src/protocol/index.ts';
import type { ShardEvent } from './messages.ts';

/**
 * One token network inside a shard worker: the single writer of its state. Applies events
 * (skipping positions it already applied, so a replay after a crash is harmless), defers
 * updates for unknown channels, queues the changed records for the batch's LMDB commit and
 * keeps the shared-memory snapshot current.
 */
export class NetworkActor {
  readonly network: Address;
  readonly state: TokenNetworkState;
  private readonly snapshot: SnapshotWriter;
  private readonly store: NetworkStore;
  private readonly rootStore: Store;
  private readonly deferred: DeferredStore;
  private readonly tokenAddress: Address;
  private readonly createdSeq: number;
  private readonly limits: DeferralLimits;
  private block: number;
  private readonly positions: Map<string, number>;
  private readonly dirty = new Map<bigint, Channel>();
  /** Deferred updates dropped (bound or expiry) since the counters were last taken. */
  private droppedDeferred = 0;
  private readonly removed = new Set<bigint>();
  private persistedNodes: number;
  private recordDirty = false;
  /** True while the store holds a snapshot image of this network (see writeImage). */
  private imageStored: boolean;
  private lastPublish = 0;
  private lastBuildMs = 0;

  private constructor(
    store: Store,
    state: TokenNetworkState,
    record: NetworkRecord,
    registry: AddressRegistry,
    limits: DeferralLimits,
  ) {
    this.network = record.address;
    this.state = state;
    this.rootStore = store;
    this.store = new NetworkStore(store, record.address);
    this.deferred = new DeferredStore(store, record.address, limits);
    this.limits = limits;
    this.tokenAddress = record.tokenAddress;
    this.createdSeq = record.createdSeq;
    this.block = record.block;
    this.positions = new Map(record.positions);
    this.persistedNodes = record.nodeCount;
    this.snapshot = new SnapshotWriter(state, (_node, address) => Math.max(0, registry.lookup(address)));
    this.imageStored = store.dbs.images.doesExist(networkKey(record.address));
  }

  /** Restores a stored network; undefined if it is not stored. */
  static load(store: Store, network: Address, registry: AddressRegistry, limits: DeferralLimits): NetworkActor | undefined {
    const loaded = new NetworkStore(store, network).load();
    if (loaded === undefined) return undefined;
    return new NetworkActor(store, loaded.state, loaded.record, registry, limits);
  }

  /** Creates a new network (TokenNetworkCreated) and queues its record. */
  static create(
    store: Store,
    event: Extract<ShardEvent, { kind: 'network_created' }>,
    createdSeq: number,
    registry: AddressRegistry,
    limits: DeferralLimits,
  ): NetworkActor {
    const record: NetworkRecord = {
      address: event.network,
      tokenAddress: event.token,
      settleTimeout: event.settleTimeout,
      createdSeq,
      nextEdgeSeq: 0,
      nextOpenSeq: 0,
      nodeCount: 0,
      block: event.block,
      positions: new Map([[event.position.source, event.position.at]]),
    };
    const actor = new NetworkActor(store, new TokenNetworkState(event.network, event.settleTimeout), record, registry, limits);
    actor.recordDirty = true;
    return actor;
  }

  /** True when this network already applied the event's position. */
  applied(source: string, at: number): boolean {
    const done = this.positions.get(source);
    return done !== undefined && at <= done;
  }

  /** Applies one event; returns its outcome name for counting. */
  apply(event: ShardEvent, now: number): string {
    const { source, at } = event.position;
    if (this.applied(source, at)) return 'duplicate';
    this.positions.set(source, at);
    this.recordDirty = true;
    switch (event.kind) {
      case 'network_created':
        return 'exists';
      case 'channel_opened': {
        this.advanceBlock(event.block);
        const r = this.state.openChannel(event.id, event.participants[0], event.participants[1]);
        if (r.kind !== 'opened') return r.kind;
        this.touch(r.channel);
        let replayed = 0;
        for (const d of this.deferred.take(event.id, now)) {
          if (this.applyUpdate(d, now) === 'applied') replayed++;
        }
        return replayed > 0 ? 'opened_with_deferred' : 'opened';
      }
      case 'channel_closed': {
        this.advanceBlock(event.block);
        const r = this.state.closeChannel(event.id);
        if (r.kind !== 'closed') return r.kind;
        this.dirty.delete(event.id);
        this.removed.add(event.id);
        return 'closed';
      }
      case 'capacity_update':
        return this.updateOrDefer({ kind: 'capacity', update: event.update }, now);
      case 'fee_update':
        return this.updateOrDefer({ kind: 'fee', update: event.update }, now);
    }
  }

  /** Raises the confirmed block (events arrive in block order; a stale one changes nothing). */
  advanceBlock(block: number): void {
    if (block > this.block) {
      this.block = block;
      this.recordDirty = true;
    }
  }

  /** Records that everything of `source` up to `at` was dispatched (no event for us). */
  advance(source: string, at: number, block: number): void {
    if (!this.applied(source, at)) {
      this.positions.set(source, at);
      this.recordDirty = true;
    }
    this.advanceBlock(block);
  }

  private updateOrDefer(d: DeferredUpdate, now: number): string {
    const outcome = this.applyUpdate(d, now);
    if (outcome !== 'unknown_channel') return outcome;
    this.droppedDeferred += this.deferred.add(d, now);
    // with --deferred-max 0 nothing waits: the update itself was dropped
    return this.limits.maxEntries <= 0 ? 'dropped_deferral_bound' : 'deferred';
  }

  private applyUpdate(d: DeferredUpdate, now: number): string {
    if (d.kind === 'fee') {
      // §6.3 step 7 comes after the channel and participant checks, before the timestamp order
      const channel = this.state.channel(d.update.channelId);
      if (channel !== undefined && channel.participants.includes(d.update.updating) && isFeeTimestampInFuture(d.update.timestamp, now)) {
        return 'timestamp_in_future';
      }
    }
    const r = d.kind === 'capacity' ? this.state.applyCapacityUpdate(d.update) : this.state.applyFeeUpdate(d.update);
    if (r.kind === 'applied') this.touch(r.channel);
    return r.kind;
  }

  private touch(channel: Channel): void {
    this.dirty.set(channel.id, channel);
    this.removed.delete(channel.id);
    this.snapshot.syncChannel(channel);
  }

  /** Queues every change since the last flush for the current LMDB transaction. */
  flush(): void {
    const changed = this.persistedNodes !== this.state.nodes.length || this.dirty.size > 0 || this.removed.size > 0 || this.recordDirty;
    // the image shows the state before this change: it goes in the same transaction
    if (changed && this.imageStored) {
      void this.rootStore.dbs.images.remove(networkKey(this.network));
      this.imageStored = false;
    }
    for (let i = this.persistedNodes; i < this.state.nodes.length; i++) this.store.putNode(i, this.state.nodes[i]!);
    if (this.persistedNodes !== this.state.nodes.length) {
      this.persistedNodes = this.state.nodes.length;
      this.recordDirty = true;
    }
    for (const channel of this.dirty.values()) this.store.putChannel(channel, this.state.pairOf(channel)!.seq);
    for (const id of this.removed) this.store.removeChannel(id);
    this.dirty.clear();
    this.removed.clear();
    if (!this.recordDirty) return;
    const counters = this.state.orderCounters();
    this.store.putRecord({
      address: this.network,
      tokenAddress: this.tokenAddress,
      settleTimeout: this.state.settleTimeout,
      createdSeq: this.createdSeq,
      nextEdgeSeq: counters.nextEdgeSeq,
      nextOpenSeq: counters.nextOpenSeq,
      nodeCount: this.state.nodes.length,
      block: this.block,
      positions: this.positions,
    });
    this.recordDirty = false;
  }

  /**
   * A new topology generation when channels opened or closed, at most every few hundred
   * milliseconds (and never more often than five times the last build took), so catch-up
   * over many opens does not spend its time rebuilding. `force` publishes now.
   */
  publish(now: number, force = false): NetworkSnapshotHandle | null {
    if (!this.snapshot.topologyStale) return null;
    if (!force && now - this.lastPublish < Math.max(200, 5 * this.lastBuildMs)) return null;
    const start = Date.now();
    this.snapshot.publishTopology();
    this.lastBuildMs = Date.now() - start;
    this.lastPublish = now;
    return this.snapshot.handle();
  }

  /**
   * Stores an image of the current snapshot (after a final flush, at a clean stop), so the
   * next start can serve this network before it has rebuilt the state from the records.
   */
  writeImage(): void {
    if (this.imageStored) return;
    this.publish(Date.now(), true);
    const image = encodeSnapshotImage(this.snapshot.handle(), { channels: this.state.channelCount, nodes: this.state.nodes.length });
    void this.rootStore.dbs.images.put(networkKey(this.network), image);
    this.imageStored = true;
  }

  /** The current snapshot handle (latest published generation). */
  handle(): NetworkSnapshotHandle {
    return this.snapshot.handle();
  }

  /** True when a topology change awaits publication. */
  get pendingTopology(): boolean {
    return this.snapshot.topologyStale;
  }

  /** Called after the LMDB transaction with the flushed changes committed. */
  committed(): void {
    this.deferred.committed();
  }

  /** Highest confirmed block applied. */
  get confirmedBlock(): number {
    return this.block;
  }

  /** Deferred updates dropped by the bound or by expiry since the last call. */
  takeDroppedDeferred(): number {
    const n = this.droppedDeferred + this.deferred.takeExpired();
    this.droppedDeferred = 0;
    return n;
  }

  /** Deferred updates held. */
  get deferredCount(): number {
    return this.deferred.size;
  }
}
