import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { type Channel, type FeeSchedule, TimedFeeSchedule, TokenNetworkState, makeFeeSchedule } from '../../src/graph/index.ts';
import { closeStore, openStore, type Store } from '../../src/store/environment.ts';
import {
  NetworkStore,
  type NetworkRecord,
  decodeChannel,
  decodeNetwork,
  encodeChannel,
  encodeNetwork,
  listNetworks,
  networkRange,
} from '../../src/store/network-store.ts';
import { address } from '../fixtures/accounts.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const UINT256_MAX = (1n << 256n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;
const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((c) => c()));

function freshStore(): Store {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  return openStore(dir.path);
}

const net = (b: string) => asAddress('0x' + b.repeat(20));

function schedule(s: Partial<FeeSchedule>): FeeSchedule {
  const r = makeFeeSchedule({ capFees: true, flat: 0n, proportional: 0n, imbalancePenalty: null, ...s });
  if (typeof r === 'string') throw new Error(r);
  return r;
}

function record(address: Address, over: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    address,
    tokenAddress: net('07'),
    settleTimeout: 500n,
    createdSeq: 0,
    nextEdgeSeq: 0,
    nextOpenSeq: 0,
    nodeCount: 0,
    block: 0,
    positions: new Map(),
    ...over,
  };
}

/** Everything a stored channel carries, as plain comparable values. */
function plain(c: { id: bigint; participants: readonly Address[]; sides: readonly Channel['sides'][number][] }) {
  return {
    id: c.id,
    participants: [...c.participants],
    sides: c.sides.map((s) => ({
      capacity: s.capacity,
      nonce: s.nonce,
      revealTimeout: s.revealTimeout,
      reported: s.reported === null ? null : { ...s.reported },
      feeEncoded: Buffer.from(s.fee.encoded).toString('hex'),
      feeTimestamp: s.fee.timestamp,
      schedule: s.fee.schedule,
    })),
  };
}

describe('network record encoding', () => {
  test('every field round-trips, including extremes and source positions in order', () => {
    const r = record(net('ab'), {
      tokenAddress: asAddress('0x' + 'ff'.repeat(20)),
      settleTimeout: UINT256_MAX,
      createdSeq: Number.MAX_SAFE_INTEGER,
      nextEdgeSeq: 2 ** 40,
      nextOpenSeq: 2 ** 32,
      nodeCount: 2 ** 21,
      block: Number.MAX_SAFE_INTEGER,
      positions: new Map([
        ['file:zzz', 7],
        ['chain', Number.MAX_SAFE_INTEGER],
        ['file:ünïcode', 0],
      ]),
    });
    const back = decodeNetwork(r.address, encodeNetwork(r));
    assert.deepEqual({ ...back, positions: [...back.positions] }, { ...r, positions: [...r.positions] });
    const zero = record(net('00'), { tokenAddress: net('00'), settleTimeout: 0n });
    const back0 = decodeNetwork(zero.address, encodeNetwork(zero));
    assert.deepEqual({ ...back0, positions: [...back0.positions] }, { ...zero, positions: [] });
  });

  test('an unknown record version is refused, not misread', () => {
    const b = encodeNetwork(record(net('ab')));
    b[0] = 2;
    assert.throws(() => decodeNetwork(net('ab'), b), /version/);
  });
});

