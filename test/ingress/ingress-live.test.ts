import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { channelOpenedLine, presenceLine, tokenNetworkCreatedLine, userIdOf } from '../../src/demo/event-lines.ts';
import { asAddress } from '../../src/domain/index.ts';
import type { TokenNetworkState } from '../../src/graph/index.ts';
import { type KeyPair, derivedKey } from '../../src/protocol/index.ts';
import { NetworkStore } from '../../src/store/network-store.ts';
import type { PresenceChange } from '../../src/transport/presence-tracker.ts';
import { IngressHarness } from '../helpers/ingress-harness.ts';
import { capacity, displaynameOf, presenceWith, sendAs } from '../helpers/signed-lines.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * The ingress core's live (Matrix) entry points, in one thread with real shards and LMDB:
 * `applyLive` takes event-log lines through the file source's steps, gives every message a
 * shard position of its own that keeps growing across restarts, and with a live source
 * configured, stored presence counts only once a sync has confirmed it.
 */

const CHAIN = 337n;
const TN = asAddress('0x' + '01'.repeat(20));
const TOKEN = asAddress('0x' + '07'.repeat(20));
const SERVER = 'localhost';
const LIVE = 'matrix:http://127.0.0.1:8008';
const K: KeyPair[] = Array.from({ length: 4 }, (_, i) => derivedKey('ingress-live-test', i));

