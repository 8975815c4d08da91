import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenNetworkState } from '../../src/graph/index.ts';
import { address } from '../fixtures/accounts.ts';
import { TEST_TOKEN_NETWORK, roundTrip, schedule } from '../helpers/test-network.ts';

const P1 = address(1);
const P2 = address(2);
const P3 = address(3);

function capacityUpdate(updating: string, other: string, updatingCapacity: bigint, otherCapacity: bigint, channelId = 0n) {
  return {
    channelId,
    updating: updating as never,
    other: other as never,
    updatingNonce: 1n,
    otherNonce: 0n,
    updatingCapacity,
    otherCapacity,
    revealTimeout: 2n,
  };
}

/** Capacities of the directed views P1 -> P2 and P2 -> P1. */
function views(state: TokenNetworkState, id = 0n): [bigint, bigint] {
  const c = state.channel(id)!;
  const [a, b] = c.participants[0] === P1 ? [0, 1] : [1, 0];
  return [c.sides[a]!.capacity, c.sides[b]!.capacity];
}

describe('capacity updates: the min-rule (test_capacity_updates.py, spec §6.5)', () => {
  test('the reference sequence', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    s.openChannel(0n, P1, P2);
    assert.equal(s.applyCapacityUpdate(capacityUpdate(P1, P2, 90n, 110n)).kind, 'applied');
    assert.deepEqual(views(s), [0n, 0n]);
    s.applyCapacityUpdate(capacityUpdate(P2, P1, 110n, 90n));
    assert.deepEqual(views(s), [90n, 110n]);
    s.applyCapacityUpdate(capacityUpdate(P1, P2, 90n, 110n));
    assert.deepEqual(views(s), [90n, 110n]);
    s.applyCapacityUpdate(capacityUpdate(P1, P2, 10000n, 110n));
    assert.deepEqual(views(s), [90n, 110n]);
    s.applyCapacityUpdate(capacityUpdate(P1, P2, 90n, 0n));
    assert.deepEqual(views(s), [90n, 0n]);
    s.applyCapacityUpdate(capacityUpdate(P1, P2, 90n, 10000n));
    assert.deepEqual(views(s), [90n, 110n]);
  });

  test('nonces and reveal timeout are stored, not checked', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    s.openChannel(0n, P1, P2);
    s.applyCapacityUpdate({ ...capacityUpdate(P1, P2, 1n, 1n), updatingNonce: 7n, otherNonce: 3n, revealTimeout: 9n });
    const c = s.channel(0n)!;
    const mine = c.sides[c.participants[0] === P1 ? 0 : 1];
    const theirs = c.sides[c.participants[0] === P1 ? 1 : 0];
    assert.equal(mine.nonce, 7n);
    assert.equal(mine.revealTimeout, 9n);
    assert.equal(theirs.nonce, 3n);
    assert.equal(theirs.revealTimeout, 50n);
    // an older nonce is accepted all the same ("no need for nonces")
    assert.equal(s.applyCapacityUpdate({ ...capacityUpdate(P1, P2, 1n, 1n), updatingNonce: 1n }).kind, 'applied');
  });

  test('wrong participants and unknown channels are reported, not applied', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    s.openChannel(0n, P1, P2);
    assert.equal(s.applyCapacityUpdate(capacityUpdate(P3, P2, 1n, 1n)).kind, 'sender_not_participant');
    assert.equal(s.applyCapacityUpdate(capacityUpdate(P1, P3, 1n, 1n)).kind, 'other_not_participant');
    assert.equal(s.applyCapacityUpdate(capacityUpdate(P1, P1, 1n, 1n)).kind, 'other_not_participant');
    assert.equal(s.applyCapacityUpdate(capacityUpdate(P1, P2, 1n, 1n, 35n)).kind, 'unknown_channel');
    assert.deepEqual(views(s), [0n, 0n]);
  });
});

describe('fee updates (test_fee_updates.py, spec §6.3, §6.5)', () => {
  test('timestamps must strictly increase per side; the default is 2000-01-01', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    s.openChannel(0n, P1, P2);
    const fee = (updating: string, timestamp: string) =>
      s.applyFeeUpdate({
        channelId: 0n,
        updating: updating as never,
        schedule: schedule({ flat: 1n, proportional: 100_000_000n, imbalancePenalty: [[0n, 0n], [10n, 10n]] }),
        timestamp,
      }).kind;
    assert.equal(fee(P1, '2000-01-01T00:00:00.000000'), 'timestamp_not_increasing');
    assert.equal(fee(P1, '2000-01-01T00:00:00.000001'), 'applied');
    assert.equal(fee(P1, '2000-01-01T00:00:00.000001'), 'timestamp_not_increasing');
    assert.equal(fee(P2, '2000-01-01T00:00:00.000001'), 'applied');
    assert.equal(fee(P3, '2030-01-01T00:00:00.000000'), 'sender_not_participant');
    const c = s.channel(0n)!;
    const side = c.sides[c.participants[0] === P1 ? 0 : 1];
    assert.equal(side.fee.schedule.flat, 1n);
    assert.equal(side.fee.schedule.proportional, 100_000_000n); // no range check, as in the reference
    assert.deepEqual(side.fee.schedule.imbalancePenalty, [[0n, 0n], [10n, 10n]]);
  });
});

