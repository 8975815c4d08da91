import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getAddress } from 'ethers';
import { address } from '../fixtures/accounts.ts';
import { FIXTURE_TOKEN_NETWORK, writeFixtureLog } from '../helpers/fixture-log.ts';
import { CASE_1 } from '../helpers/reference-fixtures.ts';
import { ServiceProcess } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * Hostile HTTP input against the real service process: malformed and oversized bodies,
 * prototype keys, huge integers, odd URLs and methods, slow and lying clients, and a burst
 * that overflows the pool queue. Every answer is checked exactly where the reference
 * defines it; where it does not, the test checks that the service answers promptly (or
 * drops the connection) and goes on serving. At the end the service must still give the
 * good answer it gave at the start, and /metrics must have counted exactly what was sent.
 */

const TN = getAddress(FIXTURE_TOKEN_NETWORK);
const A = (i: number): string => getAddress(address(i));
const PATHS = `/api/v1/${TN}/paths`;
const GOOD = { from: A(0), to: A(2), value: 10 };
const GOOD_TEXT = JSON.stringify(GOOD);
const MAX_BODY = 65536;
const BAD_REQUEST = { message: 'The browser (or proxy) sent a request that this server could not understand.' };
const PAYLOAD_EXPECTED = { errors: 'JSON payload expected', error_code: 0, error_details: {} };
const UINT256_MAX = 2n ** 256n - 1n;
/** Methods /metrics labels by name; any other is "OTHER" (a bounded label set). */
const KNOWN_METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);
const HTML_404_START = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n';

/** Metric labels of the routes used here (route patterns, as /metrics labels them). */
const EP = {
  paths: '/api/v1/<token_network>/paths',
  info: '/api/v1/info',
  online: '/api/v1/online_addresses',
  metadata: '/api/v1/address/<address>/metadata',
  unmatched: 'unmatched',
} as const;

/** An answer read off the socket (or the fact that there was none). */
interface RawAnswer {
  readonly status: number | null;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
  /** The server closed the connection (before or after answering). */
  readonly closed: boolean;
  readonly ms: number;
  readonly json: unknown;
}

/**
 * Writes `parts` to a fresh connection (a pause of `gapMs` between parts) and reads one
 * answer: resolves when the answer is complete, the server closes, or `timeoutMs` passes.
 */
function rawRequest(port: number, parts: readonly (string | Buffer)[], o: { timeoutMs?: number; gapMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let closed = false;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      const headers = new Map<string, string>();
      for (const l of lines) {
        const c = l.indexOf(':');
        if (c > 0) headers.set(l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim());
      }
      const body = end < 0 ? '' : text.slice(end + 4);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status: m === null ? null : Number(m[1]), headers, body, closed, ms: performance.now() - t0, json });
    };
    const complete = (): boolean => {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const length = /\r\ncontent-length: *(\d+)/i.exec(data.subarray(0, end).toString('latin1'));
      return length !== null && data.length - end - 4 >= Number(length[1]);
    };
    const timer = setTimeout(finish, o.timeoutMs ?? 5000);
    socket.on('data', (d) => {
      data = Buffer.concat([data, d]);
      if (complete()) finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', () => {
      closed = true;
      finish();
    });
    void (async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && o.gapMs !== undefined) await new Promise((r) => setTimeout(r, o.gapMs));
        if (socket.destroyed) return;
        socket.write(part);
      }
    })();
  });
}

