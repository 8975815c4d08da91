import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address } from '../../src/domain/index.ts';
import {
  DEFAULT_CAPABILITIES,
  PresenceTracker,
  type UserPresence,
  type UserRecord,
} from '../../src/transport/presence-tracker.ts';
import { address } from '../fixtures/accounts.ts';

const A = address(0);
const B = address(1);

function user(a: Address, server: string, presence: UserPresence, avatarUrl: string | null = `mxc://${server}/cap`): UserRecord {
  return { userId: `@${a}:${server}`, address: a, presence, displayname: `0x${server.length.toString(16).padStart(130, '0')}`, avatarUrl };
}

describe('PresenceTracker (spec §8.2-§8.4)', () => {
  test('unknown addresses are unknown, without record or metadata', () => {
    const t = new PresenceTracker();
    assert.equal(t.reachability(A), 'unknown');
    assert.equal(t.address(A), undefined);
    assert.equal(t.metadata(A), null);
  });

  test('one user: online and unavailable are reachable, offline unreachable, unknown unknown', () => {
    const expected: Record<UserPresence, string> = { online: 'reachable', unavailable: 'reachable', offline: 'unreachable', unknown: 'unknown' };
    for (const p of ['online', 'unavailable', 'offline', 'unknown'] as const) {
      const t = new PresenceTracker();
      const change = t.update(user(A, 's1', p), 1);
      assert.equal(change.record.reachability, expected[p], p);
      assert.equal(t.reachability(A), expected[p]);
      assert.equal(change.address, A);
    }
  });

  test('the best presence over an address’s users decides, ONLINE > UNAVAILABLE > OFFLINE > UNKNOWN, whatever the order of events', () => {
    const ps = ['online', 'unavailable', 'offline', 'unknown'] as const;
    const best = (xs: readonly UserPresence[]) => ps.find((p) => xs.includes(p))!;
    const reach = (p: UserPresence) => (p === 'online' || p === 'unavailable' ? 'reachable' : p === 'offline' ? 'unreachable' : 'unknown');
    // every assignment of presences to three users, applied in both orders
    for (const x of ps) for (const y of ps) for (const z of ps) {
      for (const order of [[0, 1, 2], [2, 1, 0]]) {
        const t = new PresenceTracker();
        const given = [x, y, z];
        for (const i of order) t.update(user(A, `s${i}`, given[i]!), i);
        assert.equal(t.reachability(A), reach(best(given)), `${given} in order ${order}`);
      }
    }
  });

  test('a user’s later event replaces its earlier one; other users of the address still count', () => {
    const t = new PresenceTracker();
    t.update(user(A, 's1', 'online'), 1);
    t.update(user(A, 's2', 'offline'), 2);
    assert.equal(t.reachability(A), 'reachable');
    t.update(user(A, 's1', 'offline'), 3);
    assert.equal(t.reachability(A), 'unreachable');
    t.update(user(A, 's2', 'unavailable'), 4);
    assert.equal(t.reachability(A), 'reachable');
    assert.deepEqual([...t.allUsers()].map((u) => [u.userId, u.presence]), [[`@${A}:s1`, 'offline'], [`@${A}:s2`, 'unavailable']]);
    // addresses do not influence each other
    assert.equal(t.reachability(B), 'unknown');
  });

  test('metadata names the first-seen user that is online or unavailable, not the latest', () => {
    const t = new PresenceTracker();
    t.update(user(A, 'first', 'offline'), 1);
    t.update(user(A, 'second', 'unavailable'), 2);
    t.update(user(A, 'third', 'online'), 3);
    // first is offline: the second user (first-seen among the reachable ones) even though third is "more" online
    assert.equal(t.metadata(A)!.user_id, `@${A}:second`);
    t.update(user(A, 'first', 'online'), 4);
    assert.equal(t.metadata(A)!.user_id, `@${A}:first`);
    assert.equal(t.metadata(A)!.displayname, user(A, 'first', 'online').displayname);
    t.update(user(A, 'first', 'offline'), 5);
    t.update(user(A, 'second', 'offline'), 6);
    assert.equal(t.metadata(A)!.user_id, `@${A}:third`);
    t.update(user(A, 'third', 'offline'), 7);
    assert.equal(t.metadata(A), null, 'no reachable user: no metadata');
    const change = t.update(user(A, 'fourth', 'online'), 8);
    assert.equal(change.metadata!.user_id, `@${A}:fourth`, 'the change carries the metadata after the update');
  });

  test('a null displayname is passed through as null', () => {
    const t = new PresenceTracker();
    t.update({ ...user(A, 's', 'online'), displayname: null }, 1);
    assert.equal(t.metadata(A)!.displayname, null);
  });

  test('capabilities are per address, taken on a reachability change; "mxc://" when the user has none', () => {
    const t = new PresenceTracker();
    t.update(user(A, 's1', 'online', null), 1);
    assert.equal(t.address(A)!.capabilities, DEFAULT_CAPABILITIES);
    assert.equal(DEFAULT_CAPABILITIES, 'mxc://');
    // still reachable: the address keeps its capabilities, whoever reports
    t.update(user(A, 's2', 'online', 'mxc://x/cap?Mediate=1'), 2);
    assert.equal(t.address(A)!.capabilities, 'mxc://');
    t.update(user(A, 's1', 'offline', null), 3);
    assert.equal(t.address(A)!.capabilities, 'mxc://', 's2 still online: no change');
    // metadata of s2 shows the capabilities of the address (spec §8.4)
    assert.deepEqual(t.metadata(A), { user_id: `@${A}:s2`, capabilities: 'mxc://', displayname: user(A, 's2', 'online').displayname });
    t.update(user(A, 's2', 'offline', 'mxc://x/cap?offline=1'), 4);
    assert.equal(t.address(A)!.capabilities, 'mxc://x/cap?offline=1', 'changed to unreachable: taken from the reporting user');
    t.update(user(A, 's1', 'online', 'mxc://x/cap?Receive=1'), 5);
    assert.equal(t.address(A)!.capabilities, 'mxc://x/cap?Receive=1');
    assert.equal(t.metadata(A)!.capabilities, 'mxc://x/cap?Receive=1');
    // per address, not per user: B's capabilities are its own
    t.update(user(B, 's1', 'online', 'mxc://b'), 6);
    assert.equal(t.address(B)!.capabilities, 'mxc://b');
    assert.equal(t.address(A)!.capabilities, 'mxc://x/cap?Receive=1');
  });

  test('since moves only on reachability changes; firstSeenOffline is set when the address goes offline', () => {
    const t = new PresenceTracker();
    t.update(user(A, 's1', 'online'), 100);
    assert.deepEqual({ since: t.address(A)!.since, off: t.address(A)!.firstSeenOffline }, { since: 100, off: null });
    t.update(user(A, 's1', 'unavailable'), 200);
    assert.equal(t.address(A)!.since, 100, 'online -> unavailable keeps reachability');
    t.update(user(A, 's1', 'offline'), 300);
    assert.deepEqual({ since: t.address(A)!.since, off: t.address(A)!.firstSeenOffline }, { since: 300, off: 300 });
    t.update(user(A, 's1', 'offline'), 350);
    assert.deepEqual({ since: t.address(A)!.since, off: t.address(A)!.firstSeenOffline }, { since: 300, off: 300 });
    t.update(user(A, 's1', 'online'), 400);
    assert.deepEqual({ since: t.address(A)!.since, off: t.address(A)!.firstSeenOffline }, { since: 400, off: 300 }, 'kept while online again');
    t.update(user(A, 's1', 'offline'), 500);
    assert.equal(t.address(A)!.firstSeenOffline, 500, 'a new offline period records its start');
    // an address first seen offline
    t.update(user(B, 's1', 'offline'), 600);
    assert.deepEqual({ since: t.address(B)!.since, off: t.address(B)!.firstSeenOffline }, { since: 600, off: 600 });
  });

  test('restore() gives a tracker equal to the original, which then evolves identically', () => {
    const events: [UserRecord, number][] = [
      [user(A, 's1', 'offline', null), 1],
      [user(B, 's1', 'online', 'mxc://b1'), 2],
      [user(A, 's2', 'unavailable', 'mxc://a2'), 3],
      [user(A, 's3', 'online', 'mxc://a3'), 4],
      [user(B, 's2', 'offline'), 5],
      [user(address(2), 's1', 'offline'), 6],
    ];
    const original = new PresenceTracker();
    for (const [u, now] of events) original.update(u, now);
    const restored = new PresenceTracker();
    restored.restore([...original.allUsers()], new Map(original.allAddresses()));

    const view = (t: PresenceTracker) => ({
      users: [...t.allUsers()],
      addresses: [...t.allAddresses()],
      per: [A, B, address(2), address(3)].map((a) => [t.reachability(a), t.address(a), t.metadata(a)]),
    });
    assert.deepEqual(view(restored), view(original));
    // first-seen order survives: the next changes give the same answers on both
    for (const t of [original, restored]) {
      t.update(user(A, 's1', 'online', 'mxc://a1'), 10);
      t.update(user(A, 's2', 'offline'), 11);
      t.update(user(B, 's1', 'offline'), 12);
      t.update(user(A, 's4', 'online'), 13);
    }
    assert.deepEqual(view(restored), view(original));
    assert.equal(restored.metadata(A)!.user_id, `@${A}:s1`);
  });
});
