import { stringifyJson, type JsonOut } from './json-write.ts';

/**
 * A complete HTTP answer as data: the server wiring only copies it onto the socket. Keeping
 * answers as values lets every endpoint's behaviour be tested without a server.
 */
export interface HttpReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Extra headers beyond Content-Type (e.g. `Allow` on 405). */
  readonly headers: readonly (readonly [string, string])[];
}

/** Content type of every JSON answer (flask-restful sends exactly this, without charset). */
export const JSON_CONTENT_TYPE = 'application/json';

/** Content type of Werkzeug's HTML error pages. */
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/** The CORS headers the reference adds to every answer under `/api` (spec §2.1). */
export const CORS_HEADERS: readonly (readonly [string, string])[] = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Allow-Headers', 'Origin, Content-Type, Accept'],
  ['Access-Control-Allow-Methods', 'GET,POST,OPTIONS'],
];

/**
 * A JSON answer written exactly as flask-restful writes it: Python's `json.dumps` layout
 * followed by a newline. Amounts given as bigint come out as exact JSON integers.
 */
export function jsonReply(status: number, value: JsonOut, headers: readonly (readonly [string, string])[] = []): HttpReply {
  return { status, contentType: JSON_CONTENT_TYPE, body: stringifyJson(value, 'python') + '\n', headers };
}

const REASONS: ReadonlyMap<number, string> = new Map([
  [200, 'OK'],
  [400, 'Bad Request'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [413, 'Payload Too Large'],
  [500, 'Internal Server Error'],
  [503, 'Service Unavailable'],
]);

/** Status line text for the server (`"404 Not Found"`); uWebSockets.js wants it whole. */
export function statusText(status: number): string {
  const reason = REASONS.get(status);
  return reason === undefined ? String(status) : `${status} ${reason}`;
}
