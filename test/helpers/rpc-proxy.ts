import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A JSON-RPC proxy in front of a dev chain, so tests can take "the node" away and bring it
 * back on the same URL (connections refused meanwhile), fail chosen calls, and watch what
 * the service asks. Requests are forwarded unchanged.
 */

/** What to do with one call before it is forwarded. */
export type Intercept = { readonly kind: 'forward' } | { readonly kind: 'http_error'; readonly status: number } | { readonly kind: 'rpc_error'; readonly message: string };

/** A running proxy. */
export class RpcProxy {
  readonly port: number;
  readonly url: string;
  private readonly target: string;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** Calls answered so far, by method. */
  readonly calls = new Map<string, number>();
  /** Decides per call (method, call number of that method from 1, params) whether to forward it. */
  intercept: (method: string, n: number, params: readonly unknown[]) => Intercept = () => ({ kind: 'forward' });
  /** Called after a forwarded answer was written, with the method and its call number. */
  onAnswered: (method: string, n: number) => void = () => undefined;

  private constructor(target: string, port: number) {
    this.target = target;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts a proxy to `target` on a free port. */
  static async start(target: string): Promise<RpcProxy> {
    const proxy = new RpcProxy(target, 0);
    const port = await proxy.listen(0);
    const bound = new RpcProxy(target, port);
    await proxy.close();
    await bound.listen(port);
    return bound;
  }

  private listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((req, res) => void this.handle(req, res));
      server.on('connection', (s) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.server = server;
        const a = server.address();
        resolve(typeof a === 'object' && a !== null ? a.port : port);
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let method = 'unknown';
    let id: unknown = null;
    let params: readonly unknown[] = [];
    try {
      const parsed = JSON.parse(body) as { method?: string; id?: unknown; params?: unknown[] };
      method = parsed.method ?? 'batch';
      id = parsed.id ?? null;
      params = parsed.params ?? [];
    } catch {
      // forwarded as is
    }
    const n = (this.calls.get(method) ?? 0) + 1;
    this.calls.set(method, n);
    const action = this.intercept(method, n, params);
    if (action.kind === 'http_error') {
      res.statusCode = action.status;
      res.end('proxy: failing this call');
      return;
    }
    if (action.kind === 'rpc_error') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message: action.message } }));
      return;
    }
    try {
      const r = await fetch(this.target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await r.text();
      res.statusCode = r.status;
      res.setHeader('content-type', 'application/json');
      res.end(text, () => this.onAnswered(method, n));
    } catch {
      res.destroy();
    }
  }

  /** Takes the node away: stops listening and drops open connections (they see resets). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Brings the node back on the same port. */
  async reopen(): Promise<void> {
    if (this.server === null) await this.listen(this.port);
  }
}
