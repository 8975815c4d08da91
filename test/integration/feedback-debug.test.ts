import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getAddress } from 'ethers';
import { signedLogLines } from '../../src/demo/signed-log.ts';
import type { NetworkSpec } from '../../src/demo/topology.ts';
import { asAddress } from '../../src/domain/index.ts';
import { keyPair } from '../../src/protocol/index.ts';
import { address, privateKey } from '../fixtures/accounts.ts';
import { FIXTURE_CHAIN_ID, FIXTURE_TOKEN_NETWORK, writeFixtureLog } from '../helpers/fixture-log.ts';
import { CASE_1 } from '../helpers/reference-fixtures.ts';
import { type HttpResult, ServiceProcess } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * POST /feedback (spec §2.5, §9.1), GET suggest_partner (§2.6, §9.2) and the debug endpoints
 * (§2.10) against the real service process, over HTTP on loopback. The event log holds the
 * case_1 model (node 6 offline) on the reference test network TN and a second network TN2
 * (channels 0-1, 1-2) on the same nodes. Expected values come from the spec and the model,
 * not from the service code. One service per describe block: without and with --enable-debug.
 */

const TN = getAddress(FIXTURE_TOKEN_NETWORK);
const TN2_LOWER = asAddress('0x' + '2b'.repeat(20));
const TN2 = getAddress(TN2_LOWER);
const A = (i: number): string => getAddress(address(i));
const PATHS = `/api/v1/${TN}/paths`;
const FEEDBACK = `/api/v1/${TN}/feedback`;
const HTML_404_START = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n';
const ZERO = '0x0000000000000000000000000000000000000000';

type Json = Record<string, unknown>;
const json = (r: HttpResult): Json => r.json as Json;

function assertEnvelope(r: HttpResult, status: number, code: number): Json {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  const body = json(r);
  assert.deepEqual(Object.keys(body), ['errors', 'error_code', 'error_details'], r.text);
  assert.equal(body.error_code, code, r.text);
  return body.error_details as Json;
}

/** The bare answer of feedback: `{}` with 200 or 400, never an envelope. */
function assertBareEmpty(r: HttpResult, status: number): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.text, '{}\n');
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
}

/** The metrics text as `name{labels}` -> value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Counter deltas between two /metrics reads. */
async function metricDelta(service: ServiceProcess, run: () => Promise<void>): Promise<(key: string) => number> {
  const before = samples((await service.get('/metrics')).text);
  await run();
  const now = samples((await service.get('/metrics')).text);
  return (key) => (now.get(key) ?? 0) - (before.get(key) ?? 0);
}
const feedbackKey = (outcome: string) => `pfs_feedback_total{outcome="${outcome}"}`;

/** A paths request that must succeed; returns the token and the routes' paths. */
async function paths(service: ServiceProcess, body: Json, network = TN): Promise<{ token: string; routes: string[][] }> {
  const r = await service.post(`/api/v1/${network}/paths`, body);
  assert.equal(r.status, 200, r.text);
  const b = json(r);
  assert.match(String(b.feedback_token), /^[0-9a-f]{32}$/);
  return { token: String(b.feedback_token), routes: (b.result as { path: string[] }[]).map((x) => x.path) };
}

