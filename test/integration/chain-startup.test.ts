import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { Anvil, anvilUnavailable } from '../helpers/anvil.ts';
import { chainArgs, readiness } from '../helpers/chain-service.ts';
import { RaidenChain, contractsUnavailable, fundedWallet } from '../helpers/raiden-contracts.ts';
import { ServiceProcess, TEST_SERVICE_KEY } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Start-up checks against the real contracts (issue 4, part 2): the ServiceRegistry
 * registration is reported loudly when missing and disappears once registered; contracts
 * that are not there, and a data dir made for other contracts, stop the start with exit 1.
 */

const skip = anvilUnavailable() ?? contractsUnavailable();
if (skip !== null) process.stderr.write(`chain-startup: skipped: ${skip}\n`);

describe('start-up checks on a dev chain', { skip: skip ?? false }, () => {
  const dir = tempDir();
  let anvil: Anvil;
  let chain: RaidenChain;
  let contracts: { registry: string; userDeposit: string; oneToN: string; serviceRegistry: string };

  before(async () => {
    anvil = await Anvil.start({ chainId: 1337n });
    chain = await RaidenChain.deploy(anvil.url, anvil.chainId);
    const a = await chain.addresses();
    contracts = { registry: a.registry, userDeposit: a.userDeposit, oneToN: a.oneToN, serviceRegistry: a.serviceRegistry };
  });
  after(async () => {
    chain?.provider.destroy();
    await anvil?.stop();
    dir.cleanup();
  });

  it('warns loudly about a missing registration, in the log and in /ready, until the service registers', async () => {
    const data = join(dir.path, 'registration');
    // the ServiceRegistry is found through OneToN when not given
    const args = chainArgs(anvil.url, { registry: contracts.registry, oneToN: contracts.oneToN }, 0);
    const first = await ServiceProcess.start({ dataDir: data, chainId: 1337n, args });
    await first.waitReady();
    const r = await readiness(first);
    assert.equal(r.status, 200, 'an unregistered service still serves');
    assert.equal(r.body.warnings?.length, 1);
    assert.match(r.body.warnings![0]!, /has no valid registration in the ServiceRegistry/);
    assert.match(first.log, /ERROR +NOT REGISTERED: this service \(0xC2D7CF95645D33006175B78989035C7c9061d3F9\)/);
    const info = (await first.get('/api/v1/info')).json as { network_info: { user_deposit_address: string; service_token_address: string } };
    assert.equal(info.network_info.user_deposit_address, contracts.userDeposit, 'resolved through OneToN');
    assert.equal(info.network_info.service_token_address, (await chain.addresses()).token);
    assert.equal(await first.stop(), 0);

    await chain.registerService(await fundedWallet(chain.provider, TEST_SERVICE_KEY));
    const second = await ServiceProcess.start({ dataDir: data, chainId: 1337n, args });
    await second.waitReady();
    assert.deepEqual((await readiness(second)).body, { ready: true });
    assert.doesNotMatch(second.log, /NOT REGISTERED/);
    assert.equal(await second.stop(), 0);
  });

  it('refuses a contract address without code (exit 1)', async () => {
    const nobody = new Wallet(TEST_SERVICE_KEY).address;
    const s = await ServiceProcess.start({ dataDir: join(dir.path, 'nocode'), chainId: 1337n, args: chainArgs(anvil.url, { registry: contracts.registry, oneToN: nobody }, 0) });
    assert.equal((await s.exited).code, 1);
    assert.match(s.log, /CRITICAL +no contract at --one-to-n \(OneToN\) 0xC2D7CF95645D33006175B78989035C7c9061d3F9 on chain 1337/);
  });

  it('refuses a data dir created for another registry (exit 1)', async () => {
    const data = join(dir.path, 'identity');
    const s = await ServiceProcess.start({ dataDir: data, chainId: 1337n, args: chainArgs(anvil.url, { registry: contracts.registry }, 0) });
    await s.waitReady();
    assert.equal(await s.stop(), 0);
    const other = await RaidenChain.deploy(anvil.url, anvil.chainId);
    const otherRegistry = (await other.addresses()).registry;
    other.provider.destroy();
    const again = await ServiceProcess.start({ dataDir: data, chainId: 1337n, args: chainArgs(anvil.url, { registry: otherRegistry }, 0) });
    assert.equal((await again.exited).code, 1);
    assert.match(again.log, /belongs to registry 0x[0-9a-f]{40}, not 0x[0-9a-f]{40}; use another --data-dir/);
  });
});
