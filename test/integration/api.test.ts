import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getAddress, verifyMessage } from 'ethers';
import { address, wallet } from '../fixtures/accounts.ts';
import { FIXTURE_CHAIN_ID, FIXTURE_TOKEN_NETWORK, writeFixtureLog } from '../helpers/fixture-log.ts';
import { CASE_1 } from '../helpers/reference-fixtures.ts';
import { type HttpResult, PROJECT_ROOT, ServiceProcess } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * The reference's HTTP tests (spec §10.4, test_api.py) that need neither payments, a chain
 * nor debug mode, run against the real service process on the case_1 model loaded from a
 * signed event log. Expected values are derived independently of the service code: ethers
 * for checksums and signature recovery, the log file itself for metadata and block numbers.
 * One service is shared by the tests of a describe block (start-up costs seconds).
 */

const TN = getAddress(FIXTURE_TOKEN_NETWORK);
const A = (i: number): string => getAddress(address(i));
const PAYMENT_ADDRESS = '0xC2D7CF95645D33006175B78989035C7c9061d3F9';
const ONES = '0x' + '1'.repeat(40);
const PATHS = `/api/v1/${TN}/paths`;
const OFFLINE_NODE = 6;
/** Not in the model; its presence line in the log is forged (signed by node 1's key). */
const FORGED_NODE = 9;
const OPERATOR = 'Jörg Operator & Co.';
const MESSAGE = 'This is your favorite PFS. ✓';
const REGISTRY = '0x' + '09'.repeat(20);
const USER_DEPOSIT = '0x' + '08'.repeat(20);
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface PresenceLine {
  readonly user_id: string;
  readonly presence: string;
  readonly displayname: string;
  readonly avatar_url: string;
}

/** What the log says about the model: presence per lower-case address and the highest block. */
function readLog(path: string): { presence: Map<string, PresenceLine>; maxBlock: number; lines: Record<string, unknown>[] } {
  const presence = new Map<string, PresenceLine>();
  const lines: Record<string, unknown>[] = [];
  let maxBlock = 0;
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof o !== 'object' || o === null) continue;
    lines.push(o);
    if (typeof o.block === 'number') maxBlock = Math.max(maxBlock, o.block);
    if (typeof o.block === 'string') maxBlock = Math.max(maxBlock, Number(o.block));
    if (o.kind === 'presence') {
      const p = o as unknown as PresenceLine;
      presence.set(/^@(0x[0-9a-f]{40}):/.exec(p.user_id)![1]!, p);
    }
  }
  return { presence, maxBlock, lines };
}

type Json = Record<string, unknown>;
const json = (r: HttpResult): Json => r.json as Json;
const details = (r: HttpResult): Json => json(r).error_details as Json;

function assertEnvelope(r: HttpResult, status: number, code: number): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  const body = json(r);
  assert.deepEqual(Object.keys(body), ['errors', 'error_code', 'error_details'], r.text);
  assert.equal(body.error_code, code, r.text);
  assert.equal(typeof body.errors, 'string');
}

