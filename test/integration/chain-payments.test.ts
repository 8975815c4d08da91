import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Wallet, getBytes, solidityPacked } from 'ethers';
import { asAddress } from '../../src/domain/index.ts';
import { IouLedger } from '../../src/payments/index.ts';
import { closeStore, openStore } from '../../src/store/environment.ts';
import { Anvil, anvilUnavailable } from '../helpers/anvil.ts';
import { chainArgs, confirmedBlock, until } from '../helpers/chain-service.ts';
import { RaidenChain, contractsUnavailable } from '../helpers/raiden-contracts.ts';
import { RpcProxy } from '../helpers/rpc-proxy.ts';
import { ServiceProcess, TEST_SERVICE_KEY } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Paid route requests against the real UserDeposit and OneToN on anvil: the sequence of
 * the reference's test_payment (spec §10.7) over HTTP, GET payment/iou (§2.4) and /info
 * with chain data (§2.8). IOUs are signed the way a Raiden client does it (ethers
 * signMessage over the packed fields), independently of the service's own packing.
 */

const skip = anvilUnavailable() ?? contractsUnavailable();
if (skip !== null) process.stderr.write(`chain-payments: skipped: ${skip}\n`);

const FEE = 100n;
const CONFIRMATIONS = 2;
const SERVICE = '0xC2D7CF95645D33006175B78989035C7c9061d3F9';
const DAY = 86_400;

