import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { CORS_HEADERS, type HttpReply, internalServerError, payloadTooLarge, renderError, statusText } from '../../src/http/index.ts';
import type { Logger } from '../../src/log.ts';
import type { ApiDeps } from './api.ts';
import { type OpsDeps, match } from './routes.ts';
import type { UwsModule } from './uws.ts';

/**
 * The HTTP front on uWebSockets.js. It reads what it needs from the request synchronously
 * (uWS invalidates the request object after the handler returns), enforces the body limit
 * from Content-Length before reading a byte, and the body deadline while reading; then it
 * hands the request to the route table and writes the answer, with the CORS headers on
 * everything under /api (spec §2.1).
 */
export interface FrontLimits {
  /** Largest request body accepted (413 above it). */
  readonly maxBodyBytes: number;
  /** Time a client has to deliver the whole body; the connection is closed after it. */
  readonly bodyTimeoutMs: number;
}

const KNOWN_METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);

export class HttpFront {
  private readonly app: TemplatedApp;
  private readonly uws: UwsModule;
  private readonly deps: ApiDeps & OpsDeps;
  private readonly limits: FrontLimits;
  private readonly log: Logger;
  private listenSocket: us_listen_socket | null = null;
  /** Requests whose answer is still being computed (drained at shutdown). */
  private inFlight = 0;

  constructor(uws: UwsModule, deps: ApiDeps & OpsDeps, limits: FrontLimits, log: Logger) {
    this.uws = uws;
    this.deps = deps;
    this.limits = limits;
    this.log = log;
    this.app = uws.App();
    this.app.any('/*', (res, req) => this.onRequest(res, req));
  }

  /** Listens on host:port; resolves with the bound port or rejects. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.app.listen(host, port, (socket) => {
        if (socket === false) return reject(new Error(`cannot listen on ${host}:${port} (in use or not permitted)`));
        this.listenSocket = socket;
        resolve(this.uws.us_socket_local_port(socket));
      });
    });
  }

  /** Stops accepting connections; waits (bounded) for answers being computed. */
  async close(waitMs = 2000): Promise<void> {
    if (this.listenSocket !== null) this.uws.us_listen_socket_close(this.listenSocket);
    this.listenSocket = null;
    const until = Date.now() + waitMs;
    while (this.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  private onRequest(res: HttpResponse, req: HttpRequest): void {
    const started = performance.now();
    const method = req.getCaseSensitiveMethod().toUpperCase();
    const path = req.getUrl();
    const query = req.getQuery() ?? '';
    const contentType = req.getHeader('content-type');
    const lengthHeader = req.getHeader('content-length');
    const underApi = path === '/api' || path.startsWith('/api/');
    const state = { aborted: false, answered: false };
    res.onAborted(() => {
      state.aborted = true;
    });

    const found = match(method, path, this.deps.enableDebug);
    const endpoint = found.kind === 'route' ? found.route.endpoint : found.endpoint;
    const methodLabel = KNOWN_METHODS.has(method) ? method : 'OTHER';
    const send = (reply: HttpReply, close = false): void => {
      if (state.aborted || state.answered) return;
      state.answered = true;
      res.cork(() => {
        res.writeStatus(statusText(reply.status));
        if (underApi) for (const [k, v] of CORS_HEADERS) res.writeHeader(k, v);
        for (const [k, v] of reply.headers) res.writeHeader(k, v);
        res.writeHeader('Content-Type', reply.contentType);
        if (method === 'HEAD') res.endWithoutBody(Buffer.byteLength(reply.body), close);
        else res.end(reply.body, close);
      });
      const m = this.deps.metrics;
      m.requests.labels({ endpoint, method: methodLabel, status: String(reply.status) }).inc();
      m.latency.labels({ endpoint }).observe((performance.now() - started) / 1000);
    };

    // uWS hands over a request whose Content-Length is not a decimal number and then drops the
    // connection itself, so no answer (it would have been a 413) can reach the client: close
    // it and count it as what it is
    if (lengthHeader !== '' && !/^[0-9]+$/.test(lengthHeader)) {
      state.answered = true;
      this.deps.metrics.requests.labels({ endpoint, method: methodLabel, status: 'bad_framing' }).inc();
      res.close();
      return;
    }
    // a body we do not read (404, 405, 413) leaves the connection in an unknown state: close it
    const declared = lengthHeader === '' ? 0 : Number(lengthHeader);
    const hasBody = lengthHeader !== '' || req.getHeader('transfer-encoding') !== '';
    if (found.kind === 'reply') return send(found.reply, hasBody && declared !== 0);
    if (!found.needsBody) return this.run(found.route.handler, found.args, { method, contentType: contentType || undefined, body: new Uint8Array(0), query }, send);

    const max = this.limits.maxBodyBytes;
    if (!Number.isSafeInteger(declared) || declared < 0 || declared > max) return send(renderError(payloadTooLarge(max)), true);
    const chunks: Buffer[] = [];
    let received = 0;
    const timeout = setTimeout(() => {
      if (state.aborted || state.answered) return;
      state.answered = true;
      this.deps.metrics.requests.labels({ endpoint, method, status: 'body_timeout' }).inc();
      res.close();
    }, this.limits.bodyTimeoutMs);
    res.onData((chunk, isLast) => {
      if (state.answered || state.aborted) return;
      received += chunk.byteLength;
      if (received > max) {
        clearTimeout(timeout);
        return send(renderError(payloadTooLarge(max)), true);
      }
      // uWS reuses the chunk's memory after this callback returns: copy it
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (!isLast) return;
      clearTimeout(timeout);
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      this.run(found.route.handler, found.args, { method, contentType: contentType || undefined, body, query }, send);
    });
  }

  private run(
    handler: Extract<ReturnType<typeof match>, { kind: 'route' }>['route']['handler'],
    args: readonly string[],
    request: { method: string; contentType: string | undefined; body: Uint8Array; query: string },
    send: (reply: HttpReply, close?: boolean) => void,
  ): void {
    let result: HttpReply | Promise<HttpReply>;
    try {
      result = handler(this.deps, args, request);
    } catch (e) {
      return this.failed(e, send);
    }
    if (!(result instanceof Promise)) return send(result);
    this.inFlight++;
    result.then(
      (reply) => send(reply),
      (e: unknown) => this.failed(e, send),
    ).finally(() => this.inFlight--);
  }

  private failed(e: unknown, send: (reply: HttpReply) => void): void {
    this.log.error('request failed', { error: String((e as Error)?.stack ?? e) });
    send(renderError(internalServerError()));
  }
}
