import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ShardEvent, ShardNotice } from '../../actors/shard/messages.ts';
import { ShardHost } from '../../actors/shard/shard-host.ts';
import { asAddress } from '../../src/domain/index.ts';
import { AddressRegistryWriter, SnapshotView } from '../../src/graph/index.ts';
import { DEFAULT_SEARCH_LIMITS, RouteFinder } from '../../src/routing/index.ts';
import { closeStore, openStore } from '../../src/store/environment.ts';
import { listNetworks } from '../../src/store/network-store.ts';
import { address } from '../fixtures/accounts.ts';
import { schedule } from '../helpers/test-network.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const NETWORK = asAddress('0x' + '01'.repeat(20));
const TOKEN = asAddress('0x' + '07'.repeat(20));
const limits = { maxEntries: 100, expirySeconds: 3600 };
const dirs: (() => void)[] = [];
after(() => dirs.forEach((c) => c()));

let line = 0;
const pos = () => ({ source: 'file:test', at: ++line });

function capacity(id: bigint, updating: string, other: string, u: bigint, o: bigint, nonce = 1n): ShardEvent {
  return {
    kind: 'capacity_update',
    network: NETWORK,
    position: pos(),
    update: {
      channelId: id,
      updating: updating as never,
      other: other as never,
      updatingNonce: nonce,
      otherNonce: 0n,
      updatingCapacity: u,
      otherCapacity: o,
      revealTimeout: 50n,
    },
  };
}

