import { type HttpReply, METRICS_CONTENT_TYPE, jsonReply, methodNotAllowed, notFoundHtml, renderError } from '../../src/http/index.ts';
import { type ApiDeps, type ApiRequest, handleInfo, handleMetadata, handleOnlineAddresses, handlePaths } from './api.ts';
import { handleDebugIous, handleDebugRoutes, handleDebugStats } from './debug-api.ts';
import { handleFeedback } from './feedback-api.ts';
import { handleLastIou } from './payment-api.ts';
import { handleSuggestPartner } from './partner-api.ts';

/**
 * The route table: URL patterns (matched on the percent-decoded path, one segment per
 * argument, as Werkzeug's default converter does), their methods and handlers. Requests
 * are labelled in metrics by `endpoint`, the pattern, never by the raw URL.
 */

/** Operational endpoints next to the API (not part of the reference). */
export interface OpsDeps {
  /** Null when ready, else why not. */
  notReadyReason(): string | null;
  /** Problems that do not stop the service but need the operator (e.g. no ServiceRegistry registration). */
  readyWarnings?(): readonly string[];
  metricsText(): string;
}

type Handler = (deps: ApiDeps & OpsDeps, args: readonly string[], req: ApiRequest) => HttpReply | Promise<HttpReply>;

interface Route {
  readonly pattern: RegExp;
  readonly endpoint: string;
  /** Methods the route serves besides OPTIONS (and HEAD for GET routes). */
  readonly method: 'GET' | 'POST';
  readonly handler: Handler;
  /** Exists only with --enable-debug; otherwise the path is unknown (HTML 404, as in the reference). */
  readonly debugOnly?: boolean;
}

const SEGMENT = '([^/]+)';

const ROUTES: readonly Route[] = [
  { pattern: new RegExp(`^/api/v1/${SEGMENT}/paths$`), endpoint: '/api/v1/<token_network>/paths', method: 'POST', handler: (d, a, r) => handlePaths(d, a[0]!, r) },
  { pattern: new RegExp(`^/api/v1/${SEGMENT}/payment/iou$`), endpoint: '/api/v1/<token_network>/payment/iou', method: 'GET', handler: (d, _a, r) => handleLastIou(d.payments, r.query ?? '') },
  { pattern: /^\/api\/v1\/online_addresses$/, endpoint: '/api/v1/online_addresses', method: 'GET', handler: (d) => handleOnlineAddresses(d) },
  { pattern: /^\/api\/v1\/info$/, endpoint: '/api/v1/info', method: 'GET', handler: (d) => handleInfo(d, 1) },
  { pattern: /^\/api\/v2\/info$/, endpoint: '/api/v2/info', method: 'GET', handler: (d) => handleInfo(d, 2) },
  { pattern: new RegExp(`^/api/v1/address/${SEGMENT}/metadata$`), endpoint: '/api/v1/address/<address>/metadata', method: 'GET', handler: (d, a) => handleMetadata(d, a[0]!) },
  { pattern: new RegExp(`^/api/v1/${SEGMENT}/feedback$`), endpoint: '/api/v1/<token_network>/feedback', method: 'POST', handler: (d, a, r) => handleFeedback(d, a[0]!, r) },
  { pattern: new RegExp(`^/api/v1/${SEGMENT}/suggest_partner$`), endpoint: '/api/v1/<token_network>/suggest_partner', method: 'GET', handler: (d, a) => handleSuggestPartner(d, a[0]!) },
  { pattern: new RegExp(`^/api/v1/_debug/routes/${SEGMENT}/${SEGMENT}$`), endpoint: '/api/v1/_debug/routes/<token_network>/<source>', method: 'GET', handler: (d, a) => handleDebugRoutes(d, a[0]!, a[1]!, null), debugOnly: true },
  { pattern: new RegExp(`^/api/v1/_debug/routes/${SEGMENT}/${SEGMENT}/${SEGMENT}$`), endpoint: '/api/v1/_debug/routes/<token_network>/<source>/<target>', method: 'GET', handler: (d, a) => handleDebugRoutes(d, a[0]!, a[1]!, a[2]!), debugOnly: true },
  { pattern: new RegExp(`^/api/v1/_debug/ious/${SEGMENT}$`), endpoint: '/api/v1/_debug/ious/<source>', method: 'GET', handler: (d, a) => handleDebugIous(d, a[0]!), debugOnly: true },
  { pattern: /^\/api\/v1\/_debug\/stats$/, endpoint: '/api/v1/_debug/stats', method: 'GET', handler: (d) => handleDebugStats(d), debugOnly: true },
  { pattern: /^\/health$/, endpoint: '/health', method: 'GET', handler: () => jsonReply(200, { status: 'alive' }) },
  { pattern: /^\/ready$/, endpoint: '/ready', method: 'GET', handler: (d) => readyReply(d.notReadyReason(), d.readyWarnings?.() ?? []) },
  { pattern: /^\/metrics$/, endpoint: '/metrics', method: 'GET', handler: (d) => ({ status: 200, contentType: METRICS_CONTENT_TYPE, body: d.metricsText(), headers: [] }) },
];

