import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the real service as a child process (`node actors/pfs.mjs serve ...`, or `npx pfs`),
 * on a free loopback port, and talks to it over HTTP. Every process started here is killed
 * when the test process exits, whatever happens to the test.
 */

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PFS = join(PROJECT_ROOT, 'actors', 'pfs.mjs');

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Options of a service run. */
export interface ServiceOptions {
  readonly dataDir: string;
  readonly events?: string;
  readonly chainId?: bigint;
  readonly privateKey?: string;
  /** Further command-line arguments. */
  readonly args?: readonly string[];
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Start through `npx pfs` (the black-box invocation) instead of node directly. */
  readonly viaNpx?: boolean;
  readonly command?: 'serve' | 'demo';
}

/** The key of the reference API tests' service (spec §10.4). */
export const TEST_SERVICE_KEY = '0x3a1076bf45ab87712ad64ccb3b10217737f7faacbf2872e88fdd9a537d8fe266';

/** A running service process. */
export class ServiceProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }));
  }

  /** Starts the service; does not wait for it to listen (see `waitListening`, `waitReady`). */
  static async start(o: ServiceOptions): Promise<ServiceProcess> {
    const port = await freePort();
    const args = [
      o.command ?? 'serve',
      '--host', '127.0.0.1',
      '--port', String(port),
      '--data-dir', o.dataDir,
      '--chain-id', String(o.chainId ?? 131277322940537n),
      '--private-key', o.privateKey ?? TEST_SERVICE_KEY,
      ...(o.events === undefined ? [] : ['--events', o.events]),
      ...(o.args ?? []),
    ];
    const env = { ...process.env, ...(o.env ?? {}) };
    const child = o.viaNpx === true
      ? spawn('npx', ['--no-install', 'pfs', ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [PFS, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    return new ServiceProcess(child, port);
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get log(): string {
    return this.output;
  }

  /** Resolves once `path` answers with `status`; rejects on exit or after `timeoutMs`. */
  async waitFor(path: string, status: number, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < until) {
      if (exited) throw new Error(`service exited before ${path} answered ${status}:\n${this.output}`);
      try {
        const r = await fetch(this.url + path, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        if (r.status === status) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${path} ${status}:\n${this.output}`);
  }

  waitListening(timeoutMs = 60_000): Promise<void> {
    return this.waitFor('/health', 200, timeoutMs);
  }

  waitReady(timeoutMs = 60_000): Promise<void> {
    return this.waitFor('/ready', 200, timeoutMs);
  }

  /** SIGTERM and the exit code (a clean stop is 0). */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    const { code } = await this.exited;
    return code;
  }

  /** kill -9: no cleanup at all. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A request; the body is parsed as JSON when it is JSON. */
  async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    const init: RequestInit = { method, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers } };
    if (body !== undefined) init.body = body;
    const r = await fetch(this.url + path, init);
    const text = await r.text();
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: r.status, headers: r.headers, text, json };
  }

  post(path: string, body: unknown): Promise<HttpResult> {
    return this.request('POST', path, typeof body === 'string' ? body : JSON.stringify(body));
  }

  get(path: string): Promise<HttpResult> {
    return this.request('GET', path);
  }
}

/** An HTTP answer. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}
