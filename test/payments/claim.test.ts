import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { type ClaimChain, type ClaimSettings, type TxOutcome, IouLedger, type StoredIou, claimCostRdn, claimFees } from '../../src/payments/index.ts';
import { type Store, closeStore, openStore } from '../../src/store/environment.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The claim run (spec §5.3) against a real LMDB ledger and a scripted chain: which IOUs are
 * due, the claim cost, marking only after a successful receipt, and what happens after a
 * crash of an earlier run (never a second claim of a settled session).
 */

const SERVICE = asAddress('0x' + 'c2'.repeat(20));
const ONE_TO_N = asAddress('0x' + '0a'.repeat(20));
const NOW = 1_700_000_000n;
const DAY = 86_400n;
const sender = (i: number) => asAddress('0x' + i.toString(16).padStart(2, '0').repeat(20));

/** A chain where claims transfer min(amount, balance), cost 50 000 gas at 10 wei. */
class FakeChain implements ClaimChain {
  balances = new Map<Address, bigint>();
  settledSessions = new Set<string>();
  /** Transactions sent: hash -> IOU key; outcome per hash (default success). */
  sent: string[] = [];
  outcomes = new Map<string, TxOutcome>();
  revert = new Map<Address, string>();
  private n = 0;

  private sessionKey(i: StoredIou): string {
    return `${i.sender}/${i.claimableUntil}`;
  }
  async now(): Promise<bigint> {
    return NOW;
  }
  async gasPrice(): Promise<bigint> {
    return 10n;
  }
  async dryRun(i: StoredIou) {
    if (this.settledSessions.has(this.sessionKey(i))) return { ok: false as const, reason: 'Already settled session' };
    const reason = this.revert.get(i.sender);
    if (reason !== undefined) return { ok: false as const, reason };
    const balance = this.balances.get(i.sender) ?? 0n;
    return { ok: true as const, transferable: balance < i.amount ? balance : i.amount, gas: 50_000n };
  }
  async settled(i: StoredIou): Promise<boolean> {
    return this.settledSessions.has(this.sessionKey(i));
  }
  async sign(i: StoredIou) {
    const hash = `0x${(++this.n).toString(16).padStart(64, '0')}`;
    return {
      hash,
      broadcast: async () => {
        this.sent.push(hash);
        if ((this.outcomes.get(hash) ?? 'success') === 'success') this.settledSessions.add(this.sessionKey(i));
      },
    };
  }
  async receipt(hash: string): Promise<TxOutcome> {
    if (!this.sent.includes(hash)) return this.outcomes.get(hash) ?? 'absent';
    return this.outcomes.get(hash) ?? 'success';
  }
}

