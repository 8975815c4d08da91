import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { derivedKey } from '../../src/protocol/index.ts';
import { PFS_DEVICE_ID, matrixDisplayname, matrixPassword, matrixUsername, netlocOf, serverNameOf } from '../../src/transport/matrix-credentials.ts';
import { handlesPresenceOf, parseSync } from '../../src/transport/matrix-sync.ts';
import { PresenceTracker } from '../../src/transport/presence-tracker.ts';
import { ProfileCache } from '../../src/transport/profile-cache.ts';
import { SenderRateLimiter, pythonStrSize } from '../../src/transport/rate-limiter.ts';
import { verifyDisplayname, recoverEip191Signer } from '../../src/protocol/index.ts';

const KEY = derivedKey('matrix-transport-test', 0);
const OTHER = derivedKey('matrix-transport-test', 1);

describe('Matrix credentials (spec §8.1)', () => {
  test('netloc is Python urlparse().netloc: verbatim host, port and user info, no path', () => {
    assert.equal(netlocOf('https://transport.transport01.raiden.network'), 'transport.transport01.raiden.network');
    assert.equal(netlocOf('http://127.0.0.1:8008/'), '127.0.0.1:8008');
    assert.equal(netlocOf('https://Matrix.Example.org:443/_matrix?x#y'), 'Matrix.Example.org:443');
    assert.equal(netlocOf('http://user:pw@host:1'), 'user:pw@host:1');
    assert.equal(netlocOf('https://[::1]:8448'), '[::1]:8448');
  });

  test('user name, password and displayname are what a Raiden node checks', () => {
    assert.equal(matrixUsername(KEY.address), KEY.address.toLowerCase());
    const password = matrixPassword(KEY, 'https://matrix.example.org:8448/');
    const recovered = recoverEip191Signer(Buffer.from('matrix.example.org:8448'), Buffer.from(password.slice(2), 'hex'));
    assert.deepEqual(recovered, { ok: true, address: KEY.address });
    const userId = `@${KEY.address}:example.org`;
    assert.deepEqual(verifyDisplayname(userId, matrixDisplayname(KEY, userId)), { ok: true, address: KEY.address });
    assert.equal(PFS_DEVICE_ID, 'PATH_FINDING');
  });

  test('server names of user ids', () => {
    assert.equal(serverNameOf('@0xab:localhost'), 'localhost');
    assert.equal(serverNameOf('@0xab:host:8448'), 'host:8448');
    assert.equal(serverNameOf('@0xab'), null);
    assert.equal(serverNameOf('@0xab:'), null);
  });
});

describe('the per-sender rate limit (spec §8.5, §10.8)', () => {
  test('sizes are sys.getsizeof of the body string on CPython 3.9-3.11', () => {
    // values printed by CPython 3.11 for '', 'a', 'abc', 'é', 'éa', 'Ā', 'ĀĀ', '😀', '😀a'
    const cases: [string, number][] = [['', 49], ['a', 50], ['abc', 52], ['é', 74], ['éa', 75], ['Ā', 76], ['ĀĀ', 78], ['😀', 80], ['😀a', 84]];
    for (const [text, size] of cases) assert.equal(pythonStrSize(text), size, JSON.stringify(text));
  });

  test('100 bytes per 0.1 s allows 50 x 2 bytes, then refuses until the window ends', () => {
    let now = 0;
    const limiter = new SenderRateLimiter(100, 100, () => now);
    for (let i = 0; i < 50; i++) assert.ok(limiter.allow('a', 2), `message ${i}`);
    assert.equal(limiter.allow('a', 2), false);
    assert.equal(limiter.allow('a', 1), false);
    // other senders have their own budget
    assert.ok(limiter.allow('b', 100));
    now = 99;
    assert.equal(limiter.allow('a', 2), false);
    now = 100;
    assert.ok(limiter.allow('a', 2));
  });

  test('a refused batch is not counted, and windows stay aligned after idle time', () => {
    let now = 0;
    const limiter = new SenderRateLimiter(10, 100, () => now);
    assert.ok(limiter.allow('a', 6));
    assert.equal(limiter.allow('a', 6), false);
    assert.ok(limiter.allow('a', 4));
    now = 1050; // window [1000, 1100)
    assert.ok(limiter.allow('a', 10));
    now = 1099;
    assert.equal(limiter.allow('a', 1), false);
    now = 1100;
    assert.ok(limiter.allow('a', 1));
  });
});