/** The event log: case_1 on TN (node 6 offline), then TN2 with channels 0-1 and 1-2. */
function writeLog(path: string): void {
  writeFixtureLog(path, CASE_1, { offline: [6] });
  let maxBlock = 0;
  for (const m of readFileSync(path, 'utf8').matchAll(/"block":"?(\d+)/g)) maxBlock = Math.max(maxBlock, Number(m[1]));
  const keys = [0, 1, 2].map((i) => keyPair(Buffer.from(privateKey(i).slice(2), 'hex')));
  const spec: NetworkSpec = {
    name: 'tn2',
    addresses: [0, 1, 2].map(address),
    channels: [
      { id: 1n, a: 0, b: 1, capacityAB: 500n, capacityBA: 500n, feeA: null, feeB: null },
      { id: 2n, a: 1, b: 2, capacityAB: 500n, capacityBA: 500n, feeA: null, feeB: null },
    ],
    reachable: new Uint8Array(3).fill(1),
    medianCapacity: 0n,
  };
  const lines = signedLogLines(
    spec,
    {
      chainId: FIXTURE_CHAIN_ID,
      token: asAddress('0x' + '07'.repeat(20)),
      network: TN2_LOWER,
      settleTimeout: 500n,
      server: 'homeserver.com',
      keys,
      capacityRounds: 1,
      channelsPerBlock: 1,
      feeEpochMs: Date.UTC(2025, 0, 1),
    },
    { capacityUpdates: 0, feeUpdates: 0 },
    maxBlock + 1,
  );
  appendFileSync(path, [...lines].join('\n') + '\n');
}

const dir = tempDir('pfs-feedback-debug-');
after(() => dir.cleanup());
const events = join(dir.path, 'events.ndjson');
writeLog(events);

describe('feedback and suggest_partner (no --enable-debug)', () => {
  let service: ServiceProcess;
  before(async () => {
    service = await ServiceProcess.start({ dataDir: join(dir.path, 'data-plain'), events, chainId: FIXTURE_CHAIN_ID });
    await service.waitReady();
  });
  after(async () => {
    assert.equal(await service.stop(), 0);
  });

  describe('POST /feedback', () => {
    it('paths answer -> feedback for each route right away: 200 {}; a repeat: 200 {} and nothing stored', async () => {
      const { token, routes } = await paths(service, { from: A(0), to: A(2), value: 10 });
      assert.deepEqual(routes, [[A(0), A(1), A(2)], [A(0), A(1), A(4), A(3), A(2)]]);
      const delta = await metricDelta(service, async () => {
        // sent right after the answer: the feedback row may not be committed yet
        assertBareEmpty(await service.post(FEEDBACK, { token, success: true, path: routes[0] }), 200);
        assertBareEmpty(await service.post(FEEDBACK, { token, success: true, path: routes[0] }), 200);
        assertBareEmpty(await service.post(FEEDBACK, { token, success: false, path: routes[0] }), 200);
        // the dashed upper-case UUID form names the same token
        const dashed = `${token.slice(0, 8)}-${token.slice(8, 12)}-${token.slice(12, 16)}-${token.slice(16, 20)}-${token.slice(20)}`.toUpperCase();
        assertBareEmpty(await service.post(FEEDBACK, { token: dashed, success: 'false', path: routes[1] }), 200);
        assertBareEmpty(await service.post(FEEDBACK, { token, success: 0, path: routes[1] }), 200);
      });
      assert.equal(delta(feedbackKey('accepted')), 2);
      assert.equal(delta(feedbackKey('repeated')), 3);
      assert.equal(delta(feedbackKey('rejected')), 0);
    });

    it('400 {}: unknown token, the other network, a route that was not returned, a reversed route', async () => {
      const { token, routes } = await paths(service, { from: A(0), to: A(2), value: 10, max_paths: 1 });
      const unknown = 'f'.repeat(32);
      const delta = await metricDelta(service, async () => {
        assertBareEmpty(await service.post(FEEDBACK, { token: unknown, success: true, path: routes[0] }), 400);
        assertBareEmpty(await service.post(`/api/v1/${TN2}/feedback`, { token, success: true, path: routes[0] }), 400);
        assertBareEmpty(await service.post(FEEDBACK, { token, success: true, path: [A(0), A(1), A(4), A(3), A(2)] }), 400);
        assertBareEmpty(await service.post(FEEDBACK, { token, success: true, path: [...routes[0]!].reverse() }), 400);
        assertBareEmpty(await service.post(FEEDBACK, { token, success: true, path: [] }), 400);
      });
      assert.equal(delta(feedbackKey('rejected')), 5);
      assert.equal(delta(feedbackKey('accepted')), 0);
      // the right route on the right network still takes it
      assertBareEmpty(await service.post(FEEDBACK, { token, success: true, path: routes[0] }), 200);
    });

    it('a token of TN2 works on TN2 only', async () => {
      const { token, routes } = await paths(service, { from: A(0), to: A(2), value: 10 }, TN2);
      assert.deepEqual(routes, [[A(0), A(1), A(2)]]);
      assertBareEmpty(await service.post(FEEDBACK, { token, success: true, path: routes[0] }), 400);
      assertBareEmpty(await service.post(`/api/v1/${TN2}/feedback`, { token, success: true, path: routes[0] }), 200);
    });

    it('token network argument first: 2003 (not checksummed), 2004 (unknown), even with a bad body', async () => {
      for (const raw of [TN.toLowerCase(), '1234abc', TN.slice(2)]) {
        const r = await service.request('POST', `/api/v1/${raw}/feedback`);
        assert.deepEqual(assertEnvelope(r, 400, 2003), { token_network: raw });
        assert.equal(json(r).errors, 'The token network needs to be given as a checksummed address');
      }
      const r = await service.post(`/api/v1/${ZERO}/feedback`, 'not json');
      assert.deepEqual(assertEnvelope(r, 400, 2004), { token_network: ZERO });
      assert.equal(json(r).errors, 'This service does not work on the given token network.');
    });

    it('no body, a falsy body or not JSON: 400 "JSON payload expected", code 0', async () => {
      const cases: [string | undefined, Record<string, string>][] = [
        [undefined, {}],
        ['{}', {}],
        ['[]', {}],
        ['null', {}],
        ['{"token": "x"}', { 'Content-Type': 'text/plain' }],
      ];
      for (const [body, headers] of cases) {
        const r = await service.request('POST', FEEDBACK, body, headers);
        assert.deepEqual(assertEnvelope(r, 400, 0), {}, String(body));
        assert.equal(json(r).errors, 'JSON payload expected');
      }
    });

    it('malformed JSON: Werkzeug’s 400 {"message": ...}', async () => {
      const r = await service.post(FEEDBACK, '{"token": ');
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { message: 'The browser (or proxy) sent a request that this server could not understand.' });
    });

    it('schema errors: 2000 with marshmallow’s messages per field, in field order', async () => {
      const { token, routes } = await paths(service, { from: A(0), to: A(2), value: 10, max_paths: 1 });
      const path = routes[0]!;
      const check = async (body: unknown, details: Json) => {
        const r = await service.post(FEEDBACK, body);
        const d = assertEnvelope(r, 400, 2000);
        assert.equal(json(r).errors, 'Request parameter failed validation. See `error_details`.');
        assert.deepEqual(d, details, JSON.stringify(body));
        assert.deepEqual(Object.keys(d), Object.keys(details), 'key order');
      };
      await check({ token: 'abc', success: true, path }, { token: ['Not a valid UUID.'] });
      await check({ token, success: true, path: ['abc'] }, { path: { '0': ['Not a checksummed address: abc'] } });
      await check({ token, success: true, path: [A(0), address(1)] }, { path: { '1': [`Not a checksummed address: ${address(1)}`] } });
      await check({ token, success: 'perhaps', path }, { success: ['Not a valid boolean.'] });
      await check({ token, success: true, path: A(0) }, { path: ['Not a valid list.'] });
      await check({ path }, { token: ['Missing data for required field.'], success: ['Missing data for required field.'] });
      await check({ token: null, success: true, path }, { token: ['Field may not be null.'] });
      await check({ token, success: true, path, comment: 'x' }, { comment: ['Unknown field.'] });
      await check([token], { _schema: ['Invalid input type.'] });
      // nothing was stored by any of these: the route still takes its first feedback
      const delta = await metricDelta(service, async () => {
        assertBareEmpty(await service.post(FEEDBACK, { token, success: true, path }), 200);
      });
      assert.equal(delta(feedbackKey('accepted')), 1);
    });

    it('GET on the feedback route: 405 with Allow', async () => {
      const r = await service.get(FEEDBACK);
      assert.equal(r.status, 405);
      assert.equal(r.headers.get('allow'), 'OPTIONS, POST');
    });
  });

  describe('GET suggest_partner', () => {
    it('200: at most 5 of the online nodes, best first, with the spec’s centralities and out-capacities', async () => {
      const r = await service.get(`/api/v1/${TN}/suggest_partner`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      const list = r.json as Json[];
      assert.equal(list.length, 5);
      for (const s of list) assert.deepEqual(Object.keys(s), ['address', 'score', 'centrality', 'uptime', 'capacity']);
      // case_1, n = 7: nodes 1, 2 at (4/5)(4/6); 0, 3, 4 at (4/6)(4/6); 5 at 1/6; node 6 is offline
      const big = (4 / 5) * (4 / 6);
      const small = (4 / 6) * (4 / 6);
      const expected = new Map<string, [number, number]>([
        [A(0), [small, 90]],
        [A(1), [big, 60 + 130 + 35]],
        [A(2), [big, 40 + 80 + 120]],
        [A(3), [small, 20 + 50]],
        [A(4), [small, 50 + 35]],
        [A(5), [1 / 6, 550]],
      ]);
      const uptimes = list.map((s) => s.uptime as number);
      for (const s of list) {
        const [centrality, capacity] = expected.get(String(s.address))!;
        assert.equal(s.centrality, centrality, String(s.address));
        assert.equal(s.capacity, capacity);
        assert.ok(typeof s.uptime === 'number' && s.uptime > 0 && s.uptime < 600, String(s.uptime));
        assert.equal(s.score, centrality * (s.uptime as number) * capacity);
      }
      // presence came in one log within milliseconds, so uptimes are close and the order is the static one
      assert.ok(Math.max(...uptimes) - Math.min(...uptimes) < 0.02 * Math.min(...uptimes), `uptimes ${uptimes}`);
      assert.deepEqual(
        list.map((s) => s.address),
        [A(2), A(1), A(5), A(0), A(4)],
      );
      // Python floats on the wire: every score, centrality and uptime has a '.' or an exponent
      for (const m of r.text.matchAll(/"(score|centrality|uptime)": ([^,}]+)/g)) assert.match(m[2]!, /[.e]/, m[0]);
      assert.ok(r.text.includes(`"centrality": ${big}`), 'shortest round-trip digits');
      assert.match(r.text, /"capacity": 240[,}]/);
    });

    it('cached for 60 s: a later request gets the same bytes (the same uptimes)', async () => {
      const a = await service.get(`/api/v1/${TN}/suggest_partner`);
      await new Promise((r) => setTimeout(r, 50));
      const b = await service.get(`/api/v1/${TN}/suggest_partner`);
      assert.equal(b.status, 200);
      assert.equal(b.text, a.text);
    });

    it('concurrent first requests share one computation', async () => {
      const key = 'pfs_suggest_partner_computations_total{outcome="suggested"}';
      let replies: HttpResult[] = [];
      const delta = await metricDelta(service, async () => {
        replies = await Promise.all([1, 2, 3, 4].map(() => service.get(`/api/v1/${TN2}/suggest_partner`)));
      });
      assert.equal(delta(key), 1);
      for (const r of replies) {
        assert.equal(r.status, 200, r.text);
        assert.equal(r.text, replies[0]!.text);
      }
      // TN2 is the path 0-1-2 (n = 3): node 1 at 1.0 with 1000, the ends at (2/3)(2/2) with 500
      const list = replies[0]!.json as Json[];
      assert.deepEqual(
        list.map((s) => [s.address, s.centrality, s.capacity]),
        [
          [A(1), 1, 1000],
          [A(0), 2 / 3, 500],
          [A(2), 2 / 3, 500],
        ],
      );
      assert.match(replies[0]!.text, /"centrality": 1\.0,/);
    });

    it('2003 for a token network that is not checksummed, 2004 for an unknown one', async () => {
      for (const raw of [TN.toLowerCase(), 'abc']) {
        const r = await service.get(`/api/v1/${raw}/suggest_partner`);
        assert.deepEqual(assertEnvelope(r, 400, 2003), { token_network: raw });
      }
      const r = await service.get(`/api/v1/${ZERO}/suggest_partner`);
      assert.deepEqual(assertEnvelope(r, 400, 2004), { token_network: ZERO });
    });
  });

  it('the debug routes do not exist: HTML 404 like any unknown path', async () => {
    for (const path of [
      `/api/v1/_debug/routes/${TN}/${A(0)}`,
      `/api/v1/_debug/routes/${TN}/${A(0)}/${A(2)}`,
      `/api/v1/_debug/ious/${A(0)}`,
      '/api/v1/_debug/stats',
    ]) {
      const r = await service.get(path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', path);
      assert.ok(r.text.startsWith(HTML_404_START), r.text);
    }
  });
});

describe('debug endpoints (--enable-debug)', () => {
  let service: ServiceProcess;
  before(async () => {
    service = await ServiceProcess.start({ dataDir: join(dir.path, 'data-debug'), events, chainId: FIXTURE_CHAIN_ID, args: ['--enable-debug'] });
    await service.waitReady();
  });
  after(async () => {
    assert.equal(await service.stop(), 0);
  });

  const stats = async (): Promise<Json> => {
    const r = await service.get('/api/v1/_debug/stats');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(json(r)), ['total_calculated_routes', 'total_feedback_received', 'total_successful_routes', 'online_nodes']);
    return json(r);
  };
  const counts = (routes: number, feedback: number, successful: number) => ({
    total_calculated_routes: routes,
    total_feedback_received: feedback,
    total_successful_routes: successful,
    online_nodes: 6, // nodes 0-5, one Matrix user each; node 6 is offline
  });
  const debugRoutes = async (...args: string[]): Promise<Json> => {
    const r = await service.get(`/api/v1/_debug/routes/${args.join('/')}`);
    assert.equal(r.status, 200, r.text);
    return json(r);
  };
  const answered = (target: number, ...routes: number[][]) => ({
    source: A(0),
    target: A(target),
    routes: routes.map((p) => ({ path: p.map(A), estimated_fee: 0 })),
  });

  const tokens: string[] = [];

  it('test_stats_endpoint: (0,0,0) -> (1,0,0) -> (1,1,0) after a failure feedback -> (2,1,0) -> (2,2,1)', async () => {
    assert.deepEqual(await stats(), counts(0, 0, 0));
    const one = await paths(service, { from: A(0), to: A(2), value: 10, max_paths: 1 });
    tokens.push(one.token);
    assert.deepEqual(await stats(), counts(1, 0, 0));
    assertBareEmpty(await service.post(FEEDBACK, { token: one.token, success: false, path: one.routes[0] }), 200);
    assert.deepEqual(await stats(), counts(1, 1, 0));
    const two = await paths(service, { from: A(0), to: A(2), value: 10, max_paths: 1 });
    tokens.push(two.token);
    assert.deepEqual(await stats(), counts(2, 1, 0));
    assertBareEmpty(await service.post(FEEDBACK, { token: two.token, success: true, path: two.routes[0] }), 200);
    assert.deepEqual(await stats(), counts(2, 2, 1));
    // a repeat and a refused feedback change nothing
    assertBareEmpty(await service.post(FEEDBACK, { token: two.token, success: false, path: two.routes[0] }), 200);
    assertBareEmpty(await service.post(FEEDBACK, { token: 'e'.repeat(32), success: true, path: two.routes[0] }), 400);
    assert.deepEqual(await stats(), counts(2, 2, 1));
  });

  it('test_get_paths_via_debug_endpoint_a: the two answers of 0 -> 2, per token, with their routes', async () => {
    const all = await debugRoutes(TN, A(0));
    assert.deepEqual(all, { request_count: 2, responses: [answered(2, [0, 1, 2]), answered(2, [0, 1, 2])] });
    assert.deepEqual(Object.keys(all), ['request_count', 'responses']);
    assert.deepEqual(Object.keys((all.responses as Json[])[0]!), ['source', 'target', 'routes']);
    assert.deepEqual(await debugRoutes(TN, A(0), A(2)), all);
    assert.deepEqual(await debugRoutes(TN, A(0), A(3)), { request_count: 0, responses: [] });
    assert.deepEqual(await debugRoutes(TN, A(1)), { request_count: 0, responses: [] }, 'by source only');
    assert.deepEqual(await debugRoutes(TN2, A(0)), { request_count: 0, responses: [] }, 'by network');
  });

  it('an answer with several routes is one response with its routes in answer order', async () => {
    await paths(service, { from: A(0), to: A(4), value: 10, max_paths: 3 });
    const r = await debugRoutes(TN, A(0), A(4));
    assert.equal(r.request_count, 1);
    const routes = ((r.responses as Json[])[0]!.routes as Json[]).map((x) => x.path);
    assert.ok(routes.length >= 2 && routes.length <= 3, JSON.stringify(routes));
    assert.deepEqual(routes[0], [A(0), A(1), A(4)]);
  });

  it('test_get_paths_via_debug_endpoint_empty_routes: failed requests are listed with routes [] before the answers', async () => {
    const miss = await service.post(PATHS, { from: A(0), to: A(5), value: 10, max_paths: 5 });
    assertEnvelope(miss, 404, 2201);
    assert.deepEqual(await debugRoutes(TN, A(0), A(5)), { request_count: 1, responses: [answered(5)] });
    const big = await service.post(PATHS, `{"from": "${A(0)}", "to": "${A(6)}", "value": 1e10}`);
    assertEnvelope(big, 404, 2201);
    assert.deepEqual(await debugRoutes(TN, A(0), A(6)), { request_count: 1, responses: [answered(6)] });
    const all = await debugRoutes(TN, A(0));
    assert.equal(all.request_count, 5);
    const listed = (all.responses as Json[]).map((x) => [x.target, (x.routes as unknown[]).length]);
    assert.deepEqual(listed.slice(0, 4), [
      [A(5), 0],
      [A(6), 0],
      [A(2), 1],
      [A(2), 1],
    ]);
    assert.equal(listed[4]![0], A(4));
    assert.ok((listed[4]![1] as number) >= 2);
  });

  it('arguments are compared in any letter case, with or without 0x', async () => {
    const want = await debugRoutes(TN, A(0), A(2));
    assert.equal(want.request_count, 2);
    assert.deepEqual(await debugRoutes(TN.toLowerCase(), A(0).toLowerCase(), A(2).toUpperCase().replace('0X', '0x')), want);
    assert.deepEqual(await debugRoutes(TN.slice(2), A(0).slice(2), A(2)), want);
  });

  it('a TN2 answer shows under TN2 only', async () => {
    await paths(service, { from: A(0), to: A(2), value: 10 }, TN2);
    assert.deepEqual(await debugRoutes(TN2, A(0)), { request_count: 1, responses: [answered(2, [0, 1, 2])] });
    assert.equal((await debugRoutes(TN, A(0), A(2))).request_count, 2);
  });

  it('test_get_ious_via_debug_endpoint: no IOU ledger without a chain, so {} (200) for any sender', async () => {
    for (const a of [A(0), A(1), address(3)]) {
      const r = await service.get(`/api/v1/_debug/ious/${a}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, '{}\n');
    }
  });

  it('arguments that are no address at all: 500, where the reference’s address conversion raises', async () => {
    for (const path of [`/api/v1/_debug/routes/${TN}/nope`, `/api/v1/_debug/routes/nope/${A(0)}`, `/api/v1/_debug/routes/${TN}/${A(0)}/nope`, '/api/v1/_debug/ious/nope']) {
      const r = await service.get(path);
      assert.equal(r.status, 500, path);
      assert.deepEqual(r.json, { message: 'Internal Server Error' });
    }
  });

  it('other paths under _debug are unknown (HTML 404); a POST on a debug route is 405', async () => {
    for (const path of [`/api/v1/_debug/routes/${TN}`, '/api/v1/_debug/nope', `/api/v1/_debug/routes/${TN}/${A(0)}/${A(2)}/x`]) {
      const r = await service.get(path);
      assert.equal(r.status, 404, path);
      assert.ok(r.text.startsWith(HTML_404_START), path);
    }
    const r = await service.post('/api/v1/_debug/stats', {});
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  it('the stats after all of this: every route returned so far, feedback unchanged', async () => {
    const s = await stats();
    // 2 single-route answers, the 0 -> 4 answer, and the TN2 answer (1 route)
    const r = await debugRoutes(TN, A(0), A(4));
    const routesTo4 = ((r.responses as Json[])[0]!.routes as unknown[]).length;
    assert.deepEqual(s, counts(2 + routesTo4 + 1, 2, 1));
  });

  it('after a restart on the same data dir: the same stats and answers; the failed requests (memory only) are gone; feedback still works', async () => {
    const s = await stats();
    const answers = await debugRoutes(TN, A(0), A(2));
    assert.equal(await service.stop(), 0);
    service = await ServiceProcess.start({ dataDir: join(dir.path, 'data-debug'), chainId: FIXTURE_CHAIN_ID, args: ['--enable-debug'] });
    await service.waitReady();
    assert.deepEqual(await stats(), s);
    assert.deepEqual(await debugRoutes(TN, A(0), A(2)), answers);
    assert.deepEqual(await debugRoutes(TN, A(0), A(5)), { request_count: 0, responses: [] });
    // the first answer's route got its feedback before the restart: now a repeat, which changes nothing
    assertBareEmpty(await service.post(FEEDBACK, { token: tokens[0], success: true, path: [A(0), A(1), A(2)] }), 200);
    assert.deepEqual(await stats(), s);
  });
});