const root = tempDir();
after(() => root.cleanup());
let n = 0;
const newDir = () => join(root.path, `d${n++}`);
function logFile(lines: readonly string[]): string {
  const path = join(root.path, `log${n++}.ndjson`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const cap = (from: number, ch: bigint, to: number, own: bigint, theirs: bigint) =>
  capacity(K[from]!, { chainId: CHAIN, network: TN, channel: ch, other: K[to]!.address, capacity: own, otherCapacity: theirs });
const send = (from: number, ...m: (Record<string, unknown> | string)[]) => sendAs(K[from]!, SERVER, ...m);
const chain = [tokenNetworkCreatedLine(1, TOKEN, TN, 500n), channelOpenedLine(2, TN, 1n, K[0]!.address, K[1]!.address), channelOpenedLine(2, TN, 2n, K[0]!.address, K[2]!.address)];

async function stored(h: IngressHarness): Promise<TokenNetworkState> {
  await h.store.env.committed;
  return new NetworkStore(h.store, TN).load()!.state;
}

/** Capacities of channel `id` as [from K0's side, from the other's side]. */
function capacities(state: TokenNetworkState, id: bigint): bigint[] {
  const c = state.channel(id)!;
  const own = c.participants.indexOf(K[0]!.address);
  return [c.sides[own]!.capacity, c.sides[1 - own]!.capacity];
}

const presenceNotices = (h: IngressHarness): PresenceChange[] => h.notices.flatMap((x) => (x.type === 'presence' ? x.changes : []));

describe('IngressCore.applyLive: live lines take the file source’s path', () => {
  test('every message of a body is applied (each has its own shard position); hostile lines are counted; accepted lines are recorded', async () => {
    const h = new IngressHarness(newDir(), { chainId: CHAIN, liveSources: [LIVE] });
    await h.run(logFile(chain));
    const lines = [
      send(0, cap(0, 1n, 1, 100n, 50n), cap(0, 2n, 2, 70n, 30n)),
      send(1, cap(1, 1n, 0, 50n, 100n)),
      send(2, cap(2, 2n, 0, 30n, 70n)),
      // wrong signer, garbage, a forged presence
      send(1, cap(0, 1n, 1, 1n, 1n)),
      send(0, 'not json'),
      presenceWith(userIdOf(K[3]!.address, SERVER), 'online', displaynameOf(K[1]!, userIdOf(K[3]!.address, SERVER))),
      presenceLine(K[0]!, SERVER, 'online'),
    ];
    await h.core.applyLive(LIVE, lines);
    const state = await stored(h);
    assert.deepEqual(capacities(state, 1n), [100n, 50n]);
    assert.deepEqual(capacities(state, 2n), [70n, 30n]);
    assert.equal(h.counts['capacity_update:applied'], 4);
    assert.equal(h.counts['capacity_update:duplicate'], undefined);
    assert.equal(h.counts['capacity_update:rejected_not_signed_by_sender'], 1);
    assert.equal(h.counts['message:rejected_invalid'], 1);
    assert.equal(h.counts['presence:rejected_address_mismatch'], 1);
    assert.equal(h.counts['presence:online'], 1);
    assert.ok(h.reachable(K[0]!.address));
    // the recording holds the accepted live lines after the file's, replayable as a file
    assert.deepEqual(h.recorded, [...chain, lines[0], lines[1], lines[2], lines[6]]);
    await h.close();
  });

  test('live positions keep growing across restarts: later updates are not taken for replays', async () => {
    const dir = newDir();
    const first = new IngressHarness(dir, { chainId: CHAIN, liveSources: [LIVE] });
    await first.run(logFile(chain));
    await first.core.applyLive(LIVE, [send(0, cap(0, 1n, 1, 100n, 50n)), send(1, cap(1, 1n, 0, 50n, 100n))]);
    await first.close();
    const second = new IngressHarness(dir, { chainId: CHAIN, liveSources: [LIVE] });
    await second.core.applyLive(LIVE, [send(0, cap(0, 1n, 1, 40n, 50n))]);
    assert.deepEqual(capacities(await stored(second), 1n), [40n, 50n]);
    assert.equal(second.counts['capacity_update:applied'], 1);
    await second.close();
  });
});

describe('IngressCore with a live source: stored presence is stale until a sync confirms it (W5)', () => {
  test('not reachable after a restart; an event confirms a user, the first sync leaves the others unknown, and that is persisted', async () => {
    const dir = newDir();
    let clock = 1000;
    const before = new IngressHarness(dir, { chainId: CHAIN, now: () => clock });
    await before.run(logFile([...chain, presenceLine(K[0]!, SERVER, 'online'), presenceLine(K[1]!, SERVER, 'online'), presenceLine(K[2]!, SERVER, 'online')]));
    clock = 2000;
    await before.run(logFile([presenceLine(K[2]!, SERVER, 'offline')]));
    assert.ok(before.reachable(K[0]!.address) && before.reachable(K[1]!.address));
    await before.close();

    clock = 5000;
    const live = new IngressHarness(dir, { chainId: CHAIN, now: () => clock, liveSources: [LIVE] });
    for (const k of K.slice(0, 3)) assert.equal(live.reachable(k.address), false);
    const restored = presenceNotices(live);
    assert.deepEqual(restored.map((c) => [c.user.userId, c.user.presence, c.record.reachability, c.metadata]), [
      [userIdOf(K[0]!.address, SERVER), 'unknown', 'unknown', null],
      [userIdOf(K[1]!.address, SERVER), 'unknown', 'unknown', null],
      [userIdOf(K[2]!.address, SERVER), 'unknown', 'unknown', null],
    ]);
    // what is kept: displaynames (no refetch), the time K2 was seen going offline
    assert.deepEqual([...live.core.knownUsers()].map((u) => u.displayname), K.slice(0, 3).map((k) => displaynameOf(k, userIdOf(k.address, SERVER))));
    assert.equal(restored[2]!.record.firstSeenOffline, 2000);

    // the first sync brings K0 online and says nothing about K1 and K2
    await live.core.applyLive(LIVE, [presenceLine(K[0]!, SERVER, 'online')]);
    assert.equal(live.reachable(K[0]!.address), true);
    await live.core.liveSynced(LIVE, (userId) => userId.endsWith(`:${SERVER}`));
    assert.equal(live.reachable(K[1]!.address), false);
    assert.deepEqual(live.notices.filter((x) => x.type === 'live_synced'), [{ type: 'live_synced', source: LIVE }]);
    // a second report of the same source changes nothing
    await live.core.liveSynced(LIVE, () => true);
    assert.equal(live.notices.filter((x) => x.type === 'live_synced').length, 1);
    await live.close();

    // persisted: K0 online, K1 and K2 unknown (confirmed), K2's offline time kept
    const after = new IngressHarness(dir, { chainId: CHAIN, now: () => clock });
    assert.deepEqual([K[0], K[1], K[2]].map((k) => after.reachable(k!.address)), [true, false, false]);
    const last = new Map(presenceNotices(after).map((c) => [c.address, c.record]));
    assert.equal(last.get(K[1]!.address)!.reachability, 'unknown');
    assert.equal(last.get(K[2]!.address)!.firstSeenOffline, 2000);
    await after.close();
  });

  test('a sync that covers only some users leaves the others stale', async () => {
    const dir = newDir();
    const before = new IngressHarness(dir, { chainId: CHAIN });
    await before.run(logFile([...chain, presenceLine(K[0]!, SERVER, 'online'), presenceLine(K[1]!, 'other.server', 'online')]));
    await before.close();
    const live = new IngressHarness(dir, { chainId: CHAIN, liveSources: [LIVE, 'matrix:http://other'] });
    await live.core.liveSynced(LIVE, (userId) => userId.endsWith(`:${SERVER}`));
    await live.close();
    // the user of the other server was not confirmed: its stored record is untouched
    const after = new IngressHarness(dir, { chainId: CHAIN });
    assert.deepEqual([after.reachable(K[0]!.address), after.reachable(K[1]!.address)], [false, true]);
    await after.close();
  });
});
