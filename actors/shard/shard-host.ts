import type { Address } from '../../src/domain/index.ts';
import { type AddressRegistry, type SnapshotImage, decodeSnapshotImage, imageMatchesRegistry } from '../../src/graph/index.ts';
import type { DeferralLimits } from '../../src/store/deferred-store.ts';
import type { Store } from '../../src/store/environment.ts';
import { networkKey } from '../../src/store/network-store.ts';
import type { ShardCommand, ShardEvent, ShardNotice, ShardReply } from './messages.ts';
import { NetworkActor } from './network-actor.ts';

/** Outcomes that mean the event took effect or was a harmless repeat; anything else is a rejection. */
const TAKEN = new Set(['applied', 'opened', 'opened_with_deferred', 'closed', 'created', 'deferred', 'duplicate', 'dropped_deferral_bound']);
/** No-ops the spec asks for (a ChannelOpened for an open channel, a known network announced again). */
const IGNORED = new Set(['already_open', 'exists']);

/** The counter label of an outcome: `applied`, `ignored_<why>` or `rejected_<why>`. */
export function outcomeName(outcome: string): string {
  if (TAKEN.has(outcome)) return outcome;
  return IGNORED.has(outcome) ? `ignored_${outcome}` : `rejected_${outcome}`;
}

/**
 * The token networks one shard worker hosts. Each network is its own actor with its own
 * state and key range; the host applies a batch of events, queues every change, waits for
 * the single LMDB commit that carries them (together with the source positions they came
 * from) and only then acknowledges the batch. Snapshot generations go to the main thread.
 */
export class ShardHost {
  private readonly store: Store;
  private readonly registry: AddressRegistry;
  private readonly limits: DeferralLimits;
  private readonly notify: (n: ShardNotice) => void;
  private readonly actors = new Map<Address, NetworkActor>();
  /** Networks created in the current batch: announced once their record has committed. */
  private created: NetworkActor[] = [];

  constructor(store: Store, registry: AddressRegistry, limits: DeferralLimits, notify: (n: ShardNotice) => void) {
    this.store = store;
    this.registry = registry;
    this.limits = limits;
    this.notify = notify;
  }

  /** Resolves once every restored network's writable state is built; commands wait for it. */
  ready: Promise<void> = Promise.resolve();
  /** Networks served from images whose writable state is still to be rebuilt. */
  private behindImages: Address[] = [];
  private rebuilt: () => void = () => undefined;

  /**
   * Restores the given networks. A network with a snapshot image (written at the last
   * clean stop) is published from it at once; its writable state is rebuilt from the
   * records by `rebuildBehindImages`, which the worker calls once it is connected (the
   * rebuild holds this thread for seconds at 100,000 channels, and the connection must not
   * wait for it) and which the first command triggers otherwise. The other networks are
   * rebuilt here.
   */
  restore(networks: readonly Address[]): void {
    const started = performance.now();
    const later: Address[] = [];
    let channels = 0;
    for (const network of networks) {
      const image = this.loadImage(network);
      if (image !== null) {
        this.notify({ type: 'snapshot', network, handle: image.handle, channels: image.meta.channels ?? 0, nodes: image.meta.nodes ?? 0 });
        later.push(network);
      } else channels += this.restoreNow(network);
    }
    if (networks.length > 0) {
      const fields = { networks: networks.length, fromImages: later.length, channels, ms: Math.round(performance.now() - started) };
      this.notify({ type: 'log', level: 'info', message: 'networks restored from the store', fields });
    }
    this.notify({ type: 'restored', networks });
    if (later.length === 0) return;
    this.behindImages = later;
    this.ready = new Promise((resolve) => (this.rebuilt = resolve));
  }

  /** Builds the writable state of the networks served from images (once; a no-op after). */
  rebuildBehindImages(): void {
    const later = this.behindImages;
    if (later.length === 0) return;
    this.behindImages = [];
    const started = performance.now();
    let channels = 0;
    for (const network of later) channels += this.restoreNow(network);
    const fields = { networks: later.length, channels, ms: Math.round(performance.now() - started) };
    this.notify({ type: 'log', level: 'info', message: 'writable state rebuilt behind the snapshot images', fields });
    this.rebuilt();
  }

