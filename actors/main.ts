import { join } from 'node:path';
import { type Config, confirmationsFor, dataDirFor, parseProcessConfig, resolveKey } from '../src/config.ts';
import { ZERO_ADDRESS, type Address } from '../src/domain/index.ts';
import { NATIVE_KECCAK } from '../src/domain/keccak.ts';
import { Logger } from '../src/log.ts';
import { checkDataDir, closeStore, openStore, type Store } from '../src/store/environment.ts';
import { DEFAULT_FEEDBACK_LIMITS, FeedbackStore } from '../src/store/feedback-store.ts';
import { FailedRequests } from '../src/http/index.ts';
import { SERVICE_VERSION, CONTRACTS_VERSION } from '../src/version.ts';
import { QueueFull } from './front/api.ts';
import { DEFAULT_SUGGEST_SETTINGS, SuggestCache } from './front/partner-api.ts';
import { PresenceIndex } from './front/presence-index.ts';
import type { SuggestTaskResult } from './path-pool/task.ts';
import { HttpFront } from './front/http-server.ts';
import { ServiceMetrics } from './front/service-metrics.ts';
import { loadNativeUws } from './front/uws.ts';
import { startDemo } from './demo.ts';
import { Actors } from './service.ts';
import type { PaymentsFront } from './front/payment-api.ts';
import { IouLedger, PaymentDesk, asFields } from '../src/payments/index.ts';
import { type ChainLink, connectChain } from './chain-link.ts';
import { resolveMatrixServers } from './matrix-servers.ts';

/**
 * The process: configuration, data dir, actors, HTTP front, signals. Exit codes: 0 after
 * a clean stop (SIGINT/SIGTERM), 1 when the service cannot run (data dir refused, port in
 * use, an actor that keeps crashing), 2 for an invalid configuration.
 */

/** Address-registry slots (a power of two; half of them usable): 2 million addresses. */
const REGISTRY_SLOTS = 1 << 22;
/** Event-log lines per ingestion chunk (one signature batch, one commit per shard). */
const CHUNK_LINES = 4000;
/** How often the feedback table's age bound is applied when no answer triggers it. */
const FEEDBACK_SWEEP_MS = 60_000;
/** Long-poll timeout of a Matrix /sync (the reference's 60 s). */
const MATRIX_SYNC_TIMEOUT_MS = 60_000;
/** Per-request timeout of the chain source's JSON-RPC calls (the reference's web3 default). */
const CHAIN_REQUEST_TIMEOUT_MS = 10_000;

function printErrors(errors: readonly string[]): void {
  for (const e of errors) process.stderr.write(`pfs: error: ${e}\n`);
  process.stderr.write('Run `pfs --help` for the options.\n');
}

async function main(): Promise<number> {
  const parsed = parseProcessConfig();
  if (!parsed.ok) {
    printErrors(parsed.errors);
    return 2;
  }
  for (const w of parsed.warnings) process.stderr.write(`pfs: warning: ${w}\n`);
  if (parsed.command === 'help') {
    process.stdout.write(parsed.text);
    return 0;
  }
  // loaded only for this command: it brings ethers, which serve does not need at start
  if (parsed.command === 'claim-fees') return (await import('./claim-fees.ts')).runClaimFees(parsed.config);
  const unsupported: string[] = [];
  if (unsupported.length > 0) {
    printErrors(unsupported);
    return 2;
  }
  return serve(parsed.config, parsed.command === 'demo');
}

/**
 * The payment side: with a service fee (which needs a chain) the desk checks and stores
 * IOUs; without one requests are free, and GET payment/iou still reads the ledger.
 */
function paymentsFront(config: Config, chainId: bigint, service: Address, link: ChainLink | null, ledger: IouLedger, latestBlock: () => number): { front: PaymentsFront; ledger: IouLedger } {
  const lastIou = (sender: Address) => {
    const active = ledger.active(sender);
    return active === null ? null : asFields(active, service);
  };
  if (config.serviceFee === 0n || link === null) return { front: { pay: async () => ({ ok: true, committed: Promise.resolve({ ok: true }) }), lastIou }, ledger };
  const { oneToN, userDeposit } = link.facts;
  // the configuration requires both with a fee; the start-up checks confirmed them
  if (oneToN === null || userDeposit === null) throw new Error('a service fee needs OneToN and UserDeposit');
  const desk = new PaymentDesk(
    { serviceFee: config.serviceFee, service, chainId, oneToN, confirmations: confirmationsFor(config.confirmations, chainId) },
    {
      ledger,
      nowSeconds: () => BigInt(Math.floor(Date.now() / 1000)),
      latestBlock,
      effectiveBalance: (sender, block) => link.effectiveBalance(userDeposit, sender, block),
    },
  );
  return { front: { pay: (iou) => desk.pay(iou), lastIou }, ledger };
}

