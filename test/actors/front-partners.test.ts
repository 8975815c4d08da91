import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiDeps } from '../../actors/front/api.ts';
import { QueueFull } from '../../actors/front/api.ts';
import {
  DEFAULT_SUGGEST_SETTINGS,
  SUGGEST_BUDGET_REASON,
  SUGGEST_CACHE_MS,
  SuggestCache,
  handleSuggestPartner,
} from '../../actors/front/partner-api.ts';
import { PresenceIndex } from '../../actors/front/presence-index.ts';
import { ServiceMetrics } from '../../actors/front/service-metrics.ts';
import type { SuggestTask, SuggestTaskResult } from '../../actors/path-pool/task.ts';
import type { NetworkView } from '../../actors/service.ts';
import { type Address, asAddress, toChecksumAddress } from '../../src/domain/index.ts';
import { AddressRegistryWriter, type NetworkSnapshotHandle } from '../../src/graph/index.ts';
import type { HttpReply } from '../../src/http/index.ts';
import { PresenceTracker, type PresenceChange, type UserPresence } from '../../src/transport/presence-tracker.ts';
import { address } from '../fixtures/accounts.ts';

/*
 * The front's suggest_partner endpoint (spec §2.6): 2003/2004, the 60 s cache per URL
 * string, one shared computation for concurrent requests, 503 on the work cap (cached) and
 * on a full queue (not cached); and the presence index the endpoint and the debug stats
 * read (ONLINE users, REACHABLE-since times per registry index).
 */

const TN = asAddress('0x' + '6e'.repeat(20));
const TN_RAW = toChecksumAddress(TN);
const FAKE_SNAPSHOT = { epoch: 'test' } as unknown as NetworkSnapshotHandle;

function reply(status: number, body: string): HttpReply {
  return { status, contentType: 'application/json', body, headers: [] };
}

/** Just what handleSuggestPartner reads, with a controllable pool. */
function deps(o: {
  suggest: (task: SuggestTask) => Promise<SuggestTaskResult>;
  cache?: SuggestCache;
  snapshot?: NetworkSnapshotHandle | null;
}): ApiDeps & { metrics: ServiceMetrics } {
  const network: NetworkView = { address: TN, shard: 0, snapshot: o.snapshot === undefined ? FAKE_SNAPSHOT : o.snapshot, channels: 1, nodes: 2, publishedAt: 1 };
  const partial = {
    metrics: new ServiceMetrics(),
    network: (a: Address) => (a === TN ? network : undefined),
    reachableSince: () => Float64Array.from([NaN, 1000]),
    suggest: o.suggest,
    suggestCache: o.cache ?? new SuggestCache(),
    suggestSettings: DEFAULT_SUGGEST_SETTINGS,
  };
  return partial as unknown as ApiDeps & { metrics: ServiceMetrics };
}

const ONE: SuggestTaskResult = {
  kind: 'suggested',
  suggestions: [{ address: address(1), score: 0, centrality: 1, uptime: 2, capacity: 10n }],
  work: 2,
  ms: 1,
};

