import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { type CapacityUpdate, type FeeSchedule, makeFeeSchedule } from '../../src/graph/index.ts';
import { DeferredStore, type DeferredUpdate } from '../../src/store/deferred-store.ts';
import { closeStore, openStore, type Store } from '../../src/store/environment.ts';
import { address } from '../fixtures/accounts.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const UINT256_MAX = (1n << 256n) - 1n;
const N1 = asAddress('0x' + '01'.repeat(20));
const N2 = asAddress('0x' + '02'.repeat(20));
const HOUR = { maxEntries: 1000, expirySeconds: 3600 };
const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((c) => c()));

function dir(): string {
  const d = tempDir();
  cleanups.push(d.cleanup);
  return d.path;
}

/** A capacity update whose updating capacity tags it, so order and identity are visible. */
function cap(channelId: bigint, tag: bigint, updating: Address = address(0), other: Address = address(1)): DeferredUpdate {
  const update: CapacityUpdate = {
    channelId,
    updating,
    other,
    updatingNonce: tag,
    otherNonce: 0n,
    updatingCapacity: tag,
    otherCapacity: UINT256_MAX,
    revealTimeout: 50n,
  };
  return { kind: 'capacity', update };
}

function fee(channelId: bigint, s: Partial<FeeSchedule>, timestamp: string): DeferredUpdate {
  const schedule = makeFeeSchedule({ capFees: true, flat: 0n, proportional: 0n, imbalancePenalty: null, ...s });
  if (typeof schedule === 'string') throw new Error(schedule);
  return { kind: 'fee', update: { channelId, updating: address(2), schedule, timestamp } };
}

const tags = (ds: readonly DeferredUpdate[]) => ds.map((d) => (d.kind === 'capacity' ? d.update.updatingCapacity : d.update.timestamp));

/** Commits what is queued and tells the deferred store, as the shard host does. */
async function commit(store: Store, ...ds: DeferredStore[]): Promise<void> {
  await store.env.committed;
  for (const d of ds) d.committed();
}