describe('channel events (test_token_network.py, spec §7.1, §10.6)', () => {
  test('opening the same channel id again is a no-op, closing removes it', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    for (let i = 0; i < 5; i++) s.openChannel(1n, P1, P2);
    assert.equal(s.channelCount, 1);
    s.applyCapacityUpdate(capacityUpdate(P1, P2, 5n, 5n, 1n));
    s.applyCapacityUpdate(capacityUpdate(P2, P1, 5n, 5n, 1n));
    assert.equal(s.openChannel(1n, P1, P2).kind, 'already_open');
    assert.deepEqual(views(s, 1n), [5n, 5n]); // not reset
    assert.equal(s.closeChannel(1n).kind, 'closed');
    assert.equal(s.channelCount, 0);
    assert.equal(s.closeChannel(1n).kind, 'unknown_channel');
    assert.equal(s.nodes.length, 2); // nodes are never removed
  });

  test('participants are sorted by raw bytes and nodes added in that order', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    // address(0) > address(1) by bytes: participant1 is address(1)
    s.openChannel(7n, address(0), address(1));
    assert.deepEqual(s.channel(7n)!.participants, [address(1), address(0)]);
    assert.deepEqual(s.nodes, [address(1), address(0)]);
    assert.equal(s.openChannel(8n, P1, P1).kind, 'same_participants');
  });

  test('parallel channels (W7): closing one keeps the edges of the other', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    s.openChannel(1n, P1, P2);
    s.openChannel(2n, P1, P3);
    s.openChannel(3n, P1, P2); // parallel to channel 1
    const pair = () => s.pairOf(s.channel(1n) ?? s.channel(3n)!);
    assert.equal(s.backingChannel(0, 1)!.id, 3n); // the newest backs the edges
    const seq = pair()!.seq;
    s.closeChannel(1n); // not backing: nothing changes
    assert.equal(s.backingChannel(0, 1)!.id, 3n);
    s.openChannel(4n, P2, P1);
    s.closeChannel(4n); // backing: hands over to channel 3 at the same position
    assert.equal(s.backingChannel(0, 1)!.id, 3n);
    assert.equal(pair()!.seq, seq);
    s.closeChannel(3n);
    assert.equal(s.backingChannel(0, 1), undefined);
    // re-opening the pair appends its edges at the end
    s.openChannel(5n, P1, P2);
    const order = [...s.pairEdges()].map((p) => p.channels[0]!.id);
    assert.deepEqual(order, [2n, 5n]);
  });

  test('restoring from records reproduces channels, order and parallel backing', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    s.openChannel(1n, P1, P2);
    s.openChannel(2n, P2, P3);
    s.openChannel(3n, P1, P2);
    s.openChannel(4n, P1, P3);
    s.closeChannel(2n);
    s.openChannel(5n, P3, P2);
    s.applyCapacityUpdate(capacityUpdate(P1, P2, 9n, 8n, 1n));
    const r = roundTrip(s);
    assert.deepEqual(r.nodes, s.nodes);
    assert.deepEqual([...r.pairEdges()].map((p) => [p.seq, p.channels.map((c) => c.id)]), [...s.pairEdges()].map((p) => [p.seq, p.channels.map((c) => c.id)]));
    assert.deepEqual([...r.openChannels()].map((c) => c.id), [...s.openChannels()].map((c) => c.id));
    assert.deepEqual(r.channel(1n)!.sides, s.channel(1n)!.sides);
    assert.deepEqual(r.orderCounters(), s.orderCounters());
    // new events continue the same order
    s.openChannel(6n, address(4), P1);
    r.openChannel(6n, address(4), P1);
    assert.deepEqual([...r.pairEdges()].map((p) => p.seq), [...s.pairEdges()].map((p) => p.seq));
  });

  test('restoring when a parallel channel outlived the first channel of its pair (pairs met out of seq order)', () => {
    const s = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
    s.openChannel(1n, P1, P2); // pair P1-P2 gets seq 0
    s.openChannel(2n, P2, P3); // seq 1
    s.openChannel(3n, P1, P2); // parallel to channel 1
    s.openChannel(4n, P1, P2); // parallel again
    s.closeChannel(1n); // in open order the records now meet seq 1 before seq 0
    s.openChannel(5n, P1, P3); // seq 2
    const r = roundTrip(s);
    const shape = (t: TokenNetworkState) => [...t.pairEdges()].map((p) => [p.seq, p.lo, p.hi, p.channels.map((c) => c.id)]);
    assert.deepEqual(shape(r), shape(s));
    assert.deepEqual([...r.openChannels()].map((c) => [c.id, c.slot]), [...s.openChannels()].map((c, slot) => [c.id, slot]));
    assert.equal(r.backingChannel(r.nodeId(P1)!, r.nodeId(P2)!)!.id, 4n);
  });
});
