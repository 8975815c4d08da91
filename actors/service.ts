import { MessageChannel, type Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Address } from '../src/domain/index.ts';
import { AddressRegistry, AddressRegistryWriter, type AddressRegistryHandle, type NetworkSnapshotHandle } from '../src/graph/index.ts';
import type { Logger } from '../src/log.ts';
import type { AddressMetadata, AddressRecord, PresenceChange } from '../src/transport/presence-tracker.ts';
import type { Store } from '../src/store/environment.ts';
import { listNetworks } from '../src/store/network-store.ts';
import { loadRegistry } from './ingress/ingress-state.ts';
import type { ChainSourceSettings } from './ingress/chain-source.ts';
import type { IngressNotice } from './ingress/ingress-core.ts';
import type { MatrixSourceSettings } from './ingress/matrix-source.ts';
import { matrixSourceName } from '../src/transport/matrix-connection.ts';
import type { IngressControl, IngressControlReply, IngressRequest, IngressRequestReply, IngressWorkerData } from './ingress/messages.ts';
import type { PathTask, PathTaskResult, RecoverTask } from './path-pool/task.ts';
import { Mailbox } from './runtime/mailbox.ts';
import { bundledEntry } from './runtime/bundle.mjs';
import { spawnWorker } from './runtime/spawn.ts';
import type { ShardControl, ShardControlReply, ShardNotice, ShardWorkerData } from './shard/messages.ts';

/**
 * The actors of a running service and the main thread's view of them: the supervisor.
 * It starts the ingress, the shard workers and the path pool in the order their
 * dependencies need, restarts a crashed actor from LMDB (its in-flight calls fail with a
 * clear error), and keeps what the HTTP front reads: snapshot handles per token network,
 * presence per address, counters and readiness.
 */

/** Settings the actors need (derived from the configuration by the caller). */
export interface ActorSettings {
  readonly storePath: string;
  readonly mapSize: number | null;
  readonly chainId: bigint;
  readonly shardWorkers: number;
  readonly pathWorkers: number;
  readonly queueLimit: number;
  readonly events: string | null;
  readonly record: string | null;
  readonly deferredMax: number;
  readonly deferredExpirySeconds: number;
  readonly registrySlots: number;
  readonly chunkLines: number;
  /** The live Matrix source of the ingress (none when absent or null). */
  readonly matrix?: MatrixSourceSettings | null;
  /** The live chain source of the ingress, or null in file-only mode. */
  readonly chain: ChainSourceSettings | null;
  /** Receives ingress and shard outcome counts (`kind:outcome` -> n) as they arrive. */
  readonly onCounts?: (counts: Readonly<Record<string, number>>) => void;
  /** Receives every presence change (per user) after `presence` is updated, from the start on. */
  readonly onPresence?: (changes: readonly PresenceChange[], registry: AddressRegistry) => void;
}

/** What the front knows about a token network. */
export interface NetworkView {
  readonly address: Address;
  readonly shard: number;
  snapshot: NetworkSnapshotHandle | null;
  channels: number;
  nodes: number;
  publishedAt: number;
}

/** What the front knows about an address's presence. */
export interface PresenceView {
  readonly record: AddressRecord;
  readonly metadata: AddressMetadata | null;
}

const CALL_TIMEOUT_MS = 60_000;
/** Restarts allowed per actor within RESTART_WINDOW_MS before the service gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

interface ShardSlot {
  worker: Worker;
  mailbox: Mailbox<ShardControl, ShardControlReply, never, never, never, ShardNotice>;
  networks: Address[];
  restored: boolean;
  restarts: number[];
}

/** The running actors. */
export class Actors {
  readonly networks = new Map<Address, NetworkView>();
  readonly presence = new Map<Address, PresenceView>();
  readonly counts = new Map<string, number>();
  readonly registryHandle: AddressRegistryHandle;
  readonly registry: AddressRegistry;
  readonly pool: Piscina;
  confirmedBlock = 0;
  caughtUp = false;
  /** Why the service is not ready yet (null when ready). */
  notReadyReason: string | null = 'starting';
  /** Why the chain source lags behind the confirmed head (null at the head or without a chain). */
  chainLagging: string | null = null;
  readonly startedAt = Date.now();