describe('claiming fees', () => {
  const dir = tempDir();
  let store: Store;
  let ledger: IouLedger;
  let chain: FakeChain;
  let n = 0;
  const settings: ClaimSettings = { service: SERVICE, oneToN: ONE_TO_N, expireWithin: 7n * DAY, rdnPerEth: { numerator: 1n, denominator: 400n }, receiptWaitMs: 0 };
  const logs: string[] = [];
  const log = (level: string, message: string) => void logs.push(`${level}: ${message}`);

  async function put(i: number, amount: bigint, claimableUntil: bigint, oneToN: Address = ONE_TO_N): Promise<void> {
    assert.ok(await ledger.storeIfUnchanged({ sender: sender(i), claimableUntil, amount, signature: new Uint8Array(65), oneToN, chainId: 1n }, ledger.active(sender(i))));
  }

  beforeEach(async () => {
    if (store !== undefined) await closeStore(store);
    store = openStore(`${dir.path}/${n++}`);
    ledger = new IouLedger(store);
    chain = new FakeChain();
    logs.length = 0;
  });
  after(async () => {
    await closeStore(store);
    dir.cleanup();
  });

  it('costs gas × price × 1.1 / rdn-per-eth, rounded up', () => {
    // 50 000 gas × 10 wei × 1.1 = 550 000 wei of ETH; at 0.0025 ETH per RDN unit: 220 000 000
    assert.equal(claimCostRdn(50_000n, 10n, { numerator: 1n, denominator: 400n }), 220_000_000n);
    assert.equal(claimCostRdn(1n, 1n, { numerator: 3n, denominator: 1n }), 1n, 'rounded up');
  });

  it('claims the due, funded IOUs and skips the rest (the reference test: 8 IOUs, 4 due, 2 funded)', async () => {
    const big = 10n ** 12n;
    await put(1, big, NOW + 3n * DAY);
    await put(2, big, NOW + 4n * DAY);
    await put(3, big, NOW + 5n * DAY);
    await put(4, big, NOW + 6n * DAY);
    await put(5, big, NOW + 8n * DAY); // not expiring within the window
    await put(6, big, NOW + 30n * DAY);
    await put(7, big, NOW - 1n); // expired
    await put(8, big, NOW + 2n * DAY, sender(99)); // for another OneToN
    chain.balances.set(sender(1), big);
    chain.balances.set(sender(2), 10n ** 9n); // pays more than the claim costs
    chain.balances.set(sender(3), 1000n); // too little deposit
    const summary = await claimFees(ledger, chain, settings, log);
    assert.deepEqual(summary, {
      claimed: 2,
      claimedAmount: big + 10n ** 9n,
      reconciled: 0,
      skipped: { not_expiring_soon: 2, expired: 1, other_one_to_n: 1, below_claim_cost: 2 },
      failures: [],
    });
    assert.deepEqual(ledger.all().filter((i) => i.claimed).map((i) => i.sender), [sender(1), sender(2)]);
    assert.equal(chain.sent.length, 2);
    // a second run claims nothing again
    const again = await claimFees(ledger, chain, settings, log);
    assert.equal(again.claimed, 0);
    assert.equal(chain.sent.length, 2);
  });

  it('leaves a failed claim unclaimed and reports it', async () => {
    await put(1, 10n ** 12n, NOW + DAY);
    await put(2, 10n ** 12n, NOW + DAY);
    chain.balances.set(sender(1), 10n ** 12n);
    chain.balances.set(sender(2), 10n ** 12n);
    chain.outcomes.set('0x' + '1'.padStart(64, '0'), 'failed');
    chain.revert.set(sender(2), 'receiver not registered');
    const summary = await claimFees(ledger, chain, settings, log);
    assert.equal(summary.claimed, 0);
    assert.equal(summary.failures.length, 2);
    assert.match(summary.failures[0]!, /transaction 0x0+1 failed/);
    assert.match(summary.failures[1]!, /the dry run reverts \(receiver not registered\)/);
    const stored = ledger.get(sender(1), NOW + DAY)!;
    assert.equal(stored.claimed, false);
    assert.equal(stored.claimTx, null, 'the session is open again');
  });

  it('after a crash: marks a claim that went through without sending another, and retries one never sent', async () => {
    await put(1, 10n ** 12n, NOW + DAY);
    await put(2, 10n ** 12n, NOW + DAY);
    await put(3, 10n ** 12n, NOW + DAY);
    for (const i of [1, 2, 3]) chain.balances.set(sender(i), 10n ** 12n);
    // run 1 crashed: session 1 sent and mined, session 2 signed and recorded but never sent,
    // session 3 sent and mined but its receipt is gone (e.g. a pruned node): the session is settled
    ledger.markClaiming(sender(1), NOW + DAY, 10n ** 12n, '0xaa');
    chain.outcomes.set('0xaa', 'success');
    chain.settledSessions.add(`${sender(1)}/${NOW + DAY}`);
    ledger.markClaiming(sender(2), NOW + DAY, 10n ** 12n, '0xbb');
    ledger.markClaiming(sender(3), NOW + DAY, 10n ** 12n, '0xcc');
    chain.settledSessions.add(`${sender(3)}/${NOW + DAY}`);
    const summary = await claimFees(ledger, chain, settings, log);
    assert.equal(summary.reconciled, 2);
    assert.equal(summary.claimed, 1);
    assert.equal(chain.sent.length, 1, 'one transaction: session 2');
    assert.ok(ledger.all().every((i) => i.claimed));
  });

  it('does not touch a session whose earlier claim is still pending', async () => {
    await put(1, 10n ** 12n, NOW + DAY);
    chain.balances.set(sender(1), 10n ** 12n);
    ledger.markClaiming(sender(1), NOW + DAY, 10n ** 12n, '0xdd');
    chain.outcomes.set('0xdd', 'pending');
    const summary = await claimFees(ledger, chain, settings, log);
    assert.equal(chain.sent.length, 0);
    assert.equal(summary.failures.length, 1);
    assert.equal(ledger.get(sender(1), NOW + DAY)!.claimTx, '0xdd');
  });

  it('marks a session found settled by the dry run without a transaction', async () => {
    await put(1, 10n ** 12n, NOW + DAY);
    chain.balances.set(sender(1), 10n ** 12n);
    chain.settledSessions.add(`${sender(1)}/${NOW + DAY}`);
    const summary = await claimFees(ledger, chain, settings, log);
    assert.deepEqual([summary.claimed, summary.reconciled, chain.sent.length], [0, 1, 0]);
    assert.equal(ledger.get(sender(1), NOW + DAY)!.claimed, true);
  });
});