describe('channel record encoding', () => {
  test('every field of both sides round-trips, with uint256 extremes and encoded fee schedules', () => {
    const state = new TokenNetworkState(net('01'), 500n);
    const opened = state.openChannel(UINT256_MAX, address(1), address(0));
    assert.equal(opened.kind, 'opened');
    const c = state.channel(UINT256_MAX)!;
    const [s0, s1] = c.sides;
    s0.capacity = UINT256_MAX;
    s0.nonce = UINT64_MAX;
    s0.revealTimeout = UINT256_MAX;
    s0.reported = { updating: UINT256_MAX, other: 0n };
    s0.fee = TimedFeeSchedule.of(
      schedule({ capFees: false, flat: UINT256_MAX, proportional: 1_000_000n, imbalancePenalty: [[0n, UINT256_MAX], [1n, 0n], [UINT256_MAX, 5n]] }),
      '2021-06-30T23:59:59.999999',
    );
    s1.capacity = 0n;
    s1.nonce = 0n;
    s1.revealTimeout = 0n;
    s1.reported = null;
    // side 1 keeps the default schedule and timestamp
    const back = decodeChannel(c.id, encodeChannel(c, 12345678901));
    assert.equal(back.openSeq, c.openSeq);
    assert.equal(back.edgeSeq, 12345678901);
    assert.deepEqual(plain(back), plain(c));
    assert.equal(back.sides[1].fee.timestamp, '2000-01-01T00:00:00.000000');
    assert.equal(back.sides[0].fee.schedule.imbalancePenalty!.length, 3);
    // participants keep the sorted order of the live channel (side 0 = lower address)
    assert.deepEqual(back.participants, [...c.participants]);
  });

  test('an empty penalty list and a null one both come back as null (the reference treats them the same)', () => {
    const state = new TokenNetworkState(net('01'), 500n);
    state.openChannel(1n, address(0), address(1));
    const c = state.channel(1n)!;
    c.sides[0].fee = TimedFeeSchedule.of(schedule({ imbalancePenalty: [] }), '2022-01-01T00:00:00.000000');
    assert.equal(decodeChannel(1n, encodeChannel(c, 0)).sides[0].fee.schedule.imbalancePenalty, null);
  });
});