  private readonly settings: ActorSettings;
  private readonly log: Logger;
  private ingress!: { worker: Worker; mailbox: Mailbox<IngressControl, IngressControlReply, IngressRequest, IngressRequestReply, never, IngressNotice>; restarts: number[] };
  private readonly shards: ShardSlot[] = [];
  private readonly shardStarts = new Map<number, Promise<void>>();
  private ingressLoaded: Promise<void> = new Promise(() => undefined);
  private stopping = false;
  /** Live sources (Matrix servers) whose first sync the ingress has not applied yet. */
  private liveWaiting = new Set<string>();
  private readonly onFatal: (reason: string) => void;

  private constructor(settings: ActorSettings, log: Logger, onFatal: (reason: string) => void) {
    this.settings = settings;
    this.log = log;
    this.liveWaiting = this.liveSources();
    this.onFatal = onFatal;
    this.registryHandle = AddressRegistryWriter.allocate(settings.registrySlots);
    // the writer lives in the ingress; this constructor only initialises the header
    new AddressRegistryWriter(this.registryHandle);
    this.registry = new AddressRegistry(this.registryHandle);
    // The ingress thread boots first: its start-up is on the way to /ready, the pool's is
    // not (the pool threads boot while the stored state loads). It loads its state only
    // when asked, once the registry is loaded (see start).
    this.spawnIngress();
    this.pool = new Piscina({
      // the prebuilt task module when there is one, else its tsx bootstrap
      filename: (bundledEntry(new URL('./path-pool/task.ts', import.meta.url)) ?? new URL('./path-pool/worker.mjs', import.meta.url)).href,
      minThreads: settings.pathWorkers,
      maxThreads: settings.pathWorkers,
      maxQueue: settings.queueLimit,
      idleTimeout: 60_000,
    });
  }

  /**
   * Starts the actors; resolves once the stored state is restored (not yet caught up). The
   * ingress and the shards that host stored networks start in parallel; a shard with no
   * network yet starts when the ingress first needs it.
   */
  static async start(settings: ActorSettings, store: Store, log: Logger, onFatal: (reason: string) => void): Promise<Actors> {
    const actors = new Actors(settings, log, onFatal);
    // Shards map node addresses to registry indices while they restore, in parallel with
    // the ingress start: the registry must hold every stored address before either runs.
    loadRegistry(store, new AddressRegistryWriter(actors.registryHandle));
    for (const n of listNetworks(store)) {
      const shard = n.createdSeq % settings.shardWorkers;
      actors.networks.set(n.address, { address: n.address, shard, snapshot: null, channels: 0, nodes: 0, publishedAt: 0 });
    }
    const used = [...new Set([...actors.networks.values()].map((n) => n.shard))].sort((a, b) => a - b);
    await Promise.all([actors.loadIngress(), ...used.map((i) => actors.ensureShard(i))]);
    actors.notReadyReason = 'applying input sources';
    await actors.ingress.mailbox.call({ type: 'run' }, CALL_TIMEOUT_MS);
    return actors;
  }

  /** Starts shard `index` (with its networks) and connects it to the ingress, once. */
  private ensureShard(index: number): Promise<void> {
    let starting = this.shardStarts.get(index);
    if (starting === undefined) {
      starting = (async () => {
        this.startShard(index, this.networksOf(index));
        await this.whenRestored(this.shards[index]!);
        await this.ingressLoaded;
        await this.connect(index);
      })();
      this.shardStarts.set(index, starting);
    }
    return starting;
  }

  private networksOf(index: number): Address[] {
    return [...this.networks.values()].filter((n) => n.shard === index).map((n) => n.address);
  }

  private liveSources(): Set<string> {
    return new Set((this.settings.matrix?.servers ?? []).map(matrixSourceName));
  }

  /** Ready once the input sources are applied and every live source has synced once. */
  private updateReadiness(): void {
    if (!this.caughtUp) return;
    const waiting = this.liveWaiting.values().next();
    if (!waiting.done) {
      this.notReadyReason = `waiting for the first sync of ${waiting.value}`;
      return;
    }
    if (this.notReadyReason === null) return;
    this.notReadyReason = null;
    // ms: since the process started (node's own start-up included)
    this.log.info('input sources applied; ready', { block: this.confirmedBlock, ms: Math.round(performance.now()) });
  }