describe('handleSuggestPartner', () => {
  it('token network argument: 2003 when not checksummed, 2004 when unknown (with the argument as given)', async () => {
    let calls = 0;
    const d = deps({ suggest: async () => (calls++, ONE) });
    for (const raw of [TN, '0x' + '6E'.repeat(20), 'abc', TN.slice(2)]) {
      const r = await handleSuggestPartner(d, raw);
      assert.equal(r.status, 400, raw);
      const body = JSON.parse(r.body) as { error_code: number; error_details: unknown; errors: string };
      assert.equal(body.error_code, 2003, raw);
      assert.equal(body.errors, 'The token network needs to be given as a checksummed address');
      assert.deepEqual(body.error_details, { token_network: raw });
    }
    const zero = '0x0000000000000000000000000000000000000000';
    const r = await handleSuggestPartner(d, zero);
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), {
      errors: 'This service does not work on the given token network.',
      error_code: 2004,
      error_details: { token_network: zero },
    });
    assert.equal(calls, 0, 'no computation for a bad argument');
  });

  it('200: the suggestions as the reference writes them; the task carries the settings, presence and one `now`', async () => {
    let seen: SuggestTask | null = null;
    const before = Date.now();
    const d = deps({
      suggest: async (task) => {
        seen = task;
        return ONE;
      },
    });
    const r = await handleSuggestPartner(d, TN_RAW);
    assert.equal(r.status, 200);
    assert.equal(r.body, `[{"address": "${toChecksumAddress(address(1))}", "score": 0.0, "centrality": 1.0, "uptime": 2.0, "capacity": 10}]\n`);
    const task = seen as SuggestTask | null;
    assert.ok(task !== null);
    assert.equal(task.kind, 'suggest');
    assert.equal(task.network, TN);
    assert.equal(task.snapshot, FAKE_SNAPSHOT);
    assert.equal(task.limit, 5);
    assert.equal(task.workLimit, DEFAULT_SUGGEST_SETTINGS.workLimit);
    assert.deepEqual([...task.since], [NaN, 1000]);
    assert.ok(task.now >= before && task.now <= Date.now());
  });

  it('cached for 60 s per URL string: a second request computes nothing and gets the same bytes', async () => {
    assert.equal(SUGGEST_CACHE_MS, 60_000);
    let calls = 0;
    const d = deps({ suggest: async () => ({ ...ONE, suggestions: [{ ...ONE.suggestions[0]!, uptime: ++calls }] }) });
    const first = await handleSuggestPartner(d, TN_RAW);
    const second = await handleSuggestPartner(d, TN_RAW);
    assert.equal(calls, 1);
    assert.equal(second, first);
    assert.equal(d.suggestCache.size, 1);
  });

  it('concurrent requests share one computation', async () => {
    let calls = 0;
    let release: (r: SuggestTaskResult) => void = () => undefined;
    const d = deps({
      suggest: () => {
        calls++;
        return new Promise((resolve) => (release = resolve));
      },
    });
    const pending = [handleSuggestPartner(d, TN_RAW), handleSuggestPartner(d, TN_RAW), handleSuggestPartner(d, TN_RAW)];
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 1);
    release(ONE);
    const replies = await Promise.all(pending);
    assert.equal(replies[0]!.status, 200);
    assert.equal(replies[1], replies[0]);
    assert.equal(replies[2], replies[0]);
    assert.equal(calls, 1);
  });

  it('work cap reached: 503 2901 with Retry-After 60 and the reason, cached like an answer', async () => {
    let calls = 0;
    const d = deps({ suggest: async () => (calls++, { kind: 'budget_exhausted', work: 99, ms: 5 }) });
    const r = await handleSuggestPartner(d, TN_RAW);
    assert.equal(r.status, 503);
    const body = JSON.parse(r.body) as { error_code: number; error_details: { reason: string; retry_after: number } };
    assert.equal(body.error_code, 2901);
    assert.equal(body.error_details.reason, SUGGEST_BUDGET_REASON);
    assert.equal(body.error_details.retry_after, 60);
    assert.deepEqual(
      r.headers.filter(([k]) => k === 'Retry-After'),
      [['Retry-After', '60']],
    );
    assert.equal(await handleSuggestPartner(d, TN_RAW), r);
    assert.equal(calls, 1, 'the next minute is not spent on the same hopeless search');
    assert.match(d.metrics.registry.expose(), /pfs_suggest_partner_computations_total\{outcome="budget_exhausted"\} 1/);
  });

  it('queue full: 503 with Retry-After 1, not cached (the next request tries again)', async () => {
    let calls = 0;
    const d = deps({
      suggest: async () => {
        calls++;
        if (calls === 1) throw new QueueFull();
        return ONE;
      },
    });
    const r = await handleSuggestPartner(d, TN_RAW);
    assert.equal(r.status, 503);
    assert.deepEqual(
      r.headers.filter(([k]) => k === 'Retry-After'),
      [['Retry-After', '1']],
    );
    assert.equal((JSON.parse(r.body) as { error_details: { reason: string } }).error_details.reason, 'queue_full');
    assert.equal((await handleSuggestPartner(d, TN_RAW)).status, 200);
    assert.equal(calls, 2);
  });

  it('no snapshot published yet: 503, nothing computed or cached', async () => {
    let calls = 0;
    const d = deps({ suggest: async () => (calls++, ONE), snapshot: null });
    const r = await handleSuggestPartner(d, TN_RAW);
    assert.equal(r.status, 503);
    assert.equal(calls, 0);
    assert.equal(d.suggestCache.size, 0);
  });

  it('a failing computation rejects every waiter and is not cached', async () => {
    let calls = 0;
    const d = deps({
      suggest: async () => {
        calls++;
        if (calls === 1) throw new Error('worker died');
        return ONE;
      },
    });
    await assert.rejects(Promise.all([handleSuggestPartner(d, TN_RAW), handleSuggestPartner(d, TN_RAW)]), /worker died/);
    assert.equal(calls, 1);
    assert.equal((await handleSuggestPartner(d, TN_RAW)).status, 200);
  });
});