describe('sync answers and presence routing', () => {
  test('presence and to-device events are read; malformed ones are counted, not thrown', () => {
    const batch = parseSync({
      next_batch: 's1',
      presence: {
        events: [
          { type: 'm.presence', sender: '@0xab:hs', content: { presence: 'online', last_active_ago: 5 } },
          { type: 'm.presence', sender: '@0xcd:hs', content: { presence: 'busy', displayname: '0x12', avatar_url: 'mxc://x' } },
          { type: 'm.presence', sender: 5, content: {} },
          'junk',
        ],
      },
      to_device: {
        events: [
          { type: 'm.room.message', sender: '@0xab:hs', content: { msgtype: 'm.text', body: 'line' } },
          { type: 'm.room.message', sender: '@0xab:hs', content: { msgtype: 'm.text', body: { x: 1 } } },
          { type: 'm.room.encrypted', sender: '@0xab:hs' },
          { sender: '@0xab:hs' },
        ],
      },
      rooms: { join: {} },
    });
    assert.deepEqual(batch, {
      nextBatch: 's1',
      presence: [
        { userId: '@0xab:hs', presence: 'online', displayname: null, avatarUrl: null },
        { userId: '@0xcd:hs', presence: null, displayname: '0x12', avatarUrl: 'mxc://x' },
      ],
      toDevice: [
        { sender: '@0xab:hs', type: 'm.room.message', msgtype: 'm.text', body: 'line' },
        { sender: '@0xab:hs', type: 'm.room.message', msgtype: 'm.text', body: null },
        { sender: '@0xab:hs', type: 'm.room.encrypted', msgtype: null, body: null },
      ],
      malformed: 3,
    });
    assert.equal(parseSync({ presence: { events: [] } }), null);
    assert.equal(parseSync('nope'), null);
    assert.deepEqual(parseSync({ next_batch: 's2', presence: 7 }), { nextBatch: 's2', presence: [], toDevice: [], malformed: 0 });
  });

  test('each presence event is handled by exactly one connection (the main one takes servers without their own)', () => {
    const connected = new Set(['a.org', 'b.org']);
    const clients = [
      { server: 'a.org', main: true },
      { server: 'b.org', main: false },
    ];
    for (const userServer of ['a.org', 'b.org', 'c.org']) {
      const handlers = clients.filter((c) => handlesPresenceOf(userServer, c.server, c.main, connected));
      assert.equal(handlers.length, 1, userServer);
      assert.equal(handlers[0]!.server, userServer === 'b.org' ? 'b.org' : 'a.org');
    }
  });
});

describe('the profile cache', () => {
  test('the displayname verdict is computed once and kept while the displayname stays', () => {
    const cache = new ProfileCache();
    const userId = `@${KEY.address}:hs`;
    const good = cache.set(userId, matrixDisplayname(KEY, userId), null, 1);
    assert.equal(cache.verifiedAddress(userId, good), KEY.address);
    assert.equal(cache.set(userId, good.displayname, 'mxc://new', 2).verified, KEY.address);
    const forged = cache.set(userId, matrixDisplayname(OTHER, userId), null, 3);
    assert.equal(forged.verified, undefined);
    assert.equal(cache.verifiedAddress(userId, forged), null);
    assert.equal(cache.verifiedAddress('@nobody:hs', cache.set('@nobody:hs', null, null, 4)), null);
  });

  test('bounded: the least recently used entry goes first', () => {
    const cache = new ProfileCache(2);
    cache.set('@a:hs', 'a', null, 1);
    cache.set('@b:hs', 'b', null, 1);
    cache.get('@a:hs');
    cache.set('@c:hs', 'c', null, 1);
    assert.deepEqual(['@a:hs', '@b:hs', '@c:hs'].map((u) => cache.get(u)?.displayname ?? null), ['a', null, 'c']);
    assert.equal(cache.size, 2);
  });
});

describe('PresenceTracker: stale presence after a restart', () => {
  const A = KEY.address;
  const user = (server: string, presence: 'online' | 'offline' | 'unavailable' | 'unknown') =>
    ({ userId: `@${A}:${server}`, address: A, presence, displayname: 'dn', avatarUrl: 'mxc://cap' }) as const;

  test('stale users count as unknown but keep capabilities and first_seen_offline; an event confirms, confirmStale settles the rest', () => {
    const t = new PresenceTracker();
    t.update(user('s1', 'offline'), 10);
    t.update(user('s1', 'online'), 20);
    t.update(user('s2', 'online'), 30);
    const stale = t.markStale(100);
    assert.deepEqual(stale.map((c) => [c.user.userId, c.user.presence, c.record.reachability, c.metadata]), [
      [`@${A}:s1`, 'unknown', 'unknown', null],
      [`@${A}:s2`, 'unknown', 'unknown', null],
    ]);
    assert.deepEqual(t.address(A), { reachability: 'unknown', capabilities: 'mxc://cap', since: 100, firstSeenOffline: 10 });
    assert.equal(t.staleUsers, 2);
    // s2 is confirmed online by an event
    const change = t.update(user('s2', 'online'), 200);
    assert.equal(change.record.reachability, 'reachable');
    assert.equal(change.record.firstSeenOffline, 10);
    assert.equal(t.staleUsers, 1);
    // the sync of server s1 ends without news about s1: it stays unknown, now confirmed
    assert.deepEqual(t.confirmStale((id) => id.endsWith(':s2')), []);
    const settled = t.confirmStale((id) => id.endsWith(':s1'));
    assert.deepEqual(settled.map((c) => [c.user.userId, c.user.presence]), [[`@${A}:s1`, 'unknown']]);
    assert.equal(t.staleUsers, 0);
    assert.equal(t.reachability(A), 'reachable');
    assert.equal(t.metadata(A)!.user_id, `@${A}:s2`);
  });
});