  private ingressData(): IngressWorkerData {
    const s = this.settings;
    return {
      storePath: s.storePath,
      ...(s.mapSize !== null ? { mapSize: s.mapSize } : {}),
      registry: this.registryHandle,
      chainId: s.chainId.toString(),
      shardCount: s.shardWorkers,
      events: s.events,
      record: s.record,
      chunkLines: s.chunkLines,
      matrix: s.matrix ?? null,
      chain: s.chain,
    };
  }

  private async startIngress(): Promise<void> {
    this.spawnIngress();
    await this.loadIngress();
  }

  /** Starts the ingress thread and wires its mailbox; its state is not loaded yet. */
  private spawnIngress(): void {
    const worker = spawnWorker(new URL('./ingress/ingress-worker.ts', import.meta.url), this.ingressData() as never, [], 'ingress');
    const mailbox = new Mailbox<IngressControl, IngressControlReply, IngressRequest, IngressRequestReply, never, IngressNotice>(worker);
    const restarts = this.ingress?.restarts ?? [];
    this.ingress = { worker, mailbox, restarts };
    mailbox.onNote((n) => this.ingressNotice(n));
    mailbox.onCall(async (req): Promise<IngressRequestReply> => {
      if (req.type === 'start_shard') {
        await this.ensureShard(req.index);
        return { type: 'started' };
      }
      const task: RecoverTask = { kind: 'recover', jobs: req.jobs };
      // recovery is spread over the pool in slices so every pool thread verifies
      const slices = Math.max(1, this.settings.pathWorkers);
      const size = Math.ceil(req.jobs.length / slices);
      const parts = await Promise.all(
        Array.from({ length: slices }, (_, i) => req.jobs.slice(i * size, (i + 1) * size))
          .filter((jobs) => jobs.length > 0)
          .map((jobs) => this.pool.run({ ...task, jobs }) as Promise<(Address | null)[]>),
      );
      return { type: 'recovered', signers: parts.flat() };
    });
    worker.on('error', (e) => this.log.error('ingress crashed', { error: String(e.stack ?? e) }));
    worker.on('exit', (code) => void this.ingressExited(code));
  }

  /** Has the ingress load its state from the store (the registry must be loaded). */
  private async loadIngress(): Promise<void> {
    const started = performance.now();
    const loaded = this.ingress.mailbox.call({ type: 'load' }, CALL_TIMEOUT_MS).then(() => {
      this.log.debug('ingress loaded', { ms: Math.round(performance.now() - started) });
    });
    this.ingressLoaded = loaded;
    await loaded;
  }

  private async ingressExited(code: number): Promise<void> {
    this.ingress.mailbox.close(`ingress exited with code ${code}`);
    if (this.stopping) return;
    if (!this.allowRestart(this.ingress.restarts)) return this.onFatal('the ingress keeps crashing');
    this.log.warning('restarting the ingress from the store', { code });
    this.caughtUp = false;
    this.notReadyReason = 'ingress restarting';
    this.liveWaiting = this.liveSources();
    await this.startIngress();
    for (let i = 0; i < this.shards.length; i++) if (this.shards[i] !== undefined) await this.connect(i);
    this.notReadyReason = 'applying input sources';
    await this.ingress.mailbox.call({ type: 'run' }, CALL_TIMEOUT_MS);
  }

  private ingressNotice(n: IngressNotice): void {
    switch (n.type) {
      case 'networks':
        for (const { address, shard } of n.networks) {
          if (!this.networks.has(address)) this.networks.set(address, { address, shard, snapshot: null, channels: 0, nodes: 0, publishedAt: 0 });
          // a network created after start lives on a running shard, which announces it
        }
        return;
      case 'presence':
        for (const c of n.changes) this.presence.set(c.address, { record: c.record, metadata: c.metadata });
        this.settings.onPresence?.(n.changes, this.registry);
        return;
      case 'counts':
        for (const [k, v] of Object.entries(n.counts)) this.counts.set(k, (this.counts.get(k) ?? 0) + v);
        this.settings.onCounts?.(n.counts);
        return;
      case 'progress':
        this.confirmedBlock = Math.max(this.confirmedBlock, n.block);
        if (n.caughtUp) {
          this.caughtUp = true;
          this.updateReadiness();
        }
        return;
      case 'live_synced':
        this.liveWaiting.delete(n.source);
        this.updateReadiness();
        return;
      case 'chain':
        this.chainLagging = n.lagging;
        return;
      case 'log':
        this.log.log(n.level === 'warning' ? 'WARNING' : n.level === 'error' ? 'ERROR' : 'INFO', n.message, n.fields ?? {});
        return;
    }
  }