describe('SuggestCache', () => {
  const ok = () => true;

  it('fresh until the TTL has passed', async () => {
    const c = new SuggestCache(1000, 10);
    let now = 5000;
    const a = reply(200, 'a');
    assert.equal(await c.compute('k', async () => a, ok, () => now), a);
    assert.equal(c.fresh('k', 5999), a);
    assert.equal(c.fresh('k', 6000), null, 'expired at exactly the TTL');
    assert.equal(c.fresh('other', 5000), null);
    now = 7000;
    const b = reply(200, 'b');
    assert.equal(await c.compute('k', async () => b, ok, () => now), b);
    assert.equal(c.fresh('k', 7999), b, 'a new computation replaces the stale answer');
    assert.equal(c.size, 1);
  });

  it('answers that are not cacheable are returned but not kept', async () => {
    const c = new SuggestCache(1000, 10);
    const r = reply(503, 'busy');
    assert.equal(await c.compute('k', async () => r, () => false, () => 0), r);
    assert.equal(c.fresh('k', 0), null);
    assert.equal(c.size, 0);
  });

  it('bounded: expired entries go first, then the oldest', async () => {
    const c = new SuggestCache(1000, 3);
    for (const [k, t] of [['a', 0], ['b', 500], ['c', 900]] as const) await c.compute(k, async () => reply(200, k), ok, () => t);
    // at 1200 'a' has expired: it makes room for 'd'
    await c.compute('d', async () => reply(200, 'd'), ok, () => 1200);
    assert.equal(c.size, 3);
    assert.equal(c.fresh('a', 1200), null);
    assert.equal(c.fresh('b', 1200)?.body, 'b');
    // nothing expired at 1300: the oldest ('b') goes
    await c.compute('e', async () => reply(200, 'e'), ok, () => 1300);
    assert.equal(c.size, 3);
    assert.equal(c.fresh('b', 1300), null);
    assert.deepEqual(
      ['c', 'd', 'e'].map((k) => c.fresh(k, 1300)?.body),
      ['c', 'd', 'e'],
    );
  });
});

describe('PresenceIndex', () => {
  const userOf = (i: number, n = 0) => `@${address(i)}${n === 0 ? '' : `.${n}`}:homeserver.com`;

  function setup() {
    const registry = new AddressRegistryWriter(AddressRegistryWriter.allocate(1 << 12));
    const tracker = new PresenceTracker();
    const index = new PresenceIndex(registry);
    const change = (i: number, presence: UserPresence, now: number, n = 0): PresenceChange => {
      registry.register(address(i));
      return tracker.update({ userId: userOf(i, n), address: address(i), presence, displayname: null, avatarUrl: null }, now);
    };
    return { registry, index, change };
  }

  it('counts ONLINE users (not UNAVAILABLE, not addresses), also through changes back and forth', () => {
    const { index, change } = setup();
    assert.equal(index.onlineUsers(), 0);
    index.apply([change(0, 'online', 1), change(1, 'online', 1), change(2, 'unavailable', 1)]);
    assert.equal(index.onlineUsers(), 2);
    // a second user of address 0, online too: users are counted, not addresses
    index.apply([change(0, 'online', 2, 1)]);
    assert.equal(index.onlineUsers(), 3);
    index.apply([change(1, 'offline', 3), change(2, 'online', 3), change(0, 'online', 3)]);
    assert.equal(index.onlineUsers(), 3, 'a repeated ONLINE is not counted twice');
    index.apply([change(0, 'unavailable', 4), change(0, 'offline', 4, 1)]);
    assert.equal(index.onlineUsers(), 1);
  });

  it('since: the last reachability change of REACHABLE addresses by registry index, NaN otherwise', () => {
    const { registry, index, change } = setup();
    index.apply([change(0, 'online', 1000), change(1, 'unavailable', 2000), change(2, 'offline', 3000)]);
    const at = (i: number) => index.sinceByIndex()[registry.lookup(address(i))];
    assert.equal(at(0), 1000);
    assert.equal(at(1), 2000, 'UNAVAILABLE is reachable');
    assert.ok(Number.isNaN(at(2)!));
    // staying reachable (online -> unavailable) keeps the time; going offline clears it; back online restarts it
    index.apply([change(0, 'unavailable', 5000)]);
    assert.equal(at(0), 1000);
    index.apply([change(0, 'offline', 6000)]);
    assert.ok(Number.isNaN(at(0)!));
    index.apply([change(0, 'online', 7000)]);
    assert.equal(at(0), 7000);
    assert.ok(Number.isNaN(index.sinceByIndex()[0]!), 'the sentinel index 0 is never reachable');
    assert.ok(index.sinceByIndex().length <= registry.count);
  });

  it('grows past its initial 1024 indices; indices it never heard of read as not reachable', () => {
    const { registry, index, change } = setup();
    index.apply([change(0, 'online', 1)]);
    // register many addresses so later ones get indices above 1024
    for (let k = 0; k < 1100; k++) registry.register(asAddress('0x' + (k + 1).toString(16).padStart(40, '0')));
    const silent = registry.lookup(asAddress('0x' + (1100).toString(16).padStart(40, '0')));
    assert.ok(silent > 1024);
    assert.equal(index.sinceByIndex()[silent], undefined, 'beyond the array: runSuggestTask skips it');
    index.apply([change(7, 'online', 42)]);
    const high = registry.lookup(address(7));
    assert.ok(high > 1024);
    const since = index.sinceByIndex();
    assert.equal(since[high], 42);
    assert.equal(since[registry.lookup(address(0))], 1);
    assert.ok(Number.isNaN(since[silent]!));
    assert.equal(since.length, registry.count);
  });
});
