import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { type Address, asAddress, toChecksumAddress } from '../../src/domain/index.ts';
import type { EnvelopeError, IouFields } from '../../src/http/index.ts';
import { IouLedger, MAX_IOU_EXPIRY_SECONDS, MIN_IOU_EXPIRY_SECONDS, PaymentDesk, type PaymentOutcome, type PaymentStart } from '../../src/payments/index.ts';
import { type KeyPair, eip191Hash, keyPair, packIou, signHash } from '../../src/protocol/index.ts';
import { type Store, closeStore, openStore } from '../../src/store/environment.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The payment desk (spec §5.2) against a real LMDB ledger and a scripted deposit: each
 * check in the reference order with its error and details, the sequence of the
 * reference's test_payment (§10.7) at the unit level, strict per-sender serialisation,
 * and a concurrent claim (another process) that the final write notices.
 */

const CHAIN = 131277322940537n;
const SERVICE = asAddress('0xc2d7cf95645d33006175b78989035c7c9061d3f9');
const ONE_TO_N = asAddress('0x' + '0a'.repeat(20));
const FEE = 100n;
const NOW = 1_700_000_000n;
const CU = NOW + MIN_IOU_EXPIRY_SECONDS + 3600n;

const sender = keyPair(Buffer.alloc(32, 1));
const other = keyPair(Buffer.alloc(32, 3));

function iou(signer: KeyPair, amount: bigint, o: Partial<Omit<IouFields, 'signature' | 'amount'>> = {}): IouFields {
  const fields = { sender: signer.address, receiver: SERVICE, amount, claimableUntil: CU, oneToNAddress: ONE_TO_N, chainId: CHAIN, claimed: null, ...o };
  const packed = packIou({ oneToN: fields.oneToNAddress, chainId: fields.chainId, sender: fields.sender, receiver: fields.receiver, amount, claimableUntil: fields.claimableUntil }) as Uint8Array;
  return { ...fields, signature: signHash(signer, eip191Hash(packed)) };
}

/** The final outcome: the refusal, or what the write became. */
async function settled(p: Promise<PaymentStart>): Promise<PaymentOutcome> {
  const s = await p;
  return s.ok ? s.committed : s;
}

function code(o: PaymentOutcome): number {
  return o.ok ? 0 : o.error.code;
}