describe('shard host over a real LMDB environment', () => {
  test('applies, defers, skips replayed positions, and restores identically', async () => {
    const dir = tempDir();
    dirs.push(dir.cleanup);
    const registry = new AddressRegistryWriter(AddressRegistryWriter.allocate(1024));
    for (let i = 0; i < 6; i++) registry.setReachable(registry.register(address(i))!, true);
    const notices: ShardNotice[] = [];
    const store = openStore(dir.path);
    const host = new ShardHost(store, registry, limits, (n) => notices.push(n));
    host.restore([]);
    line = 0;
    const events: ShardEvent[] = [
      { kind: 'network_created', network: NETWORK, token: TOKEN, settleTimeout: 500n, createdSeq: 0, block: 1, position: pos() },
      // an update before its channel opens is deferred, then applied at the open
      capacity(1n, address(0), address(1), 90n, 60n),
      { kind: 'channel_opened', network: NETWORK, id: 1n, participants: [address(0), address(1)], block: 2, position: pos() },
      capacity(1n, address(1), address(0), 60n, 90n),
      { kind: 'channel_opened', network: NETWORK, id: 2n, participants: [address(1), address(2)], block: 3, position: pos() },
      capacity(2n, address(1), address(2), 130n, 40n),
      capacity(2n, address(2), address(1), 40n, 130n),
      { kind: 'fee_update', network: NETWORK, position: pos(), update: { channelId: 2n, updating: address(1), schedule: schedule({ flat: 1n }), timestamp: '2021-01-01T00:00:00.000000' } },
      { kind: 'channel_opened', network: NETWORK, id: 3n, participants: [address(3), address(4)], block: 4, position: pos() },
      { kind: 'channel_closed', network: NETWORK, id: 3n, block: 5, position: pos() },
    ];
    const reply = await host.handle({ type: 'batch', id: 1, events });
    assert.equal(reply.outcomes['capacity_update:deferred'], 1);
    assert.equal(reply.outcomes['channel_opened:opened_with_deferred'], 1);
    assert.equal(reply.outcomes['capacity_update:applied'], 3);
    assert.equal(reply.outcomes['channel_closed:closed'], 1);
    // the same batch again (a replay after a crash) changes nothing
    const again = await host.handle({ type: 'batch', id: 2, events });
    assert.deepEqual(Object.keys(again.outcomes).sort(), ['capacity_update:duplicate', 'channel_closed:duplicate', 'channel_opened:duplicate', 'fee_update:duplicate', 'network_created:duplicate']);
    host.publishDue(Date.now(), true);
    const snapshot = notices.filter((n) => n.type === 'snapshot').at(-1);
    assert.ok(snapshot !== undefined && snapshot.type === 'snapshot');

    const finder = new RouteFinder();
    const query = { source: address(0), target: address(2), value: 10n, maxPaths: 3, diversityPenalty: 5, feePenalty: 100 };
    const search = (h: typeof snapshot.handle) =>
      finder.find(new SnapshotView(h, registry.reachBytes()), query, DEFAULT_SEARCH_LIMITS, (a) => registry.isAddressReachable(a));
    const before = search(snapshot.handle);
    assert.equal(before.kind, 'routes');
    await closeStore(store);

    // restart on the same data dir
    const store2 = openStore(dir.path);
    assert.deepEqual(listNetworks(store2).map((n) => n.address), [NETWORK]);
    const notices2: ShardNotice[] = [];
    const host2 = new ShardHost(store2, registry, limits, (n) => notices2.push(n));
    host2.restore([NETWORK]);
    const restored = notices2.find((n) => n.type === 'snapshot');
    assert.ok(restored !== undefined && restored.type === 'snapshot');
    assert.deepEqual(
      JSON.stringify(search(restored.handle), (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
      JSON.stringify(before, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
    );
    // positions survived: the replay is skipped after the restart too
    const third = await host2.handle({ type: 'batch', id: 3, events: events.slice(1, 3) });
    assert.deepEqual(Object.keys(third.outcomes).sort(), ['capacity_update:duplicate', 'channel_opened:duplicate']);

    // a clean stop stores a snapshot image: the next start serves from it before rebuilding
    await host2.stop();
    await closeStore(store2);
    const store3 = openStore(dir.path);
    const notices3: ShardNotice[] = [];
    const host3 = new ShardHost(store3, registry, limits, (n) => notices3.push(n));
    host3.restore([NETWORK]);
    const fromImage = notices3.filter((n) => n.type === 'snapshot');
    assert.equal(fromImage.length, 1, 'published from the image before any rebuild');
    const first = fromImage[0];
    assert.ok(first !== undefined && first.type === 'snapshot');
    assert.ok(first.handle.epoch.includes('-image-'));
    assert.equal(first.channels, 2);
    const answer = (h: typeof snapshot.handle) => JSON.stringify(search(h), (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    assert.equal(answer(first.handle), answer(snapshot.handle));
    // commands wait for the rebuild; then the image is gone with the first change
    const fourth = await host3.handle({ type: 'batch', id: 4, events: [capacity(2n, address(1), address(2), 120n, 40n, 2n)] });
    assert.equal(fourth.outcomes['capacity_update:applied'], 1, JSON.stringify(fourth.outcomes));
    const rebuilt = notices3.filter((n) => n.type === 'snapshot');
    assert.equal(rebuilt.length, 2, 'the rebuilt state is published under a new epoch');
    assert.equal(store3.dbs.images.doesExist(Buffer.from(NETWORK.slice(2), 'hex')), false, 'a change removes the image');
    await closeStore(store3);

    // a corrupt image is ignored: the network is rebuilt from the records at once
    const store4 = openStore(dir.path);
    await store4.dbs.images.put(Buffer.from(NETWORK.slice(2), 'hex'), Buffer.from('PFSI\x01garbage'));
    const notices4: ShardNotice[] = [];
    const host4 = new ShardHost(store4, registry, limits, (n) => notices4.push(n));
    host4.restore([NETWORK]);
    const direct = notices4.filter((n) => n.type === 'snapshot');
    assert.equal(direct.length, 1);
    const only = direct[0];
    assert.ok(only !== undefined && only.type === 'snapshot' && !only.handle.epoch.includes('-image-'));
    assert.ok(notices4.some((n) => n.type === 'log' && n.level === 'warning'));
    // ... and replaced at the next clean stop (a stale image once blocked every later one)
    await host4.stop();
    await closeStore(store4);
    const store5 = openStore(dir.path);
    const notices5: ShardNotice[] = [];
    const host5 = new ShardHost(store5, registry, limits, (n) => notices5.push(n));
    host5.restore([NETWORK]);
    const fresh = notices5.filter((n) => n.type === 'snapshot');
    assert.equal(fresh.length, 1);
    assert.ok(fresh[0]!.type === 'snapshot' && fresh[0]!.handle.epoch.includes('-image-'), 'served from a fresh image');
    assert.ok(!notices5.some((n) => n.type === 'log' && n.level === 'warning'));
    await host5.stop();
    await closeStore(store5);
  });
  test('topology changes are rate-limited while commands stream in, and published before the reply once none waits', async () => {
    const dir = tempDir();
    dirs.push(dir.cleanup);
    const registry = new AddressRegistryWriter(AddressRegistryWriter.allocate(1024));
    for (let i = 0; i < 6; i++) registry.setReachable(registry.register(address(i))!, true);
    const store = openStore(dir.path);
    const notices: ShardNotice[] = [];
    const host = new ShardHost(store, registry, limits, (n) => notices.push(n));
    host.restore([]);
    const opened = (id: bigint, a: number, b: number): ShardEvent => ({ kind: 'channel_opened', network: NETWORK, id, participants: [address(a), address(b)], block: 2, position: pos() });
    const channelsPublished = () => notices.flatMap((n) => (n.type === 'snapshot' ? [n.channels] : []));
    await host.handle({ type: 'batch', id: 1, events: [{ kind: 'network_created', network: NETWORK, token: TOKEN, settleTimeout: 500n, createdSeq: 0, block: 1, position: pos() }, opened(1n, 0, 1)] });
    assert.deepEqual(channelsPublished().at(-1), 1, 'the first generation is published at once');
    // more commands are waiting: the next generation waits for the rate limit
    await host.handle({ type: 'batch', id: 2, events: [opened(2n, 1, 2)] }, () => false);
    assert.deepEqual(channelsPublished().at(-1), 1);
    // the last command of a run: published before the reply
    await host.handle({ type: 'batch', id: 3, events: [opened(3n, 2, 3)] }, () => true);
    assert.deepEqual(channelsPublished().at(-1), 3);
    await closeStore(store);
  });
});
