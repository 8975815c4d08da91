import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Wallet, getBytes, solidityPacked } from 'ethers';
import { asAddress } from '../../src/domain/index.ts';
import { IouLedger, iouKey } from '../../src/payments/index.ts';
import { closeStore, openStore } from '../../src/store/environment.ts';
import { Anvil, anvilUnavailable } from '../helpers/anvil.ts';
import { chainArgs, confirmedBlock, until } from '../helpers/chain-service.ts';
import { RaidenChain, contractsUnavailable, fundedWallet } from '../helpers/raiden-contracts.ts';
import { PROJECT_ROOT, ServiceProcess, TEST_SERVICE_KEY } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * `npx pfs claim-fees` against the real OneToN on anvil (spec §5.3): IOUs taken by the
 * service are claimed, tokens move in UserDeposit, the sessions are settled on chain and
 * marked claimed; a second run claims nothing; after a simulated crash a settled session is
 * recognised without a second transaction; a failing claim makes the exit code 1.
 */

const skip = anvilUnavailable() ?? contractsUnavailable();
if (skip !== null) process.stderr.write(`chain-claim: skipped: ${skip}\n`);

const FEE = 10n ** 15n;
const SERVICE = '0xC2D7CF95645D33006175B78989035C7c9061d3F9';
const DAY = 86_400;

