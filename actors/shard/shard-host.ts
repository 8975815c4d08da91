import type { Address } from '../../src/domain/index.ts';
import type { AddressRegistry } from '../../src/graph/index.ts';
import type { DeferralLimits } from '../../src/store/deferred-store.ts';
import type { Store } from '../../src/store/environment.ts';
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

  /** Restores the given networks from the store and publishes their snapshots. */
  restore(networks: readonly Address[]): void {
    const started = performance.now();
    let channels = 0;
    for (const network of networks) {
      const actor = NetworkActor.load(this.store, network, this.registry, this.limits);
      if (actor === undefined) {
        this.notify({ type: 'log', level: 'error', message: 'network assigned to this shard is not stored', fields: { network } });
        continue;
      }
      this.actors.set(network, actor);
      actor.publish(Date.now(), true);
      this.announce(actor);
      channels += actor.state.channelCount;
    }
    if (networks.length > 0) {
      const fields = { networks: networks.length, channels, ms: Math.round(performance.now() - started) };
      this.notify({ type: 'log', level: 'info', message: 'networks restored from the store', fields });
    }
    this.notify({ type: 'restored', networks: [...this.actors.keys()] });
  }

  /** Executes one command from the ingress; resolves after the LMDB commit. */
  async handle(command: ShardCommand): Promise<ShardReply> {
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
    this.publishDue(Date.now());
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