function details(o: PaymentOutcome): unknown {
  return JSON.parse(JSON.stringify((o as { error: EnvelopeError }).error.details, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

describe('the payment desk', () => {
  const dir = tempDir();
  let store: Store;
  let ledger: IouLedger;
  /** effectiveBalance per block; reads counted. */
  let balances: Map<number, bigint>;
  let reads: string[];
  let latest: number;
  let beforeRead: () => Promise<void>;
  let desk: PaymentDesk;
  let n = 0;

  beforeEach(async () => {
    if (store !== undefined) await closeStore(store);
    store = openStore(`${dir.path}/${n++}`);
    ledger = new IouLedger(store);
    balances = new Map();
    reads = [];
    latest = 100;
    beforeRead = async () => undefined;
    desk = new PaymentDesk(
      { serviceFee: FEE, service: SERVICE, chainId: CHAIN, oneToN: ONE_TO_N, confirmations: 5 },
      {
        ledger,
        nowSeconds: () => NOW,
        latestBlock: () => latest,
        effectiveBalance: async (owner: Address, block: number) => {
          reads.push(`${owner}@${block}`);
          await beforeRead();
          const b = balances.get(block);
          if (b === undefined) throw new Error(`no state for block ${block}`);
          return owner === sender.address ? b : 0n;
        },
      },
    );
  });
  after(async () => {
    await closeStore(store);
    dir.cleanup();
  });

  const funded = (amount: bigint) => {
    for (let b = 0; b <= 200; b++) balances.set(b, amount);
  };

  it('runs the checks in the reference order with their codes', async () => {
    funded(1000n);
    assert.equal(code(await settled(desk.pay(null))), 2101);
    const wrongAll = iou(sender, FEE, { receiver: other.address, chainId: 2n, oneToNAddress: other.address });
    assert.equal(code(await settled(desk.pay(wrongAll))), 2102, 'receiver first');
    assert.deepEqual(details(await settled(desk.pay(wrongAll))), { expected: toChecksumAddress(SERVICE) });
    assert.equal(code(await settled(desk.pay(iou(sender, FEE, { chainId: 2n, oneToNAddress: other.address })))), 2005, 'then the chain id');
    assert.deepEqual(details(await settled(desk.pay(iou(sender, FEE, { chainId: 2n })))), { expected: CHAIN.toString() });
    const o = await settled(desk.pay(iou(sender, FEE, { oneToNAddress: other.address })));
    assert.equal(code(o), 2108);
    assert.deepEqual(details(o), { expected: toChecksumAddress(ONE_TO_N), got: toChecksumAddress(other.address) });
    const forged = { ...iou(other, FEE), sender: sender.address };
    assert.equal(code(await settled(desk.pay(forged))), 2001);
    const badLength = { ...iou(sender, FEE), signature: new Uint8Array(64) };
    assert.equal(code(await settled(desk.pay(badLength))), 2001);
    assert.deepEqual(ledger.all(), [], 'nothing stored by a refused payment');
  });

  it('refuses sessions that end too early or absurdly late', async () => {
    funded(1000n);
    const early = await settled(desk.pay(iou(sender, FEE, { claimableUntil: NOW + 75n })));
    assert.equal(code(early), 2103);
    assert.deepEqual(details(early), { min_expiry: (NOW + MIN_IOU_EXPIRY_SECONDS).toString(), claimable_until_received: (NOW + 75n).toString() });
    assert.equal(code(await settled(desk.pay(iou(sender, FEE, { claimableUntil: NOW - 1n })))), 2103, 'in the past');
    const late = await settled(desk.pay(iou(sender, FEE, { claimableUntil: 2n ** 256n - 1n })));
    assert.equal(code(late), 2100);
    assert.deepEqual(details(late), { max_expiry: (NOW + MAX_IOU_EXPIRY_SECONDS).toString(), claimable_until_received: (2n ** 256n - 1n).toString() });
    assert.equal(code(await settled(desk.pay(iou(sender, FEE, { claimableUntil: NOW + MAX_IOU_EXPIRY_SECONDS })))), 0, 'the bound itself is fine');
  });

  it('follows the sequence of test_payment (§10.7)', async () => {
    // no deposit: 2107
    for (let b = 0; b <= 200; b++) balances.set(b, 0n);
    let o = await settled(desk.pay(iou(sender, FEE)));
    assert.equal(code(o), 2107);
    assert.deepEqual(details(o), { required_deposit: '200', seen_deposit: '0', block_number: '100' });
    // deposit 2 x fee seen only at the latest block, not `confirmations` blocks before: still 2107
    balances.set(100, 2n * FEE);
    o = await settled(desk.pay(iou(sender, FEE)));
    assert.equal(code(o), 2107, 'the pessimistic check takes the lower balance');
    // confirmed: pay the fee
    latest = 110;
    for (let b = 100; b <= 200; b++) balances.set(b, 2n * FEE);
    assert.equal(code(await settled(desk.pay(iou(sender, FEE)))), 0);
    assert.equal(ledger.active(sender.address)?.amount, FEE);
    // the same IOU again: 2104
    o = await settled(desk.pay(iou(sender, FEE)));
    assert.equal(code(o), 2104);
    assert.deepEqual(details(o), { expected_amount: '200', actual_amount: '100' });
    // 2 x fee owed now needs 4 x fee deposited
    o = await settled(desk.pay(iou(sender, 2n * FEE)));
    assert.deepEqual(details(o), { required_deposit: '400', seen_deposit: '200', block_number: '110' });
    for (let b = 100; b <= 200; b++) balances.set(b, 4n * FEE);
    latest = 111;
    assert.equal(code(await settled(desk.pay(iou(sender, 2n * FEE)))), 0);
    // a new claimable_until while a session is active: 2106 with the active IOU
    o = await settled(desk.pay(iou(sender, 3n * FEE, { claimableUntil: CU + 1n })));
    assert.equal(code(o), 2106);
    const shown = (details(o) as { iou: Record<string, unknown> }).iou;
    assert.equal(shown['amount'], '200');
    assert.equal(shown['claimed'], false);
    assert.equal(shown['claimable_until'], CU.toString());
    // claimed: the old claimable_until is refused, a new session is welcome
    assert.ok(ledger.markClaimed(sender.address, CU));
    assert.equal(code(await settled(desk.pay(iou(sender, 3n * FEE)))), 2105);
    assert.equal(code(await settled(desk.pay(iou(sender, FEE, { claimableUntil: CU + 1n })))), 0);
    assert.deepEqual(ledger.ofSender(sender.address).map((i) => [i.claimableUntil - CU, i.amount, i.claimed]), [[0n, 200n, true], [1n, 100n, false]]);
  });

  it('serialises one sender: two concurrent requests never spend the same increment', async () => {
    funded(10_000n);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    beforeRead = () => gate;
    const a = settled(desk.pay(iou(sender, FEE)));
    const b = settled(desk.pay(iou(sender, FEE)));
    const c = settled(desk.pay(iou(sender, 2n * FEE)));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(reads.length, 2, 'only the first request reads the deposit while it is in progress');
    release();
    assert.deepEqual((await Promise.all([a, b, c])).map(code), [0, 2104, 0]);
    assert.equal(ledger.active(sender.address)?.amount, 2n * FEE);
  });

  it('notices a claim by another process during the checks and answers from the new state', async () => {
    funded(10_000n);
    assert.equal(code(await settled(desk.pay(iou(sender, FEE)))), 0);
    latest = 120;
    beforeRead = async () => {
      // claim-fees (another process) takes the session while the deposit is being read
      if (ledger.active(sender.address) !== null) ledger.markClaiming(sender.address, CU, FEE, '0xabc');
    };
    const o = await settled(desk.pay(iou(sender, 2n * FEE)));
    assert.equal(code(o), 2105, 'the session is being claimed: start a new one');
    const stored = ledger.get(sender.address, CU)!;
    assert.equal(stored.amount, FEE, 'the claimed amount was not overwritten');
    assert.equal(stored.claimTx, '0xabc');
  });

  it('reads each (sender, block) deposit once and answers 503 when the node fails, charging nothing', async () => {
    funded(10_000n);
    await settled(desk.pay(iou(sender, FEE)));
    await settled(desk.pay(iou(sender, 2n * FEE)));
    assert.deepEqual(reads, [`${sender.address}@95`, `${sender.address}@100`]);
    latest = 300;
    const o = await settled(desk.pay(iou(sender, 3n * FEE)));
    assert.equal(code(o), 2903);
    assert.equal((o as { error: EnvelopeError }).error.status, 503);
    assert.equal(ledger.active(sender.address)?.amount, 2n * FEE);
  });
});
