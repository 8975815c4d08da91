import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainFollower, ChainSync, type ChainStatus, FilterInterval, type RangeRound, RpcFailure, nextRange } from '../../src/chain/index.ts';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { FakeRpc, closedLog, createdLog, openedLog } from './fake-rpc.ts';

const REGISTRY = asAddress('0x' + 'aa'.repeat(20));
const TOKEN = asAddress('0x' + '07'.repeat(20));
const TN = asAddress('0x' + '0e'.repeat(20));
const P1 = asAddress('0x' + '11'.repeat(20));
const P2 = asAddress('0x' + '22'.repeat(20));

describe('block ranges (spec §7.2)', () => {
  it('reads from the committed block + 1 up to the confirmed head, bounded by the interval', () => {
    assert.deepEqual(nextRange(-1, 10, 5, 1000), { from: 0, to: 5 });
    assert.deepEqual(nextRange(5, 10, 5, 1000), null, 'nothing new confirmed');
    assert.deepEqual(nextRange(5, 3000, 0, 1000), { from: 6, to: 1005 });
    assert.deepEqual(nextRange(100, 99, 0, 1000), null, 'head behind the committed block');
    assert.deepEqual(nextRange(5, 6, 0, 1000), { from: 6, to: 6 }, 'an explicit 0 confirmations reads the head itself');
  });

  it('adapts the interval: x2 when fast, /2 when slow, /5 on refusal, within 2..100000', () => {
    const i = new FilterInterval();
    assert.equal(i.value, 1000);
    i.completed(100);
    assert.equal(i.value, 2000);
    i.completed(3000);
    assert.equal(i.value, 2000, 'between the thresholds nothing changes');
    i.completed(6000);
    assert.equal(i.value, 1000);
    assert.equal(i.failed(), true);
    assert.equal(i.value, 200, 'the reference: 1000 -> 200 on a timeout');
    for (let n = 0; n < 5; n++) i.failed();
    assert.equal(i.value, 2);
    assert.equal(i.failed(), false, 'no narrower range exists');
    for (let n = 0; n < 40; n++) i.completed(1);
    assert.equal(i.value, 100_000);
  });
});

describe('a follower round', () => {
  it('returns registry events first, follows a network created in the same range, and stops at the confirmed head', async () => {
    const rpc = new FakeRpc();
    rpc.head = 20;
    rpc.logs = [
      openedLog(TN, 1n, P1, P2, 4, 0),
      createdLog(REGISTRY, TOKEN, TN, 3, 1),
      closedLog(TN, 1n, P1, 15, 0),
      openedLog(TN, 2n, P1, P2, 16, 2),
    ];
    const follower = new ChainFollower(rpc, REGISTRY, 5);
    const round = await follower.round(-1, []);
    assert.equal(round.kind, 'range');
    const r = round as RangeRound;
    assert.deepEqual([r.from, r.to, r.head, r.confirmed], [0, 15, 20, 15]);
    assert.deepEqual(r.events.map((e) => [e.kind, e.block]), [['network_created', 3], ['channel_opened', 4], ['channel_closed', 15]]);
    assert.equal(await follower.round(15, [TN]).then((x) => x.kind), 'idle');
  });

  it('reports a head below the committed block as behind, with no range', async () => {
    const rpc = new FakeRpc();
    rpc.head = 12;
    assert.deepEqual(await new ChainFollower(rpc, REGISTRY, 5).round(10, [TN]), { kind: 'behind', head: 12, confirmed: 7 });
  });

  it('counts logs it cannot use and logs outside the range instead of failing', async () => {
    const rpc = new FakeRpc();
    rpc.head = 10;
    rpc.logs = [openedLog(TN, 1n, P1, P2, 2), { ...openedLog(TN, 2n, P1, P2, 2, 1), topics: ['0x' + '12'.repeat(32)] }];
    // a node that also returns a log outside the requested range
    const original = rpc.getLogs.bind(rpc);
    rpc.getLogs = async (a, f, t) => [...(await original(a, f, t)), ...(a.includes(TN) ? [openedLog(TN, 3n, P1, P2, 50)] : [])];
    const r = (await new ChainFollower(rpc, REGISTRY, 0).round(0, [TN])) as RangeRound;
    assert.deepEqual(r.events.map((e) => e.kind), ['channel_opened']);
    assert.deepEqual(r.outcomes, { rejected_unknown_topic: 1, rejected_outside_range: 1 });
  });

  it('narrows the range when eth_getLogs is refused or times out, and fails at the narrowest', async () => {
    const rpc = new FakeRpc();
    rpc.head = 5000;
    const follower = new ChainFollower(rpc, REGISTRY, 0);
    rpc.failNext('eth_getLogs', 'rpc_error', 1, 'query returned more than 10000 results');
    const r = await follower.round(-1, [TN]);
    assert.equal(r.kind, 'narrowed');
    assert.equal(follower.interval.value, 200);
    follower.interval.value = 2;
    rpc.failNext('eth_getLogs', 'timeout');
    await assert.rejects(follower.round(-1, [TN]), (e) => e instanceof RpcFailure && e.kind === 'timeout');
    rpc.failNext('eth_getLogs', 'unreachable');
    follower.interval.value = 1000;
    await assert.rejects(follower.round(-1, [TN]), RpcFailure);
    assert.equal(follower.interval.value, 1000, 'a dead node does not shrink the range');
  });
});