async function serve(initial: Config, demo: boolean): Promise<number> {
  const log = new Logger(initial.logLevel, initial.logJson);
  const uws = loadNativeUws();
  if (!uws.ok) {
    log.log('CRITICAL', uws.error);
    return 1;
  }
  const key = await resolveKey(initial.key);
  if (!key.ok) {
    printErrors([key.error]);
    return 2;
  }
  // with --eth-rpc the node decides the chain id (checked against --chain-id); in
  // file-only mode the configuration requires --chain-id
  let link: ChainLink | null = null;
  if (initial.ethRpc !== null) {
    const connected = await connectChain(initial, key.address, log);
    if (!connected.ok) {
      log.log('CRITICAL', connected.message);
      return 1;
    }
    link = connected.link;
  }
  const chainId = link?.facts.chainId ?? initial.chainId!;
  const matrix = await resolveMatrixServers(initial.matrixServers, initial.knownServers, chainId, link !== null, log);
  if (!matrix.ok) {
    log.log('CRITICAL', matrix.message);
    link?.close();
    return 1;
  }
  const matrixServers = matrix.servers;
  const dataDir = dataDirFor(initial.dataDir, chainId);
  const demoNetwork = demo && initial.events === null ? startDemo(dataDir, chainId, log) : null;
  const config: Config = demoNetwork === null ? initial : { ...initial, events: demoNetwork.path };

  let store: Store;
  try {
    store = openStore(dataDir, config.lmdbMapSize === null ? {} : { mapSize: config.lmdbMapSize });
  } catch (e) {
    log.log('CRITICAL', 'cannot open the data dir', { dataDir, error: (e as Error).message });
    link?.close();
    return 1;
  }
  const registry = link?.facts.registry ?? config.contracts.registry ?? ZERO_ADDRESS;
  const userDeposit = link?.facts.userDeposit ?? config.contracts.userDeposit ?? ZERO_ADDRESS;
  const check = await checkDataDir(store, { chainId: chainId.toString(), serviceAddress: key.address, registry, userDeposit });
  if (check.kind === 'schema_mismatch' || check.kind === 'identity_mismatch') {
    log.log(
      'CRITICAL',
      check.kind === 'schema_mismatch'
        ? `the data dir ${dataDir} has schema version ${JSON.stringify(check.found)}, this version reads only its own; use another --data-dir`
        : `the data dir ${dataDir} belongs to ${check.field} ${check.stored}, not ${check.given}; use another --data-dir`,
    );
    await closeStore(store);
    link?.close();
    return 1;
  }
  log.info('starting', { dataDir, chainId: chainId.toString(), serviceAddress: key.address, nativeKeccak: NATIVE_KECCAK, events: config.events });

  const metrics = new ServiceMetrics();
  if (config.enableDebug) log.warning("The debug REST API is enabled. Don't do this on public nodes.");
  const feedback = new FeedbackStore(store, DEFAULT_FEEDBACK_LIMITS, (e) => log.error('feedback write failed', { error: String(e) }));
  feedback.sweep(Date.now());
  const feedbackSweep = setInterval(() => feedback.sweep(Date.now()), FEEDBACK_SWEEP_MS);
  feedbackSweep.unref();
  // filled from presence notices, which begin during Actors.start (so the registry exists)
  let presenceIndex: PresenceIndex | null = null;
  let stopping: ((code: number) => void) | null = null;
  const stopped = new Promise<number>((resolve) => (stopping = resolve));
  const actors = await Actors.start(
    {
      storePath: dataDir,
      mapSize: config.lmdbMapSize,
      chainId,
      shardWorkers: config.shardWorkers,
      pathWorkers: config.workers,
      queueLimit: config.queueLimit,
      events: config.events,
      record: config.record,
      deferredMax: config.deferredMax,
      deferredExpirySeconds: config.deferredExpiryS,
      registrySlots: REGISTRY_SLOTS,
      chunkLines: CHUNK_LINES,
      matrix:
        matrixServers.length === 0
          ? null
          : {
              servers: matrixServers,
              presenceRoom: config.presenceRoom,
              rateLimitBytes: config.matrixRateLimit,
              privateKey: key.privateKey.reveal(),
              syncTimeoutMs: MATRIX_SYNC_TIMEOUT_MS,
            },
      chain:
        link === null
          ? null
          : {
              url: link.url,
              chainId: chainId.toString(),
              registry: link.facts.registry,
              confirmations: confirmationsFor(config.confirmations, chainId),
              startBlock: config.startBlock,
              pollIntervalMs: config.pollIntervalMs,
              requestTimeoutMs: CHAIN_REQUEST_TIMEOUT_MS,
            },
      onCounts: (counts) => metrics.addInputCounts(counts),
      // applied as they come, while the start waits for the shards (20,000 restored users
      // took ~0.2 s between ready and listening when applied after the start)
      onPresence: (changes, registry) => (presenceIndex ??= new PresenceIndex(registry)).apply(changes),
    },
    store,
    log,
    (reason) => {
      log.log('CRITICAL', 'stopping: ' + reason);
      stopping?.(1);
    },
  );
  const presence = (presenceIndex ??= new PresenceIndex(actors.registry));
  metrics.queueLimit.set(config.queueLimit);
  const ledger = new IouLedger(store);
  const payments = paymentsFront(config, chainId, key.address, link, ledger, () => actors.confirmedBlock);
  metrics.registry.onCollect(() => {
    const now = Date.now();
    metrics.queueDepth.set(actors.queueSize);
    metrics.confirmedBlock.set(actors.confirmedBlock);
    metrics.ready.set(actors.notReadyReason === null ? 1 : 0);
    let reachable = 0;
    for (const p of actors.presence.values()) if (p.record.reachability === 'reachable') reachable++;
    metrics.reachableAddresses.set(reachable);
    metrics.feedbackRows.set(feedback.counts().rows);
    let claims = 0;
    let claimed = 0n;
    for (const iou of ledger.all()) {
      if (!iou.claimed) continue;
      claims++;
      claimed += iou.amount;
    }
    metrics.iouClaims.labels({ iou_status: 'successful' }).set(claims);
    // a float, as the reference exposes it (exact below 2^53)
    metrics.iouClaimsToken.labels({ iou_status: 'successful' }).set(Number(claimed));
    for (const n of actors.networks.values()) {
      if (n.publishedAt > 0) metrics.snapshotAge.labels({ token_network: n.address }).set((now - n.publishedAt) / 1000);
      metrics.networkChannels.labels({ token_network: n.address }).set(n.channels);
    }
  });

  const front = new HttpFront(
    uws.uws,
    {
      searchLimits: config.searchLimits,
      requestTimeoutMs: config.requestTimeoutMs,
      registry: actors.registryHandle,
      metrics,
      startedAtMs: actors.startedAt,
      info: {
        priceInfo: config.serviceFee,
        chainId,
        tokenNetworkRegistryAddress: registry,
        userDepositAddress: userDeposit,
        serviceTokenAddress: link?.facts.serviceToken ?? ZERO_ADDRESS,
        version: SERVICE_VERSION,
        contractsVersion: CONTRACTS_VERSION,
        operator: config.operator,
        message: config.infoMessage,
        paymentAddress: key.address,
        // file-only mode reports the first --matrix-server (event-log spec), a chain the main one
        matrixServer: (link === null ? config.matrixServers[0] : matrixServers[0]) ?? '',
      },
      network: (a: Address) => actors.networks.get(a),
      presence: (a: Address) => actors.presence.get(a),
      onlineAddresses: function* () {
        for (const [address, p] of actors.presence) if (p.record.reachability === 'reachable') yield address;
      },
      confirmedBlock: () => actors.confirmedBlock,
      search: async (task) => {
        try {
          return await actors.search(task);
        } catch (e) {
          if (actors.queueSize >= config.queueLimit || /queue is at limit/i.test(String((e as Error)?.message))) throw new QueueFull();
          throw e;
        }
      },
      enableDebug: config.enableDebug,
      feedback,
      failedRequests: new FailedRequests(),
      ious: { firstIou: (sender) => payments.ledger.first(sender) },
      payments: payments.front,
      queueFull: () => actors.queueSize >= config.queueLimit,
      ...(link === null ? {} : { chainProbe: () => link.rpc.blockNumber() }),
      onlineUsers: () => presence.onlineUsers(),
      reachableSince: () => presence.sinceByIndex(),
      suggest: async (task) => {
        try {
          return (await actors.pool.run(task)) as SuggestTaskResult;
        } catch (e) {
          if (actors.queueSize >= config.queueLimit || /queue is at limit/i.test(String((e as Error)?.message))) throw new QueueFull();
          throw e;
        }
      },
      suggestCache: new SuggestCache(),
      suggestSettings: DEFAULT_SUGGEST_SETTINGS,
      notReadyReason: () => actors.notReadyReason ?? actors.chainLagging,
      readyWarnings: () => {
        const w = link?.registrationWarning() ?? null;
        return w === null ? [] : [w];
      },
      metricsText: () => metrics.registry.expose(),
    },
    { maxBodyBytes: config.maxBodyBytes, bodyTimeoutMs: config.bodyTimeoutS * 1000 },
    log,
  );
  let port: number;
  try {
    port = await front.listen(config.host, config.port);
  } catch (e) {
    log.log('CRITICAL', (e as Error).message);
    clearInterval(feedbackSweep);
    await actors.stop();
    await closeStore(store);
    link?.close();
    return 1;
  }
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info('listening', { url: base, workers: config.workers, shardWorkers: config.shardWorkers });
  if (demoNetwork !== null) demoNetwork.whenReady(actors, base);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info('stopping', { signal });
      stopping?.(0);
    });
  }
  const code = await stopped;
  clearInterval(feedbackSweep);
  await front.close();
  await actors.stop();
  await closeStore(store);
  link?.close();
  log.info('stopped', { code });
  return code;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`pfs: fatal: ${String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  },
);