  /** Loads a network from its records and publishes its snapshot; returns its channel count. */
  private restoreNow(network: Address): number {
    const actor = NetworkActor.load(this.store, network, this.registry, this.limits);
    if (actor === undefined) {
      // announced by the ingress before this shard committed its creation: the ingress
      // delivers its TokenNetworkCreated (again, after a crash), which creates it here
      this.notify({ type: 'log', level: 'info', message: 'network not stored yet; its creation event will create it', fields: { network } });
      return 0;
    }
    this.actors.set(network, actor);
    actor.publish(Date.now(), true);
    this.announce(actor);
    return actor.state.channelCount;
  }

  /** The stored image of a network, if there is one that fits the current address registry. */
  private loadImage(network: Address): SnapshotImage | null {
    const bytes = this.store.dbs.images.get(networkKey(network));
    if (bytes === undefined) return null;
    const image = decodeSnapshotImage(bytes, `${process.pid}-${Date.now()}-image-${Math.random().toString(36).slice(2)}`);
    const reason = image === null ? 'not an image of this format' : imageMatchesRegistry(image.handle, (a) => this.registry.lookup(a as Address)) ? null : 'built against another address registry';
    if (image === null || reason !== null) {
      this.notify({ type: 'log', level: 'warning', message: 'snapshot image unusable; rebuilding from the records', fields: { network, reason } });
      // removed now, so that the next clean stop stores a usable one (a network with an
      // image does not write another until a change removes it)
      this.store.dbs.images.removeSync(networkKey(network));
      return null;
    }
    return image;
  }

  /**
   * At a clean stop: after the last commit, stores an image of every network's snapshot so
   * the next start serves at once. A crash skips this and the next start rebuilds instead.
   */
  async stop(): Promise<void> {
    this.rebuildBehindImages();
    await this.ready;
    for (const actor of this.actors.values()) actor.writeImage();
    await this.store.env.committed;
  }

  /**
   * Executes one command from the ingress; resolves after the LMDB commit. Waits for the
   * rebuild behind the snapshot images first (callers must still serialise commands).
   */
  async handle(command: ShardCommand, idleAfter: () => boolean = () => false): Promise<ShardReply> {
    this.rebuildBehindImages();
    await this.ready;
    const outcomes: Record<string, number> = {};
    const now = Date.now();
    switch (command.type) {
      case 'batch':
        for (const event of command.events) {
          const key = `${event.kind}:${outcomeName(this.apply(event, now))}`;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
        }
        break;
      case 'advance':
        for (const actor of this.actors.values()) actor.advance(command.position.source, command.position.at, command.block);
        break;
    }
    for (const actor of this.actors.values()) {
      const dropped = actor.takeDroppedDeferred();
      if (dropped > 0) outcomes['deferred:dropped'] = (outcomes['deferred:dropped'] ?? 0) + dropped;
      actor.flush();
    }
    await this.store.env.committed;
    for (const actor of this.actors.values()) actor.committed();
    // an empty network has no stale topology to publish, but the main thread must learn of it
    for (const actor of this.created) if (!actor.pendingTopology) this.announce(actor);
    this.created = [];
    // Topology generations are rate-limited while commands stream in; once none is waiting
    // (the input has caught up), everything committed is published before the reply, so a
    // source that reports itself caught up never leaves /ready answering from older state.
    this.publishDue(Date.now(), idleAfter());
    return { type: 'batch_done', id: command.id, outcomes };
  }

  private apply(event: ShardEvent, now: number): string {
    const existing = this.actors.get(event.network);
    if (event.kind === 'network_created') {
      if (existing !== undefined) return existing.apply(event, now);
      const actor = NetworkActor.create(this.store, event, event.createdSeq, this.registry, this.limits);
      this.actors.set(event.network, actor);
      this.created.push(actor);
      return 'created';
    }
    if (existing === undefined) return 'unknown_network';
    return existing.apply(event, now);
  }

  /** Publishes topology generations that are due (debounced per network). */
  publishDue(now: number, force = false): void {
    for (const actor of this.actors.values()) {
      if (actor.publish(now, force) !== null) this.announce(actor);
    }
  }

  /** True while some network has an unpublished topology change. */
  get pending(): boolean {
    for (const actor of this.actors.values()) if (actor.pendingTopology) return true;
    return false;
  }

  private announce(actor: NetworkActor): void {
    this.notify({
      type: 'snapshot',
      network: actor.network,
      handle: actor.handle(),
      channels: actor.state.channelCount,
      nodes: actor.state.nodes.length,
    });
  }

  /** The hosted networks. */
  get networks(): readonly Address[] {
    return [...this.actors.keys()];
  }
}