/** A sync over a fake node whose applied ranges and statuses are recorded. */
function harness(rpc: FakeRpc, committedAt = -1) {
  let committed = committedAt;
  const applied: RangeRound[] = [];
  const statuses: ChainStatus[] = [];
  const logs: string[] = [];
  const networks: Address[] = [];
  const sync = new ChainSync({
    rpc,
    follower: new ChainFollower(rpc, REGISTRY, 2),
    expectedChainId: 1337n,
    pollIntervalMs: 5,
    maxBackoffMs: 40,
    committed: () => committed,
    networks: () => networks,
    apply: async (round) => {
      applied.push(round);
      for (const e of round.events) if (e.kind === 'network_created') networks.push(e.network);
      committed = round.to;
    },
    status: (s) => statuses.push(s),
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  return { sync, applied, statuses, logs, committed: () => committed };
}

describe('the sync loop', () => {
  it('catches up over several ranges, then reports it is at the head', async () => {
    const rpc = new FakeRpc();
    rpc.head = 2502;
    rpc.logs = [createdLog(REGISTRY, TOKEN, TN, 1), openedLog(TN, 1n, P1, P2, 2400)];
    const h = harness(rpc);
    assert.equal(await h.sync.catchUp(), true);
    assert.deepEqual(h.applied.map((r) => [r.from, r.to]), [[0, 999], [1000, 2500]]);
    assert.deepEqual(h.applied.flatMap((r) => r.events.map((e) => e.kind)), ['network_created', 'channel_opened']);
    assert.equal(h.statuses.at(-1)?.lagging, null);
    assert.match(h.statuses[0]!.lagging!, /catching up: block 999 of 2500/);
  });

  it('retries a failing node with a doubling, capped backoff, and says why it lags', async () => {
    const rpc = new FakeRpc();
    rpc.head = 10;
    const h = harness(rpc);
    rpc.failNext('eth_chainId', 'unreachable', 5, 'connect ECONNREFUSED');
    const backoffs: number[] = [];
    const original = h.sync.backoffMs.bind(h.sync);
    h.sync.backoffMs = () => {
      const ms = original();
      backoffs.push(ms);
      return ms;
    };
    assert.equal(await h.sync.catchUp(), true);
    // the failure count doubles the pause: 5, 10, 20, 40 (cap), 40 ms
    assert.deepEqual(backoffs.filter((_, i) => i % 2 === 1), [5, 10, 20, 40, 40]);
    assert.match(h.statuses[0]!.lagging!, /the Ethereum node failed \(unreachable: eth_chainId: connect ECONNREFUSED\); retry 1/);
    assert.equal(h.statuses.at(-1)!.lagging, null);
    assert.ok(h.logs.some((l) => /answers again/.test(l)));
    assert.equal(h.committed(), 8);
  });

  it('refuses a node that comes back on another chain and applies nothing from it', async () => {
    const rpc = new FakeRpc();
    rpc.head = 10;
    rpc.id = 1n;
    const h = harness(rpc);
    const done = h.sync.catchUp();
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(h.applied.length, 0);
    assert.match(h.statuses.at(-1)!.lagging!, /now reports chain id 1, but this data dir is for chain 1337/);
    rpc.id = 1337n;
    assert.equal(await done, true);
    assert.equal(h.committed(), 8);
  });

  it('waits without moving the cursor while the head is behind it', async () => {
    const rpc = new FakeRpc();
    rpc.head = 50;
    const h = harness(rpc, 100);
    const following = h.sync.follow();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(h.applied.length, 0);
    assert.equal(h.committed(), 100);
    assert.match(h.statuses.at(-1)!.lagging!, /confirmed head 48 is below the committed block 100/);
    assert.equal(h.logs.filter((l) => /moved backwards/.test(l)).length, 1, 'logged once per episode');
    rpc.head = 105;
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(h.committed(), 103);
    assert.equal(h.statuses.at(-1)!.lagging, null);
    await h.sync.stop();
    await following;
  });

  it('stops promptly while sleeping and after a range in progress', async () => {
    const rpc = new FakeRpc();
    rpc.head = 10;
    const h = harness(rpc);
    await h.sync.catchUp();
    const following = h.sync.follow();
    const t = Date.now();
    await h.sync.stop();
    await following;
    assert.ok(Date.now() - t < 100);
    assert.equal(await h.sync.catchUp(), false, 'a stopped sync does not run again');
  });
});