describe('NetworkStore over LMDB', () => {
  test('load() rebuilds nodes in order, channels, counters and edge sequence (closed, reopened and parallel channels)', async () => {
    const store = freshStore();
    const N = net('01');
    const state = new TokenNetworkState(N, 777n);
    // A-B (edge 0), B-C (edge 1); closing A-B removes edge 0; reopening A-B makes edge 2;
    // a parallel B-C channel joins edge 1 (and backs it, as the most recent one)
    const [A, B, C, D] = [address(3), address(1), address(2), address(0)];
    state.openChannel(10n, A, B);
    state.openChannel(11n, B, C);
    state.closeChannel(10n);
    state.openChannel(12n, A, B);
    state.openChannel(13n, B, C);
    state.openChannel(14n, C, D);
    for (const c of state.openChannels()) {
      c.sides[0].capacity = 1000n + c.id;
      c.sides[1].capacity = UINT256_MAX - c.id;
      c.sides[1].reported = { updating: UINT256_MAX, other: c.id };
      c.sides[0].fee = TimedFeeSchedule.of(schedule({ flat: c.id, proportional: 3n }), `2023-01-01T00:00:${String(Number(c.id)).padStart(2, '0')}.000000`);
    }
    const ns = new NetworkStore(store, N);
    assert.equal(ns.record(), undefined);
    assert.equal(ns.load(), undefined);
    const counters = state.orderCounters();
    ns.putRecord(record(N, { settleTimeout: 777n, nextEdgeSeq: counters.nextEdgeSeq, nextOpenSeq: counters.nextOpenSeq, nodeCount: state.nodes.length, block: 99, positions: new Map([['file:x', 5]]) }));
    state.nodes.forEach((a, i) => ns.putNode(i, a));
    for (const c of state.openChannels()) ns.putChannel(c, state.pairOf(c)!.seq);
    await ns.committed();

    const loaded = ns.load()!;
    assert.equal(loaded.record.block, 99);
    assert.deepEqual([...loaded.record.positions], [['file:x', 5]]);
    const s = loaded.state;
    assert.deepEqual(s.nodes, state.nodes);
    assert.equal(s.settleTimeout, 777n);
    assert.deepEqual(s.orderCounters(), counters);
    assert.deepEqual([...s.openChannels()].map((c) => c.id).sort(), [11n, 12n, 13n, 14n]);
    for (const c of state.openChannels()) {
      const r = s.channel(c.id)!;
      assert.deepEqual(plain(r), plain(c), `channel ${c.id}`);
      assert.equal(r.openSeq, c.openSeq);
      assert.equal(s.pairOf(r)!.seq, state.pairOf(c)!.seq, `edge seq of channel ${c.id}`);
    }
    // the pair edges come back in the live order, each backed by the same channel
    const edges = (x: TokenNetworkState) => [...x.pairEdges()].map((p) => [p.seq, p.lo, p.hi, p.channels.map((c) => c.id)]);
    assert.deepEqual(edges(s), edges(state));
    assert.deepEqual(edges(s).map((e) => e[0]), [1, 2, 3]);
    // a restored state continues the order exactly as the live one does
    state.openChannel(15n, A, D);
    s.openChannel(15n, A, D);
    assert.deepEqual(edges(s), edges(state));
    await closeStore(store);
  });

  test('removeChannel deletes the record; other networks are untouched (key ranges do not overlap)', async () => {
    const store = freshStore();
    // two networks whose addresses differ only in the last byte
    const N1 = asAddress('0x' + '01'.repeat(19) + '01');
    const N2 = asAddress('0x' + '01'.repeat(19) + '02');
    for (const [N, ids] of [[N1, [1n, 2n]], [N2, [1n, 3n]]] as const) {
      const state = new TokenNetworkState(N, 500n);
      for (const id of ids) state.openChannel(id, address(Number(id)), address(Number(id) + 10));
      const ns = new NetworkStore(store, N);
      ns.putRecord(record(N, { ...state.orderCounters(), nodeCount: state.nodes.length }));
      state.nodes.forEach((a, i) => ns.putNode(i, a));
      for (const c of state.openChannels()) ns.putChannel(c, state.pairOf(c)!.seq);
    }
    await store.env.committed;
    new NetworkStore(store, N1).removeChannel(1n);
    await store.env.committed;
    // nodes are never removed: the record's node count stays valid after a channel removal
    const s1 = new NetworkStore(store, N1).load()!.state;
    const s2 = new NetworkStore(store, N2).load()!.state;
    assert.deepEqual([...s1.openChannels()].map((c) => c.id), [2n]);
    assert.deepEqual([...s2.openChannels()].map((c) => c.id), [1n, 3n]);
    assert.equal(s1.nodes.length, 4);
    const range = networkRange(N1);
    let keys = 0;
    for (const { key } of store.dbs.channels.getRange(range)) {
      assert.deepEqual(Buffer.from(key).subarray(0, 20), Buffer.from(N1.slice(2), 'hex'));
      keys++;
    }
    assert.equal(keys, 1);
    await closeStore(store);
  });

  test('a record whose node count disagrees with the stored nodes is refused', async () => {
    const store = freshStore();
    const N = net('05');
    const ns = new NetworkStore(store, N);
    ns.putRecord(record(N, { nodeCount: 3 }));
    ns.putNode(0, address(0));
    ns.putNode(1, address(1));
    await ns.committed();
    assert.throws(() => ns.load(), /2 stored nodes, record says 3/);
    await closeStore(store);
  });

  test('listNetworks returns every network in creation order (not key order), and survives reopen', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    let store = openStore(dir.path);
    const created = [net('ff'), net('01'), net('80'), net('02')];
    created.forEach((N, seq) => new NetworkStore(store, N).putRecord(record(N, { createdSeq: seq, block: seq * 10 })));
    await store.env.committed;
    assert.deepEqual(listNetworks(store).map((n) => n.address), created);
    assert.deepEqual(listNetworks(store).map((n) => n.block), [0, 10, 20, 30]);
    await closeStore(store);
    store = openStore(dir.path);
    assert.deepEqual(listNetworks(store).map((n) => n.address), created);
    await closeStore(store);
    const empty = freshStore();
    assert.deepEqual(listNetworks(empty), []);
    await closeStore(empty);
  });
});
