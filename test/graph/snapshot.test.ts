import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asAddress } from '../../src/domain/index.ts';
import {
  EdgeStoreReader,
  ScheduleTableReader,
  SnapshotView,
  SnapshotWriter,
  TokenNetworkState,
  feeScheduleKey,
  makeFeeSchedule,
  wordsToBigInt,
} from '../../src/graph/index.ts';
import { Random } from '../helpers/random.ts';
import { TEST_TOKEN_NETWORK } from '../helpers/test-network.ts';

function randomState(rng: Random, channels: number, nodes: number): TokenNetworkState {
  const state = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
  const addresses = Array.from({ length: nodes }, () => asAddress('0x' + rng.hex(20)));
  let ts = 0;
  for (let id = 1; id <= channels; id++) {
    const a = rng.pick(addresses);
    const b = rng.pick(addresses);
    if (state.openChannel(BigInt(id), a, b).kind !== 'opened') continue;
    const cap = () => (rng.chance(0.05) ? (1n << 255n) + rng.bits(200) : rng.bits(rng.int(1, 90)));
    const [ca, cb] = [cap(), cap()];
    const base = { channelId: BigInt(id), updatingNonce: 1n, otherNonce: 1n, revealTimeout: 50n };
    state.applyCapacityUpdate({ ...base, updating: a, other: b, updatingCapacity: ca, otherCapacity: cb });
    state.applyCapacityUpdate({ ...base, updating: b, other: a, updatingCapacity: cb, otherCapacity: ca });
    if (rng.chance(0.5)) {
      const s = makeFeeSchedule({
        capFees: rng.chance(0.5),
        flat: rng.bits(60),
        proportional: rng.bits(20),
        imbalancePenalty: rng.chance(0.3) ? [[0n, rng.bits(50)], [1n + rng.bits(80), rng.bits(50)]] : null,
      });
      if (typeof s === 'string') throw new Error(s);
      const timestamp = `2020-01-01T00:00:00.${String(++ts).padStart(6, '0')}`;
      state.applyFeeUpdate({ channelId: BigInt(id), updating: a, schedule: s, timestamp });
    }
  }
  return state;
}

/** Reads every open channel through a reader and compares with the state. */
function assertSnapshotMatches(state: TokenNetworkState, edges: EdgeStoreReader, schedules: ScheduleTableReader): void {
  const n = state.slotCount + 1;
  const shadow = new Float64Array(2 * n);
  const words = new Uint32Array(16 * n);
  const ids = new Uint32Array(2 * n);
  for (const channel of state.openChannels()) {
    edges.readInto(channel.slot, shadow, words, ids);
    for (const d of [0, 1] as const) {
      const e = 2 * channel.slot + d;
      const side = channel.sides[d];
      assert.equal(wordsToBigInt(words, e * 8), side.capacity, `capacity of channel ${channel.id} side ${d}`);
      assert.equal(shadow[e], Number(side.capacity));
      assert.equal(feeScheduleKey(schedules.get(ids[e]!).schedule), feeScheduleKey(side.fee.schedule));
    }
  }
}