/** The answer without the per-request feedback token (which must still be fresh uuid4 hex). */
function withoutToken(r: HttpResult): unknown {
  const { feedback_token, ...rest } = json(r);
  assert.match(String(feedback_token), /^[0-9a-f]{32}$/);
  return rest;
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

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const events = join(dir.path, 'case1.ndjson');
const startArgs = ['--operator', OPERATOR, '--info-message', MESSAGE, '--registry', REGISTRY, '--user-deposit', USER_DEPOSIT];

// The case_1 model with node 6 offline, plus lines the ingress must refuse (each counted
// under its own reason): not JSON, an unknown kind, and a presence whose displayname was
// signed by another key. A final Block raises the confirmed block above the writer's.
writeFixtureLog(events, CASE_1, { offline: [OFFLINE_NODE] });
const forgedUserId = `@${address(FORGED_NODE)}:homeserver.com`;
appendFileSync(
  events,
  [
    'this line is not JSON',
    JSON.stringify({ kind: 'bogus', block: 1 }),
    JSON.stringify({ kind: 'presence', user_id: forgedUserId, presence: 'online', displayname: wallet(1).signMessageSync(forgedUserId), avatar_url: 'mxc://' }),
    JSON.stringify({ kind: 'chain', block: 37, event: 'Block' }),
  ].join('\n') + '\n',
);
const model = readLog(events);

/** Expected metadata of fixture node i, taken from its presence line. */
function metadataOf(i: number): Json {
  const p = model.presence.get(address(i))!;
  return { user_id: p.user_id, capabilities: p.avatar_url, displayname: p.displayname };
}

let firstPathsAnswer: unknown;

describe('test_api.py on the case_1 model (one service)', () => {
  let service: ServiceProcess;
  let spawnedAt: number;
  before(async () => {
    spawnedAt = Date.now();
    service = await ServiceProcess.start({ dataDir, events, args: startArgs, chainId: FIXTURE_CHAIN_ID });
    await service.waitReady();
  });
  after(async () => {
    assert.equal(await service.stop(), 0, 'SIGTERM stops the service with exit code 0');
  });

  it('the fixture log matches the spec: user ids, signed displaynames, one offline node', () => {
    for (let i = 0; i <= 6; i++) {
      const p = model.presence.get(address(i))!;
      assert.equal(p.user_id, `@0x${A(i).slice(2).toLowerCase()}:homeserver.com`);
      assert.equal(verifyMessage(p.user_id, p.displayname), A(i));
      assert.equal(p.presence, i === OFFLINE_NODE ? 'offline' : 'online');
    }
    assert.notEqual(verifyMessage(forgedUserId, model.presence.get(address(FORGED_NODE))!.displayname), A(FORGED_NODE));
  });

  it('/health is 200 and /ready is 200 once the log is applied', async () => {
    const health = await service.get('/health');
    assert.equal(health.status, 200, health.text);
    const ready = await service.get('/ready');
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(ready.json, { ready: true });
  });

  describe('test_get_paths_validation', () => {
    const good = { from: A(0), to: A(1), value: 5, max_paths: 3 };
    const iou = {
      sender: A(20),
      receiver: PAYMENT_ADDRESS,
      one_to_n_address: getAddress('0x' + '01'.repeat(20)),
      chain_id: Number(FIXTURE_CHAIN_ID),
      amount: 1,
      claimable_until: 15e9 + 604800,
      signature: '0x' + '1'.repeat(130),
    };

    it('no body: 400 "JSON payload expected", code 0', async () => {
      const r = await service.request('POST', PATHS);
      assertEnvelope(r, 400, 0);
      assert.ok(String(json(r).errors).startsWith('JSON payload expected'), r.text);
      assert.deepEqual(details(r), {});
    });

    for (const key of ['from', 'to'] as const) {
      for (const bad of ['notanaddress', address(0)]) {
        it(`${key} = ${JSON.stringify(bad)}: 2000 naming ${key}`, async () => {
          const r = await service.post(PATHS, { ...good, [key]: bad });
          assertEnvelope(r, 400, 2000);
          assert.deepEqual(details(r), { [key]: [`Not a checksummed address: ${bad}`] });
        });
      }
    }

    it('value -10: 2000 with the range message under value', async () => {
      const r = await service.post(PATHS, { ...good, value: -10 });
      assertEnvelope(r, 400, 2000);
      assert.deepEqual(details(r), { value: ['Must be greater than or equal to 1.'] });
    });

    it('max_paths -1: 2000 with the range message under max_paths', async () => {
      const r = await service.post(PATHS, { ...good, max_paths: -1 });
      assertEnvelope(r, 400, 2000);
      assert.deepEqual(details(r), { max_paths: ['Must be greater than or equal to 1 and less than or equal to 25.'] });
    });

    it('missing required fields: 2000 "Missing data for required field." for each', async () => {
      const r = await service.post(PATHS, { max_paths: 3 });
      assertEnvelope(r, 400, 2000);
      const missing = ['Missing data for required field.'];
      assert.deepEqual(details(r), { from: missing, to: missing, value: missing });
    });

    it('the default request {0 -> 1, value 5, max_paths 3}: 200', async () => {
      const r = await service.post(PATHS, good);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('content-type'), 'application/json');
      const result = json(r).result as { path: string[] }[];
      assert.ok(result.length >= 1 && result.length <= 3, r.text);
      for (const route of result) {
        assert.equal(route.path[0], A(0));
        assert.equal(route.path.at(-1), A(1));
      }
    });

    it('iou without amount: 2000 under iou.amount', async () => {
      const { amount: _, ...noAmount } = iou;
      const r = await service.post(PATHS, { ...good, iou: noAmount });
      assertEnvelope(r, 400, 2000);
      assert.deepEqual(details(r), { iou: { amount: ['Missing data for required field.'] } });
    });

    it('iou with {"_hex": ...} numbers: 2000 "Not a valid integer." for each', async () => {
      const hex = { _hex: '0x64' };
      const r = await service.post(PATHS, { ...good, iou: { ...iou, amount: hex, claimable_until: hex, chain_id: hex } });
      assertEnvelope(r, 400, 2000);
      const notInt = ['Not a valid integer.'];
      assert.deepEqual(details(r), { iou: { amount: notInt, claimable_until: notInt, chain_id: notInt } });
    });

    it('iou with an unknown key: 2000 "Unknown field." nested under iou', async () => {
      const r = await service.post(PATHS, { ...good, iou: { ...iou, tip: 1 } });
      assertEnvelope(r, 400, 2000);
      assert.deepEqual(details(r), { iou: { tip: ['Unknown field.'] } });
    });

    it('service fee 0: a well-formed iou is ignored, even with a signature that does not recover (200)', async () => {
      const r = await service.post(PATHS, { ...good, iou });
      assert.equal(r.status, 200, r.text);
      const plain = await service.post(PATHS, good);
      assert.deepEqual(withoutToken(r), withoutToken(plain));
    });
  });

  describe('test_get_paths_path_validation', () => {
    const body = { from: A(0), to: A(2), value: 10 };
    for (const tn of ['1234abc', TN.slice(2), TN.toLowerCase(), TN.slice(0, -1)]) {
      it(`token network ${JSON.stringify(tn)}: 2003 with the argument as given`, async () => {
        const r = await service.post(`/api/v1/${tn}/paths`, body);
        assertEnvelope(r, 400, 2003);
        assert.equal(json(r).errors, 'The token network needs to be given as a checksummed address');
        assert.deepEqual(details(r), { token_network: tn });
      });
    }

    it('the zero address: 2004', async () => {
      const zero = '0x' + '0'.repeat(40);
      const r = await service.post(`/api/v1/${zero}/paths`, body);
      assertEnvelope(r, 400, 2004);
      assert.deepEqual(details(r), { token_network: zero });
    });

    it('the token network is checked before the body', async () => {
      const r = await service.request('POST', '/api/v1/1234abc/paths');
      assertEnvelope(r, 400, 2003);
    });
  });

  describe('test_get_paths', () => {
    it('0 -> 2: the two reference paths, fee 0, metadata of every node in path order', async () => {
      const r = await service.post(PATHS, { from: A(0), to: A(2), value: 10, max_paths: 5 });
      assert.equal(r.status, 200, r.text);
      const body = json(r);
      assert.deepEqual(Object.keys(body), ['result', 'feedback_token']);
      const expectedPaths = [[0, 1, 2], [0, 1, 4, 3, 2]];
      assert.deepEqual(
        body.result,
        expectedPaths.map((nodes) => ({
          path: nodes.map(A),
          address_metadata: Object.fromEntries(nodes.map((i) => [A(i), metadataOf(i)])),
          estimated_fee: 0,
        })),
      );
      for (const route of body.result as { address_metadata: Record<string, Json> }[]) {
        assert.deepEqual(Object.keys(route.address_metadata), Object.keys(route.address_metadata).map(getAddress));
        for (const [a, m] of Object.entries(route.address_metadata)) {
          assert.equal(m.user_id, `@0x${a.slice(2).toLowerCase()}:homeserver.com`);
          assert.equal(verifyMessage(String(m.user_id), String(m.displayname)), a);
          assert.match(String(m.capabilities), /^mxc:\/\//);
        }
      }
      firstPathsAnswer = withoutToken(r);
    });

    it('leaving out max_paths gives the identical result, with a fresh feedback token', async () => {
      const a = await service.post(PATHS, { from: A(0), to: A(2), value: 10 });
      const b = await service.post(PATHS, { from: A(0), to: A(2), value: 10 });
      assert.equal(a.status, 200, a.text);
      assert.deepEqual(withoutToken(a), firstPathsAnswer);
      assert.notEqual(json(a).feedback_token, json(b).feedback_token);
    });

    it('max_paths 1 returns only the best path', async () => {
      const r = await service.post(PATHS, { from: A(0), to: A(2), value: 10, max_paths: 1 });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual((json(r).result as { path: string[] }[]).map((x) => x.path), [[A(0), A(1), A(2)]]);
    });

    // spec §3.7: the first failing quick check is the reason, then the block suffix
    const noRoute: [string, string, string, number, number | undefined, string][] = [
      ['0 -> 5', A(0), A(5), 10, undefined, 'No route from source to target'],
      ['0x11..11 -> 5', ONES, A(5), 10, undefined, 'Source not online'],
      ['0 -> 0x11..11 (max 3)', A(0), ONES, 10, 3, 'Target not online'],
      ['5 -> 6 (6 is offline)', A(5), A(6), 1, undefined, 'Target not online'],
      ['0 -> 2 above every capacity of 0', A(0), A(2), 10_000, undefined,
        'Source does not have a channel with sufficient capacity (current capacities: [90, 0] < requested amount:  10000)'],
      ['2 -> 0 above every capacity of 2', A(2), A(0), 121, undefined,
        'Source does not have a channel with sufficient capacity (current capacities: [40, 80, 120] < requested amount:  121)'],
    ];
    for (const [name, from, to, value, maxPaths, reason] of noRoute) {
      it(`${name}: 404, code 2201, "${reason.slice(0, 30)}...", details {from_, to, value}`, async () => {
        const r = await service.post(PATHS, { from, to, value, ...(maxPaths === undefined ? {} : { max_paths: maxPaths }) });
        assertEnvelope(r, 404, 2201);
        assert.equal(json(r).errors, `${reason}. Approximate block at the time of the request ${model.maxBlock}`);
        assert.deepEqual(details(r), { from_: from, to, value });
      });
    }

    it('from == to on a node with channels: the trivial path, fee 0 (spec §2.3)', async () => {
      const r = await service.post(PATHS, { from: A(0), to: A(0), value: 1 });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(json(r).result, [{ path: [A(0)], address_metadata: { [A(0)]: metadataOf(0) }, estimated_fee: 0 }]);
    });
  });

  describe('test_get_info / test_get_info2', () => {
    const expected = (version: 1 | 2): Json => ({
      price_info: version === 1 ? 0 : '0',
      network_info: {
        chain_id: Number(FIXTURE_CHAIN_ID),
        token_network_registry_address: getAddress(REGISTRY),
        user_deposit_address: getAddress(USER_DEPOSIT),
        service_token_address: '0x0000000000000000000000000000000000000000',
        confirmed_block: { number: version === 1 ? model.maxBlock : String(model.maxBlock) },
      },
      version: PACKAGE_VERSION,
      contracts_version: '0.50.2',
      operator: OPERATOR,
      message: MESSAGE,
      payment_address: PAYMENT_ADDRESS,
      matrix_server: '',
    });

    for (const version of [1, 2] as const) {
      it(`/api/v${version}/info: the exact dict (UTC present and ignored)`, async () => {
        const before = Date.now();
        const r = await service.get(`/api/v${version}/info`);
        assert.equal(r.status, 200, r.text);
        const { UTC, ...rest } = json(r);
        assert.deepEqual(rest, expected(version));
        assert.match(String(UTC), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
        const at = Date.parse(String(UTC) + 'Z');
        assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `UTC ${String(UTC)} is now`);
        // Python's json.dumps escapes non-ASCII (ensure_ascii); the reference writes "\u00f6"
        assert.ok(r.text.includes('J\\u00f6rg Operator & Co.'), r.text);
        assert.ok(r.text.includes('PFS. \\u2713'), r.text);
      });
    }
  });

  describe('test_get_address_metadata / test_get_offline_address_metadata / test_online_addresses', () => {
    it('an online node: 200 with its user id, displayname and capabilities from presence', async () => {
      for (const i of [0, 3, 5]) {
        const r = await service.get(`/api/v1/address/${A(i)}/metadata`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, metadataOf(i));
        assert.deepEqual(Object.keys(json(r)), ['user_id', 'capabilities', 'displayname']);
      }
    });

    it('an address never seen: 404 2203, seen_offline_since = seconds since the service started', async () => {
      const random = getAddress('0x' + 'ab'.repeat(19) + 'cd');
      const r = await service.get(`/api/v1/address/${random}/metadata`);
      assertEnvelope(r, 404, 2203);
      const d = details(r);
      assert.deepEqual(Object.keys(d), ['address', 'seen_offline_since']);
      assert.equal(d.address, random);
      assert.equal(typeof d.seen_offline_since, 'number');
      const since = d.seen_offline_since as number;
      assert.ok(since >= 0 && since <= (Date.now() - spawnedAt) / 1000 + 1, `seen_offline_since ${since}`);
    });

    it('a node marked offline in the log: 404 2203 with a numeric seen_offline_since that grows', async () => {
      const first = await service.get(`/api/v1/address/${A(OFFLINE_NODE)}/metadata`);
      assertEnvelope(first, 404, 2203);
      assert.equal(details(first).address, A(OFFLINE_NODE));
      const a = details(first).seen_offline_since as number;
      assert.equal(typeof a, 'number');
      assert.ok(a >= 0 && a <= (Date.now() - spawnedAt) / 1000 + 1, `seen_offline_since ${a}`);
      await new Promise((r) => setTimeout(r, 50));
      const b = details(await service.get(`/api/v1/address/${A(OFFLINE_NODE)}/metadata`)).seen_offline_since as number;
      assert.ok(b > a, `${b} > ${a}`);
    });

    it('a node whose presence line is forged: not online (404 2203)', async () => {
      const r = await service.get(`/api/v1/address/${A(FORGED_NODE)}/metadata`);
      assertEnvelope(r, 404, 2203);
    });

    it('a lower-case or malformed address: 2006 with the argument as given', async () => {
      for (const bad of [address(0), '0x123', 'nothex']) {
        const r = await service.get(`/api/v1/address/${bad}/metadata`);
        assertEnvelope(r, 400, 2006);
        assert.equal(json(r).errors, 'The address needs to be a valid checksummed Ethereum address');
        assert.deepEqual(details(r), { address: bad });
      }
    });

    it('online_addresses: exactly the online nodes, checksummed', async () => {
      const r = await service.get('/api/v1/online_addresses');
      assert.equal(r.status, 200, r.text);
      const list = r.json as string[];
      assert.ok(Array.isArray(list));
      assert.equal(new Set(list).size, list.length, 'no duplicates');
      assert.deepEqual([...list].sort(), [0, 1, 2, 3, 4, 5].map(A).sort());
    });
  });

  describe('test_cors, methods and unknown routes', () => {
    const preflight = { Origin: 'http://example.com', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'X-Requested-With' };
    const assertCors = (r: HttpResult): void => {
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.headers.get('access-control-allow-headers'), 'Origin, Content-Type, Accept');
      assert.equal(r.headers.get('access-control-allow-methods'), 'GET,POST,OPTIONS');
    };

    it('OPTIONS /api with Origin: the CORS headers (the reference test)', async () => {
      assertCors(await service.request('OPTIONS', '/api', undefined, preflight));
    });

    it('OPTIONS on API routes: 200, the CORS headers and Allow', async () => {
      const info = await service.request('OPTIONS', '/api/v1/info', undefined, preflight);
      assert.equal(info.status, 200);
      assertCors(info);
      assert.equal(info.headers.get('allow'), 'GET, HEAD, OPTIONS');
      const paths = await service.request('OPTIONS', PATHS, undefined, { ...preflight, 'Access-Control-Request-Method': 'POST' });
      assert.equal(paths.status, 200);
      assertCors(paths);
      assert.equal(paths.headers.get('allow'), 'OPTIONS, POST');
    });

    it('answers under /api carry the CORS headers, errors included', async () => {
      assertCors(await service.get('/api/v1/online_addresses'));
      assertCors(await service.post(PATHS, { from: A(0), to: A(5), value: 10 }));
      assertCors(await service.get('/api/v1/no/such/route'));
    });

    it('a wrong method on a known route: 405 JSON with Allow', async () => {
      const cases: [string, string, string][] = [
        ['POST', '/api/v1/info', 'GET, HEAD, OPTIONS'],
        ['DELETE', '/api/v2/info', 'GET, HEAD, OPTIONS'],
        ['GET', PATHS, 'OPTIONS, POST'],
        ['PUT', PATHS, 'OPTIONS, POST'],
        ['POST', '/api/v1/online_addresses', 'GET, HEAD, OPTIONS'],
        ['POST', `/api/v1/address/${A(0)}/metadata`, 'GET, HEAD, OPTIONS'],
      ];
      for (const [method, path, allow] of cases) {
        const r = await service.request(method, path, method === 'GET' ? undefined : '{"from": 1}');
        assert.equal(r.status, 405, `${method} ${path}: ${r.text}`);
        assert.deepEqual(r.json, { message: 'The method is not allowed for the requested URL.' });
        assert.equal(r.headers.get('allow'), allow);
      }
    });

    it('HEAD on a GET route: the headers of GET and no body', async () => {
      const r = await service.request('HEAD', '/api/v1/info');
      assert.equal(r.status, 200);
      assert.equal(r.text, '');
      assert.equal(r.headers.get('content-type'), 'application/json');
    });

    it("unknown paths, and the _debug routes without --enable-debug: Werkzeug's HTML 404", async () => {
      for (const path of [
        '/',
        '/nope',
        '/api',
        '/api/v1/nope',
        '/api/v3/info',
        `/api/v1/${TN}/paths/extra`,
        `/api/v1/_debug/routes/${TN}/${A(0)}`,
        `/api/v1/_debug/routes/${TN}/${A(0)}/${A(2)}`,
        `/api/v1/_debug/ious/${A(0)}`,
        '/api/v1/_debug/stats',
      ]) {
        const r = await service.get(path);
        assert.equal(r.status, 404, `${path}: ${r.text}`);
        assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', path);
        assert.ok(r.text.startsWith('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n'), r.text);
      }
    });
  });

  describe('/metrics', () => {
    it('counts requests per route pattern, method and status', async () => {
      const key = (endpoint: string, method: string, status: number): string =>
        `pfs_http_requests_total{endpoint="${endpoint}",method="${method}",status="${status}"}`;
      const before = samples((await service.get('/metrics')).text);
      await service.post(PATHS, { from: A(0), to: A(2), value: 10 });
      await service.post(PATHS, { from: A(0), to: A(2), value: 10 });
      await service.post(PATHS, { from: A(0), to: A(5), value: 10 });
      await service.get('/api/v1/online_addresses');
      const r = await service.get('/metrics');
      assert.equal(r.status, 200);
      assert.match(String(r.headers.get('content-type')), /^text\/plain/);
      const now = samples(r.text);
      const delta = (k: string): number => (now.get(k) ?? 0) - (before.get(k) ?? 0);
      assert.equal(delta(key('/api/v1/<token_network>/paths', 'POST', 200)), 2);
      assert.equal(delta(key('/api/v1/<token_network>/paths', 'POST', 404)), 1);
      assert.equal(delta(key('/api/v1/online_addresses', 'GET', 200)), 1);
      assert.equal(delta(key('/metrics', 'GET', 200)), 1);
      // the raw URL (with the token network address) never becomes a label
      assert.ok(!r.text.includes(TN) && !r.text.includes(`endpoint="/api/v1/${TN.toLowerCase()}`));
    });

    it('counts input events by kind and outcome, with a label per rejection reason', async () => {
      const m = samples((await service.get('/metrics')).text);
      const input = (kind: string, outcome: string): number | undefined => m.get(`pfs_input_events_total{kind="${kind}",outcome="${outcome}"}`);
      const presence = model.lines.filter((o) => o.kind === 'presence');
      const online = presence.filter((o) => o.presence === 'online').length - 1; // the forged one is refused
      assert.equal(input('presence', 'online'), online);
      assert.equal(input('presence', 'offline'), 1);
      assert.equal(input('channel_opened', 'opened'), CASE_1.length);
      assert.equal(input('capacity_update', 'applied'), model.lines.filter((o) => o.kind === 'to_device').length);
      assert.equal(input('line', 'rejected_not_json'), 1);
      assert.equal(input('line', 'rejected_unknown_kind'), 1);
      const presenceRejections = [...m].filter(([k]) => k.startsWith('pfs_input_events_total{kind="presence",outcome="rejected_'));
      assert.equal(presenceRejections.length, 1, JSON.stringify(presenceRejections));
      assert.equal(presenceRejections[0]![1], 1);
      assert.equal(m.get('pfs_confirmed_block'), model.maxBlock);
    });
  });
});