describe('DeferredStore', () => {
  test('take() returns a channel’s updates in arrival order, merging committed and uncommitted ones, and removes them', async () => {
    const store = openStore(dir());
    const d = new DeferredStore(store, N1, HOUR);
    d.add(cap(7n, 1n), 1000);
    d.add(cap(8n, 100n), 1000);
    d.add(cap(7n, 2n), 1001);
    await commit(store, d);
    d.add(cap(7n, 3n), 1002); // not committed yet: a range read cannot see it
    d.add(cap(8n, 101n), 1002);
    assert.equal(d.size, 5);
    assert.deepEqual(tags(d.take(7n, 2000)), [1n, 2n, 3n]);
    assert.equal(d.size, 2);
    assert.deepEqual(tags(d.take(7n, 2000)), [], 'taken updates are gone');
    assert.deepEqual(tags(d.take(9n, 2000)), [], 'a channel without deferred updates');
    await commit(store, d);
    assert.deepEqual(tags(d.take(8n, 2000)), [100n, 101n]);
    assert.equal(d.size, 0);
    await closeStore(store);
  });

  test('an update taken in the same batch it was added in is never written (put and remove in one transaction)', async () => {
    const path = dir();
    let store = openStore(path);
    const d = new DeferredStore(store, N1, HOUR);
    d.add(cap(1n, 5n), 0);
    assert.deepEqual(tags(d.take(1n, 0)), [5n]);
    await commit(store, d);
    await closeStore(store);
    store = openStore(path);
    assert.equal(new DeferredStore(store, N1, HOUR).size, 0);
    assert.equal(store.dbs.deferred.getKeysCount(), 0);
    await closeStore(store);
  });

  test('capacity and fee updates round-trip exactly through the store, across a reopen', async () => {
    const path = dir();
    let store = openStore(path);
    const d = new DeferredStore(store, N1, HOUR);
    const c = cap(UINT256_MAX, UINT256_MAX, address(3), address(4));
    const f = fee(UINT256_MAX, { capFees: false, flat: UINT256_MAX, proportional: 7n, imbalancePenalty: [[0n, 9n], [UINT256_MAX, UINT256_MAX]] }, '2030-12-31T23:59:59.000001');
    d.add(c, 10);
    d.add(f, 11);
    await commit(store, d);
    await closeStore(store);
    store = openStore(path);
    const again = new DeferredStore(store, N1, HOUR);
    assert.equal(again.size, 2);
    assert.deepEqual(again.take(UINT256_MAX, 12), [c, f]);
    await commit(store, again);
    await closeStore(store);
  });

  test('survives a reopen: pending updates stay in order, new ones queue after them, taken ones stay gone', async () => {
    const path = dir();
    let store = openStore(path);
    let d = new DeferredStore(store, N1, HOUR);
    for (let i = 1n; i <= 4n; i++) d.add(cap(i % 2n, i), Number(i));
    await commit(store, d);
    assert.deepEqual(tags(d.take(0n, 10)), [2n, 4n]);
    await commit(store, d);
    await closeStore(store);

    store = openStore(path);
    d = new DeferredStore(store, N1, HOUR);
    assert.equal(d.size, 2);
    d.add(cap(1n, 5n), 20);
    d.add(cap(0n, 6n), 21);
    await commit(store, d);
    await closeStore(store);

    store = openStore(path);
    d = new DeferredStore(store, N1, HOUR);
    assert.equal(d.size, 4);
    assert.deepEqual(tags(d.take(1n, 30)), [1n, 3n, 5n]);
    assert.deepEqual(tags(d.take(0n, 30)), [6n]);
    await commit(store, d);
    await closeStore(store);
  });

  test('networks are separate: same channel id, separate queues and separate bounds', async () => {
    const store = openStore(dir());
    const limits = { maxEntries: 2, expirySeconds: 3600 };
    const a = new DeferredStore(store, N1, limits);
    const b = new DeferredStore(store, N2, limits);
    a.add(cap(1n, 1n), 0);
    a.add(cap(1n, 2n), 0);
    b.add(cap(1n, 10n), 0);
    b.add(cap(1n, 11n), 0);
    await commit(store, a, b);
    assert.deepEqual(tags(b.take(1n, 0)), [10n, 11n]);
    assert.deepEqual(tags(a.take(1n, 0)), [1n, 2n]);
    await commit(store, a, b);
    await closeStore(store);
  });

  test('bound: at maxEntries the oldest update is dropped to make room, and add() reports how many went', async () => {
    const path = dir();
    let store = openStore(path);
    const d = new DeferredStore(store, N1, { maxEntries: 3, expirySeconds: 3600 });
    assert.equal(d.add(cap(1n, 1n), 0), 0);
    assert.equal(d.add(cap(2n, 2n), 0), 0);
    assert.equal(d.add(cap(1n, 3n), 0), 0);
    await commit(store, d);
    assert.equal(d.add(cap(1n, 4n), 0), 1, 'the oldest (1) made room');
    assert.equal(d.add(cap(2n, 5n), 0), 1, 'then the next oldest (2)');
    assert.equal(d.size, 3);
    await commit(store, d);
    // taking frees room: no eviction while below the bound
    assert.deepEqual(tags(d.take(2n, 0)), [5n]);
    assert.equal(d.add(cap(3n, 6n), 0), 0);
    await commit(store, d);
    await closeStore(store);

    // the bound and the evictions are durable
    store = openStore(path);
    const again = new DeferredStore(store, N1, { maxEntries: 3, expirySeconds: 3600 });
    assert.equal(again.size, 3);
    assert.deepEqual(tags(again.take(1n, 0)), [3n, 4n]);
    assert.deepEqual(tags(again.take(2n, 0)), []);
    assert.deepEqual(tags(again.take(3n, 0)), [6n]);
    await commit(store, again);
    await closeStore(store);
  });

  test('maxEntries 0 (--deferred-max 0) keeps nothing waiting: the update is refused and reported', async () => {
    const store = openStore(dir());
    const d = new DeferredStore(store, N1, { maxEntries: 0, expirySeconds: 3600 });
    assert.equal(d.add(cap(1n, 1n), 0), 1);
    assert.equal(d.add(cap(1n, 2n), 0), 1);
    assert.equal(d.size, 0);
    assert.deepEqual(tags(d.take(1n, 0)), []);
    await commit(store, d);
    assert.equal(store.dbs.deferred.getKeysCount(), 0);
    await closeStore(store);
  });

  test('bound under a flood: size never exceeds maxEntries and the newest survive', async () => {
    const store = openStore(dir());
    const d = new DeferredStore(store, N1, { maxEntries: 50, expirySeconds: 3600 });
    let dropped = 0;
    for (let i = 0; i < 500; i++) {
      dropped += d.add(cap(BigInt(i % 7), BigInt(i)), i);
      assert.ok(d.size <= 50);
      if (i % 100 === 99) await commit(store, d);
    }
    assert.equal(dropped, 450);
    const left: bigint[] = [];
    for (let ch = 0n; ch < 7n; ch++) left.push(...(tags(d.take(ch, 500)) as bigint[]));
    assert.deepEqual(left.sort((x, y) => Number(x - y)), Array.from({ length: 50 }, (_, i) => BigInt(450 + i)));
    await commit(store, d);
    assert.equal(store.dbs.deferred.getKeysCount(), 0);
    await closeStore(store);
  });

  test('expiry: updates older than expirySeconds are dropped by add() (and counted) and skipped by take()', async () => {
    const path = dir();
    let store = openStore(path);
    const limits = { maxEntries: 100, expirySeconds: 10 };
    const d = new DeferredStore(store, N1, limits);
    d.add(cap(1n, 1n), 0);
    d.add(cap(1n, 2n), 5_000);
    d.add(cap(2n, 3n), 5_000);
    await commit(store, d);
    // at 10 000 ms nothing is older than 10 s yet (the limit is strict)
    assert.deepEqual(tags(d.take(3n, 10_000)), []);
    assert.equal(d.size, 3);
    // at 10 001 ms the first is expired: take() skips it
    assert.deepEqual(tags(d.take(1n, 10_001)), [2n]);
    assert.equal(d.size, 1);
    // add() expires too and reports it
    assert.equal(d.add(cap(4n, 4n), 15_001), 1);
    assert.equal(d.size, 1);
    await commit(store, d);
    await closeStore(store);

    // expiry keeps working after a reopen (arrival times are stored)
    store = openStore(path);
    const again = new DeferredStore(store, N1, limits);
    assert.equal(again.size, 1);
    assert.deepEqual(tags(again.take(4n, 25_002)), [], 'expired during the downtime');
    assert.equal(again.size, 0);
    await commit(store, again);
    assert.equal(store.dbs.deferred.getKeysCount(), 0, 'expired updates are removed from disk');
    await closeStore(store);
  });
});