/** A POST request head with a JSON content type. */
function postHead(path: string, extra: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: pfs\r\nContent-Type: application/json\r\n${extra}\r\n`;
}

/** A body in chunked transfer encoding, `size` bytes per chunk. */
function chunked(body: string, size: number): string {
  let out = '';
  for (let i = 0; i < body.length; i += size) {
    const piece = body.slice(i, i + size);
    out += `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`;
  }
  return out + '0\r\n\r\n';
}

/** Every character of `s` percent-encoded. */
function percentAll(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** The metrics text as a map `name{labels}` -> value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

function requestKey(endpoint: string, method: string, status: number | string): string {
  return `pfs_http_requests_total{endpoint="${endpoint}",method="${method}",status="${status}"}`;
}

type Json = Record<string, unknown>;

describe('hostile input on every route (one service)', () => {
  const dir = tempDir();
  let service: ServiceProcess;
  let goodAnswer: unknown;
  /** The highest block of the event log: the service's confirmed block. */
  let confirmedBlock = 0;
  let metricsBefore: Map<string, number>;
  /** A connection that sends no HTTP at all, opened at the start and checked at the end. */
  let garbage: Promise<RawAnswer>;
  /** What the test saw answered, as /metrics should count it: label key -> count. */
  const sent = new Map<string, number>();
  const count = (endpoint: string, method: string, status: number | string): void => {
    const k = requestKey(endpoint, KNOWN_METHODS.has(method) ? method : 'OTHER', status);
    sent.set(k, (sent.get(k) ?? 0) + 1);
  };

  /** A request through fetch, counted for the metrics check. */
  async function call(endpoint: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = body;
    const r = await fetch(service.url + path, init);
    const text = await r.text();
    count(endpoint, method, r.status);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, headers: r.headers, text, json };
  }
  /** A POST to the paths route (of TN unless `path` says otherwise). */
  const postJson = (body: string | Buffer, path = PATHS, contentType = 'application/json') =>
    call(EP.paths, 'POST', path, body, { 'Content-Type': contentType });
  /** A raw request whose answer is counted when there is one. */
  async function raw(endpoint: string, method: string, parts: readonly (string | Buffer)[], o: { timeoutMs?: number; gapMs?: number } = {}) {
    const r = await rawRequest(service.port, parts, o);
    if (r.status !== null) count(endpoint, method, r.status);
    return r;
  }
  const withoutToken = (json: unknown): unknown => {
    const { feedback_token, ...rest } = json as Json;
    assert.match(String(feedback_token), /^[0-9a-f]{32}$/);
    return rest;
  };
  const assertGood = (r: { status: number | null; json: unknown; text?: string; body?: string }): void => {
    assert.equal(r.status, 200, r.text ?? r.body);
    assert.deepEqual(withoutToken(r.json), goodAnswer);
  };
  const assertError = (r: { status: number | null; json: unknown }, status: number, code: number, details?: unknown): void => {
    assert.equal(r.status, status, JSON.stringify(r.json));
    const body = r.json as Json;
    assert.equal(body.error_code, code, JSON.stringify(body));
    if (details !== undefined) assert.deepEqual(body.error_details, details);
  };

  before(async () => {
    const events = join(dir.path, 'case1.ndjson');
    writeFixtureLog(events, CASE_1);
    for (const line of readFileSync(events, 'utf8').split('\n')) {
      const block = line === '' ? undefined : (JSON.parse(line) as { block?: number | string }).block;
      if (block !== undefined) confirmedBlock = Math.max(confirmedBlock, Number(block));
    }
    assert.ok(confirmedBlock > 0);
    // --body-timeout-s bounds the time a client has to deliver a body (the slow-body test)
    service = await ServiceProcess.start({ dataDir: join(dir.path, 'data'), events, args: ['--body-timeout-s', '2'] });
    await service.waitReady();
    const r = await call(EP.paths, 'POST', PATHS, GOOD_TEXT, { 'Content-Type': 'application/json' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual((r.json as { result: { path: string[] }[] }).result.map((x) => x.path), [[A(0), A(1), A(2)], [A(0), A(1), A(4), A(3), A(2)]]);
    goodAnswer = withoutToken(r.json);
    metricsBefore = samples((await service.get('/metrics')).text);
    garbage = rawRequest(service.port, ['\u0000\u0001 garbage\r\n\r\n'], { timeoutMs: 20_000 });
  });
  after(async () => {
    assert.equal(await service.stop(), 0, 'SIGTERM stops the service with exit code 0');
    dir.cleanup();
  });

  describe('bodies', () => {
    it("malformed JSON with a JSON content type: Werkzeug's 400 {\"message\": ...}", async () => {
      const bodies = ['{', '{"from": }', '{"a": 1,}', "{'a': 1}", '[1 2]', '{} x', '{"a":1}{"b":2}', '"unterminated', 'tru', '01', '{"a": "\\x"}', '+1', '\u0000', '', '   '];
      for (const body of bodies) {
        const r = await postJson(body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.deepEqual(r.json, BAD_REQUEST, JSON.stringify(body));
      }
      const invalidUtf8 = await postJson(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
      assert.equal(invalidUtf8.status, 400, invalidUtf8.text);
      assert.deepEqual(invalidUtf8.json, BAD_REQUEST);
    });

    it('a UTF-8 byte-order mark before good JSON is accepted (json.loads on bytes skips it)', async () => {
      assertGood(await postJson(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD_TEXT)])));
    });

    it('a content type that is not JSON: "JSON payload expected", code 0, whatever the body', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'json', 'text/json']) {
        for (const body of [GOOD_TEXT, '{']) {
          const r = await postJson(body, PATHS, type);
          assert.equal(r.status, 400, `${type}: ${r.text}`);
          assert.deepEqual(r.json, PAYLOAD_EXPECTED, type);
        }
      }
      const none = await call(EP.paths, 'POST', PATHS, Buffer.from(GOOD_TEXT));
      assert.deepEqual([none.status, none.json], [400, PAYLOAD_EXPECTED]);
    });

    it('JSON content types as Werkzeug recognises them are accepted', async () => {
      for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/problem+json', 'application/json ; foo=bar']) {
        assertGood(await postJson(GOOD_TEXT, PATHS, type));
      }
    });

    it('falsy JSON bodies: "JSON payload expected"', async () => {
      for (const body of ['{}', '[]', 'null', '0', '-0', '0.0', '0e5', '""', 'false', '  {}  ']) {
        const r = await postJson(body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.deepEqual(r.json, PAYLOAD_EXPECTED, JSON.stringify(body));
      }
    });

    it('truthy bodies that are not objects: 2000 {"_schema": ["Invalid input type."]}', async () => {
      for (const body of ['1', '"x"', '[1]', 'true', '[{}]', '1.5', `[${GOOD_TEXT}]`]) {
        assertError(await postJson(body), 400, 2000, { _schema: ['Invalid input type.'] });
      }
    });

    it('__proto__, constructor and friends are plain unknown fields (2000), at the top and in iou', async () => {
      const good = GOOD_TEXT.slice(1, -1);
      for (const key of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf']) {
        const r = await postJson(`{${good}, "${key}": {"value": 1, "polluted": true}}`);
        assertError(r, 400, 2000, { [key]: ['Unknown field.'] });
      }
      // a value hidden under __proto__ does not count as the missing field
      const hidden = await postJson(`{"from": "${A(0)}", "to": "${A(2)}", "__proto__": {"value": 10}}`);
      assertError(hidden, 400, 2000);
      assert.deepEqual(Object.entries((hidden.json as Json).error_details as Json), [
        ['value', ['Missing data for required field.']],
        ['__proto__', ['Unknown field.']],
      ]);
      const iou = `{"sender": "${A(20)}", "receiver": "${A(21)}", "amount": 1, "claimable_until": 1, "one_to_n_address": "${A(22)}", "chain_id": 1, "signature": "0x${'1'.repeat(130)}", "__proto__": {"amount": 5}}`;
      assertError(await postJson(`{${good}, "iou": ${iou}}`), 400, 2000, { iou: { ['__proto__']: ['Unknown field.'] } });
      const constructor = await postJson(`{${good}, "constructor": {"prototype": {"polluted": 1}}}`);
      assertError(constructor, 400, 2000, { constructor: ['Unknown field.'] });
      assertGood(await postJson(GOOD_TEXT));
    });

    it('a duplicated key keeps its last value (Python dict)', async () => {
      assertGood(await postJson(`{"from": "${A(0)}", "to": "${A(2)}", "value": 1000000, "value": 10}`));
    });

    it('NaN and Infinity are read as Python reads them and refused per field', async () => {
      const good = `"from": "${A(0)}", "to": "${A(2)}"`;
      assertError(await postJson(`{${good}, "value": NaN}`), 400, 2000, { value: ['Not a valid integer.'] });
      assertError(await postJson(`{${good}, "value": Infinity}`), 400, 2000, { value: ['Number too large.'] });
      assertError(await postJson(`{${good}, "value": -Infinity}`), 400, 2000, { value: ['Number too large.'] });
      const special = ['Special numeric values (nan or infinity) are not permitted.'];
      assertError(await postJson(`{${good}, "value": 10, "fee_penalty": 1e400}`), 400, 2000, { fee_penalty: special });
      assertError(await postJson(`{${good}, "value": 10, "diversity_penalty": NaN}`), 400, 2000, { diversity_penalty: special });
    });
  });

  describe('integers', () => {
    const expectNoRoute = async (value: bigint): Promise<void> => {
      const r = await postJson(`{"from": "${A(0)}", "to": "${A(2)}", "value": ${value}}`);
      assertError(r, 404, 2201);
      // the raw text carries the exact integer, in the message and in the details
      assert.ok(r.text.includes(`"error_details": {"from_": "${A(0)}", "to": "${A(2)}", "value": ${value}}`), r.text);
      assert.equal(
        (r.json as Json).errors,
        `Source does not have a channel with sufficient capacity (current capacities: [90, 0] < requested amount:  ${value}). ` +
          `Approximate block at the time of the request ${confirmedBlock}`,
      );
    };

    it('2^53 + 1, 2^200 and 2^256 - 1 are parsed exactly (404 2201 echoing the exact value)', async () => {
      for (const value of [2n ** 53n + 1n, 2n ** 200n, UINT256_MAX]) await expectNoRoute(value);
    });

    it('a value above 2^256 - 1: 2000 with the upper bound', async () => {
      for (const value of [UINT256_MAX + 1n, 10n ** 4299n]) {
        const r = await postJson(`{"from": "${A(0)}", "to": "${A(2)}", "value": ${value}}`);
        assertError(r, 400, 2000, { value: [`Must be less than or equal to ${UINT256_MAX}.`] });
      }
    });

    it('an integer of more than 4300 digits is refused as a body (400), as Python refuses it', async () => {
      const r = await postJson(`{"from": "${A(0)}", "to": "${A(2)}", "value": 1${'0'.repeat(4300)}}`);
      assert.equal(r.status, 400, r.text);
      assert.ok((r.json as Json).error_code === 0 || (r.json as Json).message === BAD_REQUEST.message, r.text);
    });

    it('integers as marshmallow reads them: decimal strings, integral and fractional floats', async () => {
      for (const value of ['"10"', '" 10 "', '10.0', '1e1', '10.9']) {
        assertGood(await postJson(`{"from": "${A(0)}", "to": "${A(2)}", "value": ${value}}`));
      }
      for (const value of ['true', '"1e1"', '"0x0a"', '"ten"', '[10]', '{"_hex": "0x0a"}']) {
        const r = await postJson(`{"from": "${A(0)}", "to": "${A(2)}", "value": ${value}}`);
        assertError(r, 400, 2000, { value: ['Not a valid integer.'] });
      }
    });

    it('max_paths: 26 and 2^70 are out of range (2000); 25 is allowed', async () => {
      const range = ['Must be greater than or equal to 1 and less than or equal to 25.'];
      for (const maxPaths of ['26', '0', String(2n ** 70n), '-1']) {
        assertError(await postJson(`{${GOOD_TEXT.slice(1, -1)}, "max_paths": ${maxPaths}}`), 400, 2000, { max_paths: range });
      }
      assertGood(await postJson(`{${GOOD_TEXT.slice(1, -1)}, "max_paths": 25}`));
    });
  });

  describe('size and shape limits', () => {
    it('deep nesting, huge arrays and many keys under the body limit: 400, and the service goes on', async () => {
      const deepArray = `{"from": ${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
      const deepObject = `${'{"a": '.repeat(9_000)}1${'}'.repeat(9_000)}`;
      const unclosed = '['.repeat(60_000);
      const bigArray = `{"from": [${Array(30_000).fill('0').join(',')}]}`;
      const manyKeys = `{${Array.from({ length: 3_000 }, (_, i) => `"k${i}": 0`).join(', ')}}`;
      for (const body of [deepArray, deepObject, unclosed, bigArray, manyKeys]) {
        assert.ok(body.length <= MAX_BODY, 'under the body limit');
        const t0 = performance.now();
        const r = await postJson(body);
        assert.equal(r.status, 400, r.text.slice(0, 300));
        assert.ok(performance.now() - t0 < 2000, 'refused quickly');
        assertGood(await postJson(GOOD_TEXT));
      }
    });

    it('very long strings: 2000 echoing them whole', async () => {
      const long = 'a'.repeat(60_000);
      const asFrom = await postJson(`{"from": "${long}", "to": "${A(2)}", "value": 10}`);
      assertError(asFrom, 400, 2000, { from: [`Not a checksummed address: ${long}`] });
      const asKey = await postJson(`{${GOOD_TEXT.slice(1, -1)}, "${long}": 1}`);
      assertError(asKey, 400, 2000, { [long]: ['Unknown field.'] });
      const escaped = '\\u00e9'.repeat(10_000);
      const unicode = await postJson(`{"from": "${escaped}", "to": "${A(2)}", "value": 10}`);
      assertError(unicode, 400, 2000, { from: [`Not a checksummed address: ${'é'.repeat(10_000)}`] });
      // Python's json.dumps escapes non-ASCII
      assert.ok(unicode.text.includes(escaped), 'non-ASCII written as \\u escapes');
    });

    it('exactly --max-body-bytes is accepted; one byte more is 413 code 2902', async () => {
      const padded = GOOD_TEXT + ' '.repeat(MAX_BODY - GOOD_TEXT.length);
      assert.equal(padded.length, MAX_BODY);
      assertGood(await postJson(padded));
      const over = await postJson(padded + ' ');
      assertError(over, 413, 2902, { max_bytes: MAX_BODY });
    });

    it('a Content-Length over the limit is refused at once, without reading the body', async () => {
      for (const length of [MAX_BODY + 1, 100_000_000]) {
        const r = await raw(EP.paths, 'POST', [postHead(PATHS, `Content-Length: ${length}\r\n`) + '{"from": '], { timeoutMs: 3000 });
        assertError(r, 413, 2902, { max_bytes: MAX_BODY });
        // waiting for the body would end in a silent close at the body deadline (2 s here)
        assert.ok(r.ms < 1500, `answered in ${r.ms} ms although the body never came`);
        assert.equal(r.headers.get('connection'), 'close');
        assert.equal(r.headers.get('access-control-allow-origin'), '*');
      }
    });

    it('GET routes ignore a body, even a declared huge one, and answer at once', async () => {
      const cases: [string, string][] = [
        [EP.info, '/api/v1/info'],
        [EP.online, '/api/v1/online_addresses'],
        [EP.metadata, `/api/v1/address/${A(0)}/metadata`],
      ];
      for (const [endpoint, path] of cases) {
        for (const length of [7, 100_000_000]) {
          const head = `GET ${path} HTTP/1.1\r\nHost: pfs\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
          const r = await raw(endpoint, 'GET', [head + '{"a":1}'], { timeoutMs: 3000 });
          assert.equal(r.status, 200, `${path} with Content-Length ${length}: ${r.body}`);
          assert.ok(r.ms < 1500, `${r.ms} ms`);
        }
      }
    });

    it('a chunked body: under the limit it is read; over the limit it is 413', async () => {
      const small = await raw(EP.paths, 'POST', [postHead(PATHS, 'Transfer-Encoding: chunked\r\n') + chunked(GOOD_TEXT, 7)]);
      assertGood(small);
      const big = GOOD_TEXT + ' '.repeat(3 * MAX_BODY);
      const t0 = performance.now();
      const r = await raw(EP.paths, 'POST', [postHead(PATHS, 'Transfer-Encoding: chunked\r\n'), chunked(big, 16_384)], { timeoutMs: 3000 });
      assertError(r, 413, 2902, { max_bytes: MAX_BODY });
      assert.ok(performance.now() - t0 < 1500);
    });

    it('a client that never finishes its body is cut off after --body-timeout-s; others are served meanwhile', async () => {
      const slow = rawRequest(service.port, [postHead(PATHS, 'Content-Length: 100\r\n') + '{"from": '], { timeoutMs: 6000 });
      const t0 = performance.now();
      assertGood(await postJson(GOOD_TEXT));
      assert.ok(performance.now() - t0 < 1500, 'served while the slow body is pending');
      const r = await slow;
      count(EP.paths, 'POST', 'body_timeout');
      assert.equal(r.status, null, 'no answer to an incomplete body');
      assert.ok(r.closed && r.ms >= 1500 && r.ms < 6000, `closed after ${r.ms} ms`);
    });

    it('malformed framing (bad Content-Length, both Content-Length and chunked): dropped at once', async () => {
      const cases: [string, boolean][] = [
        // uWS passes a non-numeric Content-Length to the front, which closes and counts it
        ['Content-Length: abc\r\n', true],
        ['Content-Length: -1\r\n', true],
        // uWS refuses this one (request smuggling) before any handler runs
        ['Content-Length: 99999\r\nTransfer-Encoding: chunked\r\n', false],
      ];
      for (const [head, counted] of cases) {
        const r = await raw(EP.paths, 'POST', [postHead(PATHS, head) + '2\r\n{}\r\n0\r\n\r\n'], { timeoutMs: 3000 });
        assert.equal(r.status, null, `${head.trim()}: ${r.body}`);
        assert.ok(r.closed && r.ms < 1500, `${head.trim()}: closed promptly (${r.ms} ms)`);
        if (counted) count(EP.paths, 'POST', 'bad_framing');
      }
    });
  });

  describe('URLs', () => {
    it('a fully percent-encoded token network is the token network', async () => {
      assertGood(await postJson(GOOD_TEXT, `/api/v1/${percentAll(TN)}/paths`));
      const online = await call(EP.online, 'GET', '/api/v1/online%5Faddresses');
      assert.equal(online.status, 200, online.text);
    });

    it('decoded arguments are echoed as Werkzeug decodes them (invalid escapes kept, bad UTF-8 replaced)', async () => {
      const cases: [string, string][] = [
        ['%7A%7A', 'zz'],
        ['%zz%30x', '%zz0x'],
        ['%FF%30x', '\ufffd0x'],
        ['%C3%A9', 'é'],
        ['%00', '\u0000'],
        ['100%', '100%'],
        ['%2561', '%61'],
      ];
      for (const [segment, decoded] of cases) {
        const r = await call(EP.paths, 'POST', `/api/v1/${segment}/paths`, GOOD_TEXT, { 'Content-Type': 'application/json' });
        assertError(r, 400, 2003, { token_network: decoded });
        const m = await call(EP.metadata, 'GET', `/api/v1/address/${segment}/metadata`);
        assertError(m, 400, 2006, { address: decoded });
      }
    });

    it('an encoded slash splits the segment (no route: HTML 404); a query string is ignored', async () => {
      const r = await call(EP.unmatched, 'POST', `/api/v1/0x12%2F34/paths`, GOOD_TEXT, { 'Content-Type': 'application/json' });
      assert.equal(r.status, 404);
      assert.ok(r.text.startsWith(HTML_404_START));
      assertGood(await call(EP.paths, 'POST', `${PATHS}?from=x&value=1`, GOOD_TEXT, { 'Content-Type': 'application/json' }));
      const info = await call(EP.info, 'GET', '/api/v1/info?%zz=%ff');
      assert.equal(info.status, 200);
    });

    it('dot segments are not resolved by the server (HTML 404)', async () => {
      const r = await raw(EP.unmatched, 'GET', ['GET /api/v1/../v1/info HTTP/1.1\r\nHost: pfs\r\nConnection: close\r\n\r\n']);
      assert.equal(r.status, 404, r.body);
      assert.ok(r.body.startsWith(HTML_404_START));
    });

    it('a long URL is answered; a huge one is answered or dropped at once; the service goes on', async () => {
      const long = 'a'.repeat(3000);
      assertError(await call(EP.metadata, 'GET', `/api/v1/address/${long}/metadata`), 400, 2006, { address: long });
      for (const size of [20_000, 200_000]) {
        const r = await raw(EP.metadata, 'GET', [`GET /api/v1/address/${'b'.repeat(size)}/metadata HTTP/1.1\r\nHost: pfs\r\n\r\n`], { timeoutMs: 3000 });
        assert.ok(r.ms < 2000, `no hang (${r.ms} ms)`);
        if (r.status !== null) assert.ok(r.status === 400 || r.status === 414 || r.status === 431, String(r.status));
        else assert.ok(r.closed, 'dropped');
      }
      assertGood(await postJson(GOOD_TEXT));
    });
  });

  describe('methods', () => {
    it('methods a route does not serve: 405 with Allow, raw TRACE and CONNECT included', async () => {
      const routes: [string, string, string][] = [
        [EP.paths, PATHS, 'OPTIONS, POST'],
        [EP.info, '/api/v1/info', 'GET, HEAD, OPTIONS'],
        [EP.online, '/api/v1/online_addresses', 'GET, HEAD, OPTIONS'],
        [EP.metadata, `/api/v1/address/${A(0)}/metadata`, 'GET, HEAD, OPTIONS'],
      ];
      for (const [endpoint, path, allow] of routes) {
        const methods = allow.includes('GET') ? ['POST', 'PUT', 'DELETE', 'PATCH'] : ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH'];
        for (const method of methods) {
          const r = await call(endpoint, method, path, method === 'GET' || method === 'HEAD' ? undefined : GOOD_TEXT, { 'Content-Type': 'application/json' });
          assert.equal(r.status, 405, `${method} ${path}`);
          assert.equal(r.headers.get('allow'), allow);
          if (method !== 'HEAD') assert.deepEqual(r.json, { message: 'The method is not allowed for the requested URL.' });
        }
        for (const method of ['TRACE', 'CONNECT']) {
          const r = await raw(endpoint, method, [`${method} ${path} HTTP/1.1\r\nHost: pfs\r\nConnection: close\r\n\r\n`]);
          assert.equal(r.status, 405, `${method} ${path}: ${r.body}`);
          assert.equal(r.headers.get('allow'), allow);
        }
      }
    });

    it('extension and lower-case methods: answered or dropped promptly, never hanging', async () => {
      for (const method of ['FOO', 'PROPFIND', 'M-SEARCH', 'get']) {
        for (const [endpoint, path] of [[EP.info, '/api/v1/info'], [EP.unmatched, '/nope']] as const) {
          const r = await raw(endpoint, method.toUpperCase(), [`${method} ${path} HTTP/1.1\r\nHost: pfs\r\nConnection: close\r\n\r\n`], { timeoutMs: 3000 });
          assert.ok(r.ms < 1500, `${method} ${path}: ${r.ms} ms`);
          if (r.status === null) assert.ok(r.closed);
          else assert.ok([200, 404, 405].includes(r.status), `${method} ${path}: ${r.status}`);
        }
      }
      assertGood(await postJson(GOOD_TEXT));
    });

    // uWebSockets.js 20.30 drops these connections before any handler runs (see the report);
    // the reference (gevent + Werkzeug) answers them. Kept as TODO so the gap stays visible.
    it('reference parity: extension methods get 405/404 and HTTP/1.0 requests are answered', { todo: 'uWebSockets.js 20.30 drops extension methods and never answers HTTP/1.0' }, async () => {
      const foo = await rawRequest(service.port, ['FOO /api/v1/info HTTP/1.1\r\nHost: pfs\r\nConnection: close\r\n\r\n'], { timeoutMs: 2000 });
      assert.equal(foo.status, 405);
      const lower = await rawRequest(service.port, ['get /api/v1/info HTTP/1.1\r\nHost: pfs\r\nConnection: close\r\n\r\n'], { timeoutMs: 2000 });
      assert.equal(lower.status, 200);
      const http10 = await rawRequest(service.port, ['GET /api/v1/info HTTP/1.0\r\nHost: pfs\r\n\r\n'], { timeoutMs: 2000 });
      assert.equal(http10.status, 200);
    });

  });

  describe('afterwards', () => {
    it('a connection that never sent HTTP got no answer and was closed by the server (idle timeout)', async () => {
      const r = await garbage;
      assert.equal(r.status, null, r.body);
      assert.ok(r.closed, `still open after ${r.ms} ms`);
    });

    it('the service still answers the good request exactly as at the start', async () => {
      assertGood(await postJson(GOOD_TEXT));
      const health = await service.get('/health');
      assert.equal(health.status, 200);
      assert.equal(service.child.exitCode, null, 'still running');
    });

    it('/metrics counted every answered request by route pattern, method and status', async () => {
      const now = samples((await service.get('/metrics')).text);
      for (const [key, n] of sent) {
        const delta = (now.get(key) ?? 0) - (metricsBefore.get(key) ?? 0);
        // the first good request was counted before the baseline was read
        const expected = key === requestKey(EP.paths, 'POST', 200) ? n - 1 : n;
        assert.equal(delta, expected, key);
      }
      // nothing else was counted, apart from the baseline /metrics and /health requests
      for (const [key, v] of now) {
        if (!key.startsWith('pfs_http_requests_total{')) continue;
        if (key.includes('endpoint="/metrics"') || key.includes('endpoint="/health"')) continue;
        if (!sent.has(key)) assert.equal(v - (metricsBefore.get(key) ?? 0), 0, `unexpected ${key}`);
      }
      assert.ok((sent.get(requestKey(EP.paths, 'POST', 400)) ?? 0) > 50, 'many 400s were sent and counted');
      assert.ok((sent.get(requestKey(EP.paths, 'POST', 413)) ?? 0) >= 4);
    });
  });
});

describe('overload: --queue-limit 1 --workers 1', () => {
  const dir = tempDir();
  let service: ServiceProcess;
  before(async () => {
    const events = join(dir.path, 'case1.ndjson');
    writeFixtureLog(events, CASE_1);
    service = await ServiceProcess.start({ dataDir: join(dir.path, 'data'), events, args: ['--queue-limit', '1', '--workers', '1'] });
    await service.waitReady();
  });
  after(async () => {
    assert.equal(await service.stop(), 0);
    dir.cleanup();
  });

  /** One POST on its own connection (no pooling, so the burst is really concurrent). */
  function post(body: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: Json; ms: number }> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = httpRequest(
        { host: '127.0.0.1', port: service.port, path: PATHS, method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) as Json, ms: performance.now() - t0 }));
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', reject);
      req.end(body);
    });
  }

  it('a burst gets 503 code 2901 with Retry-After for what does not fit, and every answer in time', async () => {
    const single = await post(GOOD_TEXT);
    assert.equal(single.status, 200);
    const expected = (({ feedback_token: _, ...rest }) => rest)(single.json);
    const before = samples((await service.get('/metrics')).text);

    const answers = await Promise.all(Array.from({ length: 100 }, () => post(GOOD_TEXT)));
    const rejected = answers.filter((a) => a.status === 503);
    const served = answers.filter((a) => a.status === 200);
    assert.equal(rejected.length + served.length, answers.length, `only 200 and 503: ${answers.map((a) => a.status).join(',')}`);
    assert.ok(rejected.length > 0, 'the queue of one overflowed');
    assert.ok(served.length > 0, 'some requests were served');
    for (const a of answers) assert.ok(a.ms < 3000, `answered after ${a.ms} ms (deadline 2000 ms)`);
    for (const a of served) assert.deepEqual((({ feedback_token: _, ...rest }) => rest)(a.json), expected);
    for (const a of rejected) {
      assert.equal(a.json.error_code, 2901);
      assert.equal(a.json.errors, 'The pathfinding service is overloaded. Please try again later.');
      const details = a.json.error_details as Json;
      assert.equal(a.headers['retry-after'], String(details.retry_after));
      assert.ok(Number.isInteger(details.retry_after) && (details.retry_after as number) >= 1);
      assert.equal(details.reason, 'queue_full');
      assert.equal(a.headers['access-control-allow-origin'], '*');
    }

    const after = samples((await service.get('/metrics')).text);
    const delta = (k: string): number => (after.get(k) ?? 0) - (before.get(k) ?? 0);
    assert.equal(delta('pfs_http_overload_rejections_total{reason="queue_full"}'), rejected.length);
    assert.equal(delta(requestKey(EP.paths, 'POST', 503)), rejected.length);
    assert.equal(delta(requestKey(EP.paths, 'POST', 200)), served.length);

    // the service recovers at once
    const again = await post(GOOD_TEXT);
    assert.equal(again.status, 200);
    assert.deepEqual((({ feedback_token: _, ...rest }) => rest)(again.json), expected);
  });
});