function readyReply(reason: string | null, warnings: readonly string[]): HttpReply {
  const details = warnings.length === 0 ? {} : { warnings: [...warnings] };
  return reason === null ? jsonReply(200, { ready: true, ...details }) : jsonReply(503, { ready: false, reason, ...details });
}

/** The `Allow` header value of a route, as Flask lists it. */
function allowed(route: Route): string[] {
  return route.method === 'GET' ? ['GET', 'HEAD', 'OPTIONS'] : ['OPTIONS', 'POST'];
}

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const HEX = /^[0-9a-fA-F]{2}$/;

/**
 * Percent-decodes a path as the reference's stack does: gevent unquotes every valid `%XX`
 * to its byte and keeps an invalid escape (`%zz`, a lone `%`) literally, then Werkzeug
 * decodes the bytes as UTF-8 with U+FFFD for invalid sequences. (decodeURIComponent would
 * throw on either and leave the whole path undecoded.)
 */
export function decodePath(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes = Buffer.from(raw, 'utf8');
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes[i] === 0x25 && i + 2 < bytes.length ? bytes.toString('latin1', i + 1, i + 3) : '';
    if (HEX.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else out[n++] = bytes[i]!;
  }
  return lenientUtf8.decode(out.subarray(0, n));
}

/** The outcome of matching a request line against the table. */
export type Match =
  | { readonly kind: 'route'; readonly route: Route; readonly args: readonly string[]; readonly needsBody: boolean }
  | { readonly kind: 'reply'; readonly endpoint: string; readonly reply: HttpReply };

/**
 * Finds the route of `method path`, or the immediate answer (404, 405, OPTIONS). The debug
 * routes take part only when `debug` is on.
 */
export function match(method: string, rawPath: string, debug = false): Match {
  const path = decodePath(rawPath);
  for (const route of ROUTES) {
    if (route.debugOnly === true && !debug) continue;
    const m = route.pattern.exec(path);
    if (m === null) continue;
    if (method === 'OPTIONS') {
      return { kind: 'reply', endpoint: route.endpoint, reply: { status: 200, contentType: 'text/html; charset=utf-8', body: '', headers: [['Allow', allowed(route).join(', ')]] } };
    }
    const served = method === route.method || (method === 'HEAD' && route.method === 'GET');
    if (!served) return { kind: 'reply', endpoint: route.endpoint, reply: renderError(methodNotAllowed(allowed(route))) };
    return { kind: 'route', route, args: m.slice(1), needsBody: route.method === 'POST' };
  }
  return { kind: 'reply', endpoint: 'unmatched', reply: renderError(notFoundHtml()) };
}
