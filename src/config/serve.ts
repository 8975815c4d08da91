/** Builds the `serve` / `demo` configuration from the raw settings. */
import { DEFAULT_SEARCH_LIMITS } from '../routing/index.ts';
import { DEFAULT_CONFIRMATIONS, readChainId, readContracts, readDataDir, readLmdbMapSize, readLogging } from './common.ts';
import { absolutePath, checkReadableFile, checkWritableTarget } from './files.ts';
import { readKeySource } from './key.ts';
import type { SettingsReader } from './reader.ts';
import type { Config, KnownServersSetting } from './types.ts';
import { parseHost, parseHttpUrl, parseIntInRange, parseRoom, parseUint256 } from './values.ts';

/** Fixed defaults of `serve` (thread counts and the queue limit depend on the machine). */
export const SERVE_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 6000,
  serviceFee: 0n,
  operator: 'John Doe',
  infoMessage: 'This is your favorite PFS.',
  logLevel: 'INFO',
  confirmations: DEFAULT_CONFIRMATIONS,
  startBlock: 0,
  pollIntervalMs: 2000,
  matrixRateLimit: 5_000_000,
  maxBodyBytes: 65_536,
  /** Queue limit = this x workers. */
  queueLimitPerWorker: 256,
  requestTimeoutMs: 2000,
  bodyTimeoutS: 10,
  searchMaxCandidates: DEFAULT_SEARCH_LIMITS.maxCandidates,
  searchMaxRelaxations: DEFAULT_SEARCH_LIMITS.maxRelaxations,
  deferredMax: 10_000,
  deferredExpiryS: 3600,
  /** Shard workers = this x available cores. */
  shardWorkersPerCore: 2,
});

/** Largest thread count accepted for --workers and --shard-workers. */
const MAX_THREADS = 1024;

function readInputFiles(r: SettingsReader): { events: string | null; record: string | null } {
  let events: string | null = null;
  let record: string | null = null;
  const eventsText = r.text('events');
  if (eventsText !== null) {
    const path = absolutePath(eventsText, r.deps);
    const problem = checkReadableFile(path, r.deps);
    if (problem === null) events = path;
    else r.fail('events', problem);
  }
  const recordText = r.text('record');
  if (recordText !== null) {
    const path = absolutePath(recordText, r.deps);
    const problem = checkWritableTarget(path, r.deps);
    if (problem !== null) r.fail('record', problem);
    else if (events === path) r.fail('record', `must not be the event log given to ${r.label('events')} (${path})`);
    else record = path;
  }
  return { events, record };
}