/** Runs `npx pfs claim-fees ...`; resolves with the exit code and the output. */
function claimFees(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['--no-install', 'pfs', 'claim-fees', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PFS_PRIVATE_KEY: TEST_SERVICE_KEY } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('pfs claim-fees on a dev chain', { skip: skip ?? false }, () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'data');
  let anvil: Anvil;
  let chain: RaidenChain;
  let a: Awaited<ReturnType<RaidenChain['addresses']>>;
  let cu: number;
  let clients: Wallet[];
  let claimArgs: string[];

  async function signIou(client: Wallet, amount: bigint, claimableUntil: number) {
    const packed = solidityPacked(
      ['address', 'uint256', 'uint256', 'address', 'address', 'uint256', 'uint256'],
      [a.oneToN, anvil.chainId, 5n, client.address, SERVICE, amount, claimableUntil],
    );
    return { sender: client.address, receiver: SERVICE, amount: amount.toString(), claimable_until: claimableUntil, one_to_n_address: a.oneToN, chain_id: Number(anvil.chainId), signature: await client.signMessage(getBytes(packed)) };
  }

  function withLedger<T>(f: (ledger: IouLedger) => T): Promise<T> {
    const store = openStore(dataDir);
    return Promise.resolve(f(new IouLedger(store))).finally(() => closeStore(store));
  }

  /** The paid service on this chain and data dir. */
  function startService(): Promise<ServiceProcess> {
    return ServiceProcess.start({
      dataDir,
      chainId: anvil.chainId,
      args: [...chainArgs(anvil.url, { registry: a.registry, userDeposit: a.userDeposit, oneToN: a.oneToN }, 0), '--service-fee', FEE.toString()],
    });
  }

  before(async () => {
    anvil = await Anvil.start({ chainId: 1337n });
    chain = await RaidenChain.deploy(anvil.url, anvil.chainId);
    a = await chain.addresses();
    const { tokenNetwork } = await chain.createTokenNetwork();
    clients = [await chain.wallet('claim-a'), await chain.wallet('claim-b')];
    for (const c of clients) await chain.depositToUdc(c, 10n * FEE);
    await anvil.mine(5);
    cu = (await anvil.latestTimestamp()) + 8 * DAY;
    // the service takes two payments from each client through its API
    const service = await startService();
    try {
      await service.waitReady();
      await until('the token network', async () => ((await confirmedBlock(service)) >= (await anvil.blockNumber()) ? true : undefined));
      for (const c of clients) {
        for (const amount of [FEE, 2n * FEE]) {
          const r = await service.post(`/api/v1/${tokenNetwork}/paths`, { from: c.address, to: SERVICE, value: 1, iou: await signIou(c, amount, cu) });
          assert.equal((r.json as { error_code: number }).error_code, 2201, r.text);
        }
      }
    } finally {
      assert.equal(await service.stop(), 0);
    }
    // cost: about 70 000 gas × ~1 gwei × 1.1 / 1 = 8e13 base units, below the 2e15 owed
    claimArgs = ['--eth-rpc', anvil.url, '--one-to-n', a.oneToN, '--data-dir', dataDir, '--expire-within', String(10 * DAY), '--rdn-per-eth', '1'];
  });
  after(async () => {
    chain?.provider.destroy();
    await anvil?.stop();
    dir.cleanup();
  });

  it('fails (exit 1) while the service is not registered: OneToN refuses claims for it', async () => {
    const r = await claimFees(claimArgs);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /claim dry run reverts/);
    assert.equal(await withLedger((l) => l.all().filter((i) => i.claimed).length), 0);
  });

  it('claims every due IOU: tokens move in UserDeposit and the sessions are marked claimed', async () => {
    await chain.registerService(await fundedWallet(chain.provider, TEST_SERVICE_KEY));
    const before = await Promise.all(clients.map((c) => chain.udcBalance(c.address)));
    assert.equal(await chain.udcBalance(SERVICE), 0n);
    const r = await claimFees(claimArgs);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /claim-fees done.*claimed=2/);
    assert.equal(await chain.udcBalance(SERVICE), 4n * FEE, 'two sessions of 2 × fee');
    const after = await Promise.all(clients.map((c) => chain.udcBalance(c.address)));
    assert.deepEqual(after, before.map((b) => b - 2n * FEE));
    const stored = await withLedger((l) => l.all());
    assert.deepEqual(stored.map((i) => [i.amount, i.claimed, i.claimTx]), [[2n * FEE, true, null], [2n * FEE, true, null]]);
  });

  it("the service's reference metrics count the claimed IOUs and their amount", async () => {
    const service = await startService();
    try {
      await service.waitReady();
      const text = (await service.get('/metrics')).text;
      const value = (name: string): number => {
        const line = text.split('\n').find((l) => l.startsWith(`${name}{iou_status="successful"} `));
        assert.ok(line !== undefined, `${name} in:\n${text}`);
        return Number(line.slice(line.lastIndexOf(' ') + 1));
      };
      assert.equal(value('economics_iou_claims_total'), 2);
      assert.equal(value('economics_iou_claims_token_total'), Number(4n * FEE));
    } finally {
      assert.equal(await service.stop(), 0);
    }
  });

  it('claims nothing twice: a second run, and a run after a crash that lost the "claimed" mark', async () => {
    const again = await claimFees(claimArgs);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /claimed=0/);
    // a crash after the claim was mined but before it was recorded: the ledger still says
    // "unclaimed, claim transaction recorded" (here one the node never saw)
    const client = asAddress(clients[0]!.address.toLowerCase());
    const store = openStore(dataDir);
    try {
      const ledger = new IouLedger(store);
      const iou = ledger.ofSender(client)[0]!;
      store.dbs.ious.removeSync(iouKey(client, iou.claimableUntil));
      assert.ok(await ledger.storeIfUnchanged(iou, null));
      assert.ok(ledger.markClaiming(client, iou.claimableUntil, iou.amount, '0x' + 'ee'.repeat(32)));
    } finally {
      await closeStore(store);
    }
    const balance = await chain.udcBalance(SERVICE);
    const nonce = await chain.provider.getTransactionCount(SERVICE);
    const recovered = await claimFees(claimArgs);
    assert.equal(recovered.code, 0, recovered.output);
    assert.match(recovered.output, /reconciled=1/);
    assert.equal(await chain.provider.getTransactionCount(SERVICE), nonce, 'no transaction sent');
    assert.equal(await chain.udcBalance(SERVICE), balance);
    assert.ok(await withLedger((l) => l.all().every((i) => i.claimed && i.claimTx === null)));
  });
});