  private startShard(index: number, networks: Address[]): void {
    const data: ShardWorkerData = {
      storePath: this.settings.storePath,
      ...(this.settings.mapSize !== null ? { mapSize: this.settings.mapSize } : {}),
      registry: this.registryHandle,
      limits: { maxEntries: this.settings.deferredMax, expirySeconds: this.settings.deferredExpirySeconds },
      networks,
      index,
    };
    const worker = spawnWorker(new URL('./shard/shard-worker.ts', import.meta.url), data as never, [], `shard-${index}`);
    const mailbox = new Mailbox<ShardControl, ShardControlReply, never, never, never, ShardNotice>(worker);
    const previous = this.shards[index];
    const slot: ShardSlot = { worker, mailbox, networks, restored: false, restarts: previous?.restarts ?? [] };
    this.shards[index] = slot;
    mailbox.onNote((n) => this.shardNotice(index, n));
    worker.on('error', (e) => this.log.error('shard crashed', { shard: index, error: String(e.stack ?? e) }));
    worker.on('exit', (code) => void this.shardExited(index, code));
  }

  private whenRestored(slot: ShardSlot): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (slot.restored ? resolve() : setTimeout(check, 20));
      check();
    });
  }

  private async shardExited(index: number, code: number): Promise<void> {
    const slot = this.shards[index]!;
    slot.mailbox.close(`shard ${index} exited with code ${code}`);
    if (this.stopping) return;
    if (!this.allowRestart(slot.restarts)) return this.onFatal(`shard ${index} keeps crashing`);
    this.log.warning('restarting a shard from the store', { shard: index, code });
    // networks created since the start belong to this shard too
    const networks = [...this.networks.values()].filter((n) => n.shard === index).map((n) => n.address);
    this.startShard(index, networks);
    await this.whenRestored(this.shards[index]!);
    await this.connect(index);
  }

  private shardNotice(index: number, n: ShardNotice): void {
    switch (n.type) {
      case 'snapshot': {
        let view = this.networks.get(n.network);
        if (view === undefined) {
          view = { address: n.network, shard: index, snapshot: null, channels: 0, nodes: 0, publishedAt: 0 };
          this.networks.set(n.network, view);
        }
        view.snapshot = n.handle;
        view.channels = n.channels;
        view.nodes = n.nodes;
        view.publishedAt = Date.now();
        return;
      }
      case 'restored':
        this.shards[index]!.restored = true;
        return;
      case 'log':
        this.log.log(n.level === 'warning' ? 'WARNING' : n.level === 'error' ? 'ERROR' : 'INFO', n.message, { shard: index, ...(n.fields ?? {}) });
        return;
    }
  }

  /** Connects shard `index` with the ingress through a fresh channel. */
  private async connect(index: number): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    await this.ingress.mailbox.call({ type: 'attach_shard', index, port: port1 }, CALL_TIMEOUT_MS, [port1]);
    await this.shards[index]!.mailbox.call({ type: 'attach_ingress', port: port2 }, CALL_TIMEOUT_MS, [port2]);
  }

  private allowRestart(history: number[]): boolean {
    const now = Date.now();
    while (history.length > 0 && history[0]! < now - RESTART_WINDOW_MS) history.shift();
    history.push(now);
    return history.length <= MAX_RESTARTS;
  }

  /** Runs a path search in the pool. */
  search(task: PathTask, signal?: AbortSignal): Promise<PathTaskResult> {
    return this.pool.run(task, signal === undefined ? {} : { signal }) as Promise<PathTaskResult>;
  }

  /** Pending searches in the pool's queue. */
  get queueSize(): number {
    return this.pool.queueSize;
  }

  /** Stops every actor: the ingress first (no new input), then the shards, then the pool. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.ingress.mailbox.call({ type: 'stop' }, CALL_TIMEOUT_MS).catch(() => undefined);
    const shards = this.shards.filter((s) => s !== undefined);
    await Promise.all(shards.map((s) => s.mailbox.call({ type: 'stop' }, CALL_TIMEOUT_MS).catch(() => undefined)));
    await Promise.all([this.ingress.worker.terminate(), ...shards.map((s) => s.worker.terminate())]);
    await this.pool.destroy();
  }
}