describe('paid route requests on a dev chain', { skip: skip ?? false }, () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'data');
  let anvil: Anvil;
  let chain: RaidenChain;
  let proxy: RpcProxy;
  let service: ServiceProcess;
  let a: Awaited<ReturnType<RaidenChain['addresses']>>;
  let tokenNetwork: string;
  let client: Wallet;
  let cu: number;

  /** A signed IOU as a Raiden client sends it. */
  async function iou(amount: bigint, o: { claimableUntil?: number | bigint; receiver?: string; chainId?: bigint; oneToN?: string; signer?: Wallet } = {}): Promise<Record<string, unknown> & { sender: string; signature: string }> {
    const signer = o.signer ?? client;
    const fields = {
      sender: signer.address,
      receiver: o.receiver ?? SERVICE,
      amount,
      claimable_until: o.claimableUntil ?? cu,
      one_to_n_address: o.oneToN ?? a.oneToN,
      chain_id: o.chainId ?? anvil.chainId,
    };
    const packed = solidityPacked(
      ['address', 'uint256', 'uint256', 'address', 'address', 'uint256', 'uint256'],
      [fields.one_to_n_address, fields.chain_id, 5n, fields.sender, fields.receiver, fields.amount, BigInt(fields.claimable_until)],
    );
    // a JSON number as a client sends it; above 2^53 a decimal string (accepted too, and exact)
    const wire = amount <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(amount) : amount.toString();
    const until = BigInt(fields.claimable_until);
    const claimableUntil = until <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(until) : until.toString();
    return { ...fields, amount: wire, claimable_until: claimableUntil, chain_id: Number(fields.chain_id), signature: await signer.signMessage(getBytes(packed)) };
  }

  async function pay(body: unknown): Promise<{ status: number; code: number | undefined; json: Record<string, unknown> }> {
    const r = await service.post(`/api/v1/${tokenNetwork}/paths`, { from: client.address, to: SERVICE, value: 1, iou: body });
    const json = r.json as Record<string, unknown>;
    return { status: r.status, code: json['error_code'] as number | undefined, json };
  }

  /** Mines until the service's pessimistic check (committed block − confirmations) sees `block`. */
  async function confirmed(block: number): Promise<void> {
    await anvil.mine(2 * CONFIRMATIONS);
    await until('the deposit block to be confirmed twice', async () => ((await confirmedBlock(service)) >= block + CONFIRMATIONS ? true : undefined));
  }

  async function lastIou(o: { timestamp?: string; signer?: Wallet; signature?: string } = {}) {
    const signer = o.signer ?? client;
    const timestamp = o.timestamp ?? new Date().toISOString().slice(0, 19);
    const signature = o.signature ?? (await signer.signMessage(getBytes(solidityPacked(['address', 'address', 'string'], [signer.address, SERVICE, timestamp]))));
    const q = new URLSearchParams({ sender: signer.address, receiver: SERVICE, timestamp, signature });
    return service.get(`/api/v1/${tokenNetwork}/payment/iou?${q}`);
  }

  before(async () => {
    anvil = await Anvil.start({ chainId: 1337n });
    chain = await RaidenChain.deploy(anvil.url, anvil.chainId);
    a = await chain.addresses();
    tokenNetwork = (await chain.createTokenNetwork()).tokenNetwork;
    client = await chain.wallet('paying-client');
    cu = (await anvil.latestTimestamp()) + 8 * DAY;
    proxy = await RpcProxy.start(anvil.url);
    service = await ServiceProcess.start({
      dataDir,
      chainId: anvil.chainId,
      privateKey: TEST_SERVICE_KEY,
      args: [...chainArgs(proxy.url, { registry: a.registry, userDeposit: a.userDeposit, oneToN: a.oneToN }, CONFIRMATIONS), '--service-fee', FEE.toString()],
    });
    await service.waitReady();
    await anvil.mine(CONFIRMATIONS);
    await until('the token network', async () => ((await pay(null)).code === 2101 ? true : undefined));
  });
  after(async () => {
    if (service !== undefined) assert.equal(await service.stop(), 0);
    await proxy?.close();
    chain?.provider.destroy();
    await anvil?.stop();
    dir.cleanup();
  });

  it('reports the chain data in /info v1 and v2', async () => {
    const v1 = (await service.get('/api/v1/info')).json as { price_info: unknown; network_info: Record<string, unknown>; payment_address: string };
    assert.equal(v1.price_info, 100);
    assert.deepEqual(
      { ...v1.network_info, confirmed_block: undefined },
      { chain_id: 1337, token_network_registry_address: a.registry, user_deposit_address: a.userDeposit, service_token_address: a.token, confirmed_block: undefined },
    );
    assert.equal(typeof (v1.network_info['confirmed_block'] as { number: unknown }).number, 'number');
    assert.equal(v1.payment_address, SERVICE);
    const v2 = (await service.get('/api/v2/info')).json as { price_info: unknown; network_info: { confirmed_block: { number: unknown } } };
    assert.equal(v2.price_info, '100');
    assert.equal(typeof v2.network_info.confirmed_block.number, 'string');
  });

  it('refuses IOUs in the reference order: 2103, 2107 until the deposit is confirmed, 2102, 2005, 2108, 2104', async () => {
    assert.equal((await pay(await iou(FEE, { claimableUntil: (await anvil.latestTimestamp()) + 75 }))).code, 2103);
    assert.equal((await pay(await iou(FEE))).code, 2107, 'no deposit');
    const deposited = await chain.depositToUdc(client, 2n * FEE);
    assert.equal((await pay(await iou(FEE))).code, 2107, 'deposited, not confirmed');
    await confirmed(deposited);
    const wrongReceiver = await pay(await iou(FEE, { receiver: client.address }));
    assert.equal(wrongReceiver.status, 400, 'the reference crashes with 500 here; we answer 400');
    assert.equal(wrongReceiver.code, 2102);
    assert.deepEqual(wrongReceiver.json['error_details'], { expected: SERVICE });
    assert.equal((await pay(await iou(FEE, { chainId: 2n }))).code, 2005);
    const wrongOneToN = await pay(await iou(FEE, { oneToN: '0x' + '01'.repeat(20) }));
    assert.equal(wrongOneToN.code, 2108);
    assert.deepEqual(wrongOneToN.json['error_details'], { expected: a.oneToN, got: '0x0101010101010101010101010101010101010101' });
    assert.equal((await pay(await iou(FEE - 1n))).code, 2104);
    assert.equal((await lastIou()).status, 404, 'nothing stored by refused payments');
  });

  it('takes payments, shows the last IOU, and follows the §10.7 sequence to 2106 and 2105', async () => {
    const first = await pay(await iou(FEE));
    assert.equal(first.status, 404, 'paid, and the route search itself found nothing (no presence): still charged');
    assert.equal(first.code, 2201);
    const shown = await lastIou();
    assert.equal(shown.status, 200);
    const last = (shown.json as { last_iou: Record<string, unknown> }).last_iou;
    assert.deepEqual({ ...last, signature: undefined }, { ...(await iou(FEE)), amount: 100, signature: undefined, receiver: SERVICE });
    assert.equal(last['chain_id'], 1337);
    assert.equal((await pay(await iou(FEE))).code, 2104, 'a replayed IOU');
    const low = await pay(await iou(2n * FEE));
    assert.equal(low.code, 2107);
    const block = Number((low.json['error_details'] as { block_number: number }).block_number);
    assert.deepEqual(low.json['error_details'], { required_deposit: 400, seen_deposit: 200, block_number: block });
    assert.ok(block >= (await anvil.blockNumber()) - CONFIRMATIONS - 1);
    await confirmed(await chain.depositToUdc(client, 4n * FEE));
    assert.equal((await pay(await iou(2n * FEE))).code, 2201, 'paid');
    const other = await pay(await iou(3n * FEE, { claimableUntil: cu + 1 }));
    assert.equal(other.code, 2106);
    assert.equal((other.json['error_details'] as { iou: { amount: number; claimed: boolean } }).iou.amount, 200);
    assert.equal((other.json['error_details'] as { iou: { amount: number; claimed: boolean } }).iou.claimed, false);
    // the session is claimed (as `pfs claim-fees` records it, from another process)
    const store = openStore(dataDir);
    try {
      assert.ok(new IouLedger(store).markClaimed(asAddress(client.address.toLowerCase()), BigInt(cu)));
    } finally {
      await closeStore(store);
    }
    assert.equal((await pay(await iou(3n * FEE))).code, 2105);
    assert.equal((await lastIou()).status, 404);
    assert.deepEqual((await lastIou()).json, { last_iou: null });
    assert.equal((await pay(await iou(FEE, { claimableUntil: cu + 2 }))).code, 2201, 'a new session');
  });

  it('answers hostile IOUs with their documented errors and charges none of them', async () => {
    const before = (await lastIou()).json;
    const good = await iou(FEE, { claimableUntil: cu + 3 });
    const cases: [unknown, number, unknown?][] = [
      [{ ...good, signature: '0x' + 'zz'.repeat(65) }, 2000, { iou: { signature: ['Not a valid hex string.'] } }],
      [{ ...good, signature: good.signature.slice(0, -2) }, 2001],
      [{ ...good, signature: '0x' }, 2001],
      [{ ...good, amount: '1' + '0'.repeat(80) }, 2000],
      [{ ...good, amount: -1 }, 2000],
      [{ ...good, chain_id: 2 ** 60 }, 2005],
      // a sender without a session (with one, any other claimable_until is 2106 first)
      [await iou(FEE, { claimableUntil: 2n ** 62n, signer: await chain.wallet('far-future') }), 2100],
      [{ ...good, sender: good.sender.toLowerCase() }, 2000],
      [{ ...good, extra: 1 }, 2000, { iou: { extra: ['Unknown field.'] } }],
      ['not an object', 2000, { iou: { _schema: ['Invalid input type.'] } }],
    ];
    for (const [body, code, details] of cases) {
      const r = await pay(body);
      assert.equal(r.code, code, JSON.stringify(body).slice(0, 120) + ' ' + JSON.stringify(r.json));
      if (details !== undefined) assert.deepEqual(r.json['error_details'], details);
    }
    assert.deepEqual((await lastIou()).json, before, 'nothing was stored');
    // the largest amount a uint256 holds: as in the reference only what is owed must be
    // covered by the deposit, so it is an (exact) overpayment the client signed
    const whale = await chain.wallet('whale');
    await confirmed(await chain.depositToUdc(whale, 2n * FEE));
    const r = await service.post(`/api/v1/${tokenNetwork}/paths`, { from: whale.address, to: SERVICE, value: 1, iou: await iou(2n ** 256n - 1n, { signer: whale }) });
    assert.equal((r.json as { error_code: number }).error_code, 2201, r.text);
    const shown = await lastIou({ signer: whale });
    assert.match(shown.text, /"amount": 115792089237316195423570985008687907853269984665640564039457584007913129639935,/);
  });

  it('checks the GET payment/iou request: signature (2001), age (2002), naive timestamp (2000)', async () => {
    const stranger = await chain.wallet('stranger');
    const forged = await lastIou({ signature: await stranger.signMessage('nonsense') });
    assert.equal((forged.json as { error_code: number }).error_code, 2001);
    const short = await lastIou({ signature: '0x' + '11'.repeat(64) });
    assert.equal((short.json as { error_code: number }).error_code, 2001);
    const old = await lastIou({ timestamp: new Date(Date.now() - 3700_000).toISOString().slice(0, 19) });
    assert.equal((old.json as { error_code: number }).error_code, 2002);
    const zoned = await lastIou({ timestamp: new Date().toISOString() });
    assert.equal((zoned.json as { error_code: number }).error_code, 2000);
    assert.deepEqual((zoned.json as { error_details: unknown }).error_details, { timestamp: ['Not a valid naive datetime.'] });
  });

  it('answers 503 without charging when the node cannot be asked for the deposit, and /v2/info fails', async () => {
    const before = await lastIou();
    // a new confirmed block: its deposit has not been read (reads are cached per block)
    const committed = await confirmedBlock(service);
    await anvil.mine(1);
    await until('a new confirmed block', async () => ((await confirmedBlock(service)) > committed ? true : undefined));
    await proxy.close();
    try {
      const r = await pay(await iou(FEE * 2n, { claimableUntil: cu + 2 }));
      assert.equal(r.status, 503);
      assert.equal(r.code, 2903);
      assert.equal((await service.get('/api/v2/info')).status, 500, 'v2 probes the node, as the reference');
      assert.equal((await service.get('/api/v1/info')).status, 200);
    } finally {
      await proxy.reopen();
    }
    assert.deepEqual((await lastIou()).json, before.json);
  });
});