describe('restart on the same data dir without --events and with a new info message', () => {
  let service: ServiceProcess;
  const newMessage = 'Now with a different message.';
  before(async () => {
    const args = ['--operator', OPERATOR, '--info-message', newMessage, '--registry', REGISTRY, '--user-deposit', USER_DEPOSIT];
    service = await ServiceProcess.start({ dataDir, args, chainId: FIXTURE_CHAIN_ID });
    await service.waitReady();
  });
  after(async () => {
    assert.equal(await service.stop(), 0);
    dir.cleanup();
  });

  it('/info returns the new message and the persisted confirmed block', async () => {
    const r = await service.get('/api/v1/info');
    assert.equal(r.status, 200, r.text);
    assert.equal(json(r).message, newMessage);
    assert.deepEqual((json(r).network_info as Json).confirmed_block, { number: model.maxBlock });
  });

  // event-log.md: a restart without --events must answer every request as before. This
  // fails intermittently at the time of writing: a shard restores its topology while the
  // ingress is still reloading the address registry, so every node maps to slot 0 (reported).
  it('answers the paths request exactly as before the restart', async () => {
    assert.notEqual(firstPathsAnswer, undefined, 'the first service answered');
    const r = await service.post(PATHS, { from: A(0), to: A(2), value: 10, max_paths: 5 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(withoutToken(r), firstPathsAnswer);
  });

  it('presence is as before: the same online addresses, node 6 still offline', async () => {
    const r = await service.get('/api/v1/online_addresses');
    assert.deepEqual([...(r.json as string[])].sort(), [0, 1, 2, 3, 4, 5].map(A).sort());
    assertEnvelope(await service.get(`/api/v1/address/${A(OFFLINE_NODE)}/metadata`), 404, 2203);
  });
});
