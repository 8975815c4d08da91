import type { ServiceProcess } from './service-process.ts';

/**
 * Small helpers for tests of a service that follows a dev chain: the arguments that
 * connect it, polling until a condition holds, and the figures it exposes in /metrics.
 */

/** The contract addresses a service is started with (checksummed). */
export interface ServiceContracts {
  readonly registry: string;
  readonly userDeposit?: string;
  readonly oneToN?: string;
  readonly serviceRegistry?: string;
}

/** Command-line arguments that make a service follow `rpcUrl`. */
export function chainArgs(rpcUrl: string, c: ServiceContracts, confirmations: number, pollIntervalMs = 100): string[] {
  return [
    '--eth-rpc', rpcUrl,
    '--registry', c.registry,
    ...(c.userDeposit === undefined ? [] : ['--user-deposit', c.userDeposit]),
    ...(c.oneToN === undefined ? [] : ['--one-to-n', c.oneToN]),
    ...(c.serviceRegistry === undefined ? [] : ['--service-registry', c.serviceRegistry]),
    '--confirmations', String(confirmations),
    '--poll-interval-ms', String(pollIntervalMs),
  ];
}

/** Polls `check` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, service?: ServiceProcess): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}${service === undefined ? '' : `\n${service.log}`}`);
}

/** One sample of a metric, or undefined when the series does not exist. */
export function metricValue(metrics: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const want = Object.entries(labels);
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (want.every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

/** Open channels of a token network as the service reports them (0 when unknown). */
export async function channelCount(service: ServiceProcess, tokenNetwork: string): Promise<number> {
  const r = await service.get('/metrics');
  return metricValue(r.text, 'pfs_token_network_channels', { token_network: tokenNetwork.toLowerCase() }) ?? 0;
}

/** The confirmed block of /api/v1/info. */
export async function confirmedBlock(service: ServiceProcess): Promise<number> {
  const r = await service.get('/api/v1/info');
  return (r.json as { network_info: { confirmed_block: { number: number } } }).network_info.confirmed_block.number;
}

/** /ready's status and body. */
export async function readiness(service: ServiceProcess): Promise<{ status: number; body: { ready: boolean; reason?: string; warnings?: string[] } }> {
  const r = await service.get('/ready');
  return { status: r.status, body: r.json as { ready: boolean; reason?: string; warnings?: string[] } };
}