/** Reads every `serve` option; null when any is invalid (the reader holds the errors). */
export function buildServeConfig(r: SettingsReader): Config | null {
  const d = SERVE_DEFAULTS;
  const cores = Math.max(1, r.deps.cpuCount());
  const count = (name: string, fallback: number, min = 1, max?: number): number =>
    r.parse(name, (t) => parseIntInRange(t, min, max)) ?? fallback;

  const host = r.parse('host', parseHost) ?? d.host;
  if (host === 'localhost') {
    r.warnings.push(`${r.label('host')} localhost: uWebSockets.js may listen on ::1 only; use 127.0.0.1 or ::1 to be explicit`);
  }
  const ethRpc = r.parse('eth-rpc', parseHttpUrl);
  const chainId = readChainId(r);
  if (!r.given('chain-id') && !r.given('eth-rpc')) {
    r.errors.push('--chain-id is required without --eth-rpc (file-only mode has no node to ask)');
  }
  const serviceFee = r.parse('service-fee', (t) => parseUint256(t)) ?? d.serviceFee;
  const contracts = readContracts(r);
  if (serviceFee > 0n) {
    if (!r.given('eth-rpc')) {
      r.errors.push(`${r.label('service-fee')} ${serviceFee} needs --eth-rpc: payments need a chain (file-only mode serves for free)`);
    } else {
      for (const name of ['user-deposit', 'one-to-n']) {
        if (!r.given(name)) r.errors.push(`--${name} is required when ${r.label('service-fee')} is above 0 (IOUs are checked against it)`);
      }
    }
  }
  if (r.given('eth-rpc') && !r.given('registry')) {
    r.errors.push('--registry is required with --eth-rpc (the chain source follows that TokenNetworkRegistry)');
  }
  if (!r.given('eth-rpc')) {
    for (const name of ['confirmations', 'start-block', 'poll-interval-ms']) {
      if (r.given(name)) r.warnings.push(`${r.label(name)} has no effect without --eth-rpc`);
    }
  }
  const matrixServers = r.parseList('matrix-server', parseHttpUrl);
  const knownServers = readKnownServers(r);
  const knownListPossible = knownServers.kind === 'url' || (knownServers.kind === 'auto' && r.given('eth-rpc'));
  if (r.given('presence-room') && r.list('matrix-server').length === 0 && !knownListPossible) {
    r.warnings.push(`${r.label('presence-room')} has no effect without --matrix-server or a known-servers list`);
  }
  const workers = count('workers', cores, 1, MAX_THREADS);
  const confirmationsGiven = r.parse('confirmations', (t) => parseIntInRange(t, 0));
  const { events, record } = readInputFiles(r);
  const key = readKeySource(r);
  const dataDir = readDataDir(r);

  const settings: Omit<Config, 'key'> = {
    host,
    port: count('port', d.port, 1, 65535),
    dataDir,
    events,
    record,
    chainId,
    serviceFee,
    workers,
    shardWorkers: count('shard-workers', d.shardWorkersPerCore * cores, 1, MAX_THREADS),
    enableDebug: r.flag('enable-debug'),
    operator: r.text('operator') ?? d.operator,
    infoMessage: r.text('info-message') ?? d.infoMessage,
    ...readLogging(r),
    ethRpc,
    contracts,
    confirmations: confirmationsGiven === null
      ? { value: d.confirmations, explicit: false }
      : { value: confirmationsGiven, explicit: true },
    startBlock: count('start-block', d.startBlock, 0),
    pollIntervalMs: count('poll-interval-ms', d.pollIntervalMs, 10, 3_600_000),
    matrixServers,
    knownServers,
    presenceRoom: r.parse('presence-room', parseRoom),
    matrixRateLimit: count('matrix-rate-limit', d.matrixRateLimit),
    maxBodyBytes: count('max-body-bytes', d.maxBodyBytes),
    queueLimit: count('queue-limit', d.queueLimitPerWorker * workers),
    requestTimeoutMs: count('request-timeout-ms', d.requestTimeoutMs),
    bodyTimeoutS: count('body-timeout-s', d.bodyTimeoutS),
    searchLimits: {
      maxCandidates: count('search-max-candidates', d.searchMaxCandidates),
      maxRelaxations: count('search-max-relaxations', d.searchMaxRelaxations),
    },
    lmdbMapSize: readLmdbMapSize(r),
    deferredMax: count('deferred-max', d.deferredMax, 0),
    deferredExpiryS: count('deferred-expiry-s', d.deferredExpiryS),
  };
  return r.errors.length === 0 && key !== null ? { ...settings, key } : null;
}

/** The reference's variable naming the known-servers list (spec §8.1). */
const KNOWN_SERVERS_ENV = 'URL_KNOWN_FEDERATION_SERVERS';

/** --known-servers-url: "none", a URL, or unset (then $URL_KNOWN_FEDERATION_SERVERS, else auto). */
function readKnownServers(r: SettingsReader): KnownServersSetting {
  const text = r.text('known-servers-url');
  if (text !== null) {
    if (text.trim().toLowerCase() === 'none') return { kind: 'none' };
    const url = r.parse('known-servers-url', parseHttpUrl);
    return url === null ? { kind: 'none' } : { kind: 'url', url };
  }
  const fromEnv = r.env[KNOWN_SERVERS_ENV];
  if (fromEnv === undefined || fromEnv.trim() === '') return { kind: 'auto' };
  const parsed = parseHttpUrl(fromEnv);
  if (parsed.ok) return { kind: 'url', url: parsed.value };
  r.errors.push(`$${KNOWN_SERVERS_ENV}: ${parsed.message}`);
  return { kind: 'none' };
}
