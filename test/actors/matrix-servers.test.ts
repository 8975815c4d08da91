import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MatrixServerDeps, resolveMatrixServers } from '../../actors/matrix-servers.ts';
import type { KnownServersSetting } from '../../src/config.ts';
import { Logger } from '../../src/log.ts';
import type { KnownServers } from '../../src/transport/known-servers.ts';

/** Deps answering from tables, recording which lists were fetched. */
function fakeDeps(lists: Record<string, KnownServers>, rtts: Record<string, number | null>): MatrixServerDeps & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    fetchList: async (url) => {
      fetched.push(url);
      return lists[url] ?? { ok: false, error: 'HTTP 404' };
    },
    measure: async (server) => rtts[server] ?? null,
  };
}

const AUTO: KnownServersSetting = { kind: 'auto' };
const NONE: KnownServersSetting = { kind: 'none' };
const LIST = 'http://127.0.0.1:1/list.json';
const url = (u: string): KnownServersSetting => ({ kind: 'url', url: u });

async function resolve(configured: string[], setting: KnownServersSetting, chainId: bigint, followsChain: boolean, deps: MatrixServerDeps) {
  const lines: string[] = [];
  const result = await resolveMatrixServers(configured, setting, chainId, followsChain, new Logger('INFO', true, (l) => lines.push(l)), deps);
  return { result, lines: lines.map((l) => JSON.parse(l) as { level: string; message: string }) };
}

describe('Matrix servers at start-up (spec §8.1)', () => {
  it('file-only mode: the --matrix-server values in order, no list fetched, one candidate not measured', async () => {
    const deps = fakeDeps({}, {});
    assert.deepEqual((await resolve(['https://a.example'], AUTO, 1n, false, deps)).result, { ok: true, servers: ['https://a.example'] });
    assert.deepEqual((await resolve([], AUTO, 1n, false, deps)).result, { ok: true, servers: [] });
    assert.deepEqual(deps.fetched, []);
  });

  it('following chain 1 or a testnet: the reference list; other chains: none', async () => {
    const deps = fakeDeps({}, { 'https://a.example': 50, 'https://b.example': 10 });
    await resolve(['https://a.example'], AUTO, 1n, true, deps);
    await resolve(['https://a.example'], AUTO, 5n, true, deps);
    await resolve(['https://a.example'], AUTO, 337n, true, deps);
    assert.equal(deps.fetched.length, 2);
    assert.match(deps.fetched[0]!, /production-v3\.0\.0\.json$/);
    assert.match(deps.fetched[1]!, /development-v3\.0\.0\.json$/);
  });

  it('without --matrix-server the known servers are the candidates; the fastest is main, all are connected', async () => {
    const deps = fakeDeps({ [LIST]: { ok: true, servers: ['https://a.example', 'https://b.example', 'https://c.example'] } }, {
      'https://a.example': 80,
      'https://b.example': 12,
      'https://c.example': null,
    });
    const { result, lines } = await resolve([], url(LIST), 337n, false, deps);
    assert.deepEqual(result, { ok: true, servers: ['https://b.example', 'https://a.example', 'https://c.example'] });
    assert.ok(lines.some((l) => l.message === 'main Matrix server chosen by round-trip time'));
  });

  it('--matrix-server values are the candidates; known servers are connected as well', async () => {
    const deps = fakeDeps({ [LIST]: { ok: true, servers: ['https://k.example', 'https://b.example'] } }, { 'https://a.example': 30, 'https://b.example': 20 });
    const { result } = await resolve(['https://a.example', 'https://b.example'], url(LIST), 1n, true, deps);
    assert.deepEqual(result, { ok: true, servers: ['https://b.example', 'https://a.example', 'https://k.example'] });
    assert.deepEqual(deps.fetched, [LIST]);
  });

  it('a list that cannot be read: a warning with --matrix-server, a refusal without', async () => {
    const deps = fakeDeps({}, {});
    const warned = await resolve(['https://a.example'], url(LIST), 337n, false, deps);
    assert.deepEqual(warned.result, { ok: true, servers: ['https://a.example'] });
    assert.ok(warned.lines.some((l) => l.level === 'WARNING' && /cannot read the known Matrix servers/.test(l.message)));
    const refused = await resolve([], url(LIST), 337n, false, deps);
    assert.equal(refused.result.ok, false);
    if (!refused.result.ok) assert.match(refused.result.message, /cannot read the known Matrix servers from http:\/\/127\.0\.0\.1:1\/list\.json: HTTP 404; .*--known-servers-url none/);
  });

  it('"none" fetches nothing, even on chain 1', async () => {
    const deps = fakeDeps({}, {});
    assert.deepEqual((await resolve([], NONE, 1n, true, deps)).result, { ok: true, servers: [] });
    assert.deepEqual(deps.fetched, []);
  });
});