describe('snapshot: per-edge state in shared memory', () => {
  test('every channel reads back exactly, across many buffer growths', () => {
    const rng = new Random(77);
    const state = randomState(rng, 20_000, 3000);
    const writer = new SnapshotWriter(state);
    const h = writer.handle();
    assertSnapshotMatches(state, new EdgeStoreReader(h.edges), new ScheduleTableReader(h.schedules));
  });

  test('a reader created before the buffers grew sees later channels', () => {
    const rng = new Random(78);
    const state = randomState(rng, 10, 10);
    const writer = new SnapshotWriter(state);
    const h = writer.handle();
    const edges = new EdgeStoreReader(h.edges);
    const schedules = new ScheduleTableReader(h.schedules);
    const more = randomState(rng, 5000, 500);
    // replay the second state's channels into the first, writing each as it changes
    for (const c of more.openChannels()) {
      const r = state.openChannel(c.id + 1000n, c.participants[0], c.participants[1]);
      if (r.kind !== 'opened') continue;
      r.channel.sides[0].capacity = c.sides[0].capacity;
      r.channel.sides[1].capacity = c.sides[1].capacity;
      r.channel.sides[0].fee = c.sides[0].fee;
      writer.syncChannel(r.channel);
    }
    assertSnapshotMatches(state, edges, schedules);
  });

  test('topology generations: address lookup and adjacency cover every node and pair', () => {
    const rng = new Random(79);
    const state = randomState(rng, 3000, 800);
    const writer = new SnapshotWriter(state);
    const view = new SnapshotView(writer.handle(), new Uint8Array(state.nodes.length).fill(1));
    const t = view.topology;
    state.nodes.forEach((a, i) => {
      assert.equal(t.nodeOf(a), i);
      assert.equal(t.address(i), a);
    });
    assert.equal(t.nodeOf(asAddress('0x' + '77'.repeat(20))), -1);
    let entries = 0;
    for (const p of state.pairEdges()) {
      const c = p.channels[p.channels.length - 1]!;
      for (const [x, y] of [[p.lo, p.hi], [p.hi, p.lo]] as const) {
        let slot = -1;
        for (let k = t.adjStart[x]!; k < t.adjStart[x + 1]!; k++) if (t.adjNode[k] === y) slot = t.adjSlot[k]!;
        assert.equal(slot >> 1, c.slot);
        assert.equal(slot & 1, x === c.nodes[0] ? 0 : 1);
        entries++;
      }
    }
    assert.equal(entries, t.adjStart[t.nodeCount]);
    // closing channels produces a new generation without them
    const closed = [...state.openChannels()].slice(0, 100);
    for (const c of closed) state.closeChannel(c.id);
    assert.notEqual(writer.publishTopology(), null);
    assert.equal(writer.publishTopology(), null);
    const next = new SnapshotView(writer.handle(), new Uint8Array(state.nodes.length).fill(1)).topology;
    assert.equal(next.generation, t.generation + 1);
    assert.equal(next.adjStart[next.nodeCount], [...state.pairEdges()].length * 2);
  });
});

describe('schedule table weight records', () => {
  test('kind, limbs and numbers equal the decoded schedule, for every size', async () => {
    const { ScheduleTableWriter, WEIGHT_STRIDE, WEIGHT_FLAT_HIGH, WEIGHT_FLAT_LOW, WEIGHT_PROPORTIONAL, isZeroForWeights } = await import('../../src/graph/index.ts');
    const rng = new Random(314);
    const writer = new ScheduleTableWriter();
    const reader = new ScheduleTableReader(writer.handle);
    for (let k = 0; k < 5000; k++) {
      const bits = (max: number) => (rng.chance(0.3) ? 0n : rng.bits(rng.int(1, max)));
      const s = makeFeeSchedule({
        capFees: rng.chance(0.5),
        flat: rng.pick([0n, (1n << 80n) - 1n, 1n << 80n, (1n << 31n) - 1n, 1n << 31n, bits(100)]),
        proportional: rng.pick([0n, (1n << 20n) - 1n, 1n << 20n, 65535n, 65536n, bits(24)]),
        imbalancePenalty: rng.chance(0.2) ? [[0n, bits(40)], [1n + bits(60), bits(40)]] : null,
      });
      if (typeof s === 'string') throw new Error(s);
      const id = writer.intern(s);
      const kind = reader.weightKind(id);
      const r = reader.weightRecords();
      const at = WEIGHT_STRIDE * id;
      assert.equal(kind, isZeroForWeights(s) ? 0 : s.imbalancePenalty !== null ? 2 : 1);
      const limbsOk = s.flat < 1n << 80n && s.proportional < 1n << 20n;
      assert.equal(r[at]! & 1, limbsOk ? 1 : 0, `flat ${s.flat} proportional ${s.proportional}`);
      if (limbsOk) {
        assert.equal(BigInt(r[at + WEIGHT_FLAT_HIGH]!) * (1n << 31n) + BigInt(r[at + WEIGHT_FLAT_LOW]!), s.flat);
        assert.equal(BigInt(r[at + WEIGHT_PROPORTIONAL]!), s.proportional);
      }
    }
  });
});
