import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { id as topicOf } from 'ethers';
import { Anvil, anvilUnavailable } from '../helpers/anvil.ts';
import { RaidenChain, contractsUnavailable } from '../helpers/raiden-contracts.ts';

/**
 * Smoke test of the dev-chain harness: anvil starts, the real Raiden contracts deploy in
 * the upstream order, and the transactions the service tests rely on emit the events the
 * service follows (spec §7.1), with the topics of ms-reference §2.1.
 */

const skip = anvilUnavailable() ?? contractsUnavailable();
if (skip !== null) process.stderr.write(`chain-contracts: skipped: ${skip}\n`);

describe('anvil with the Raiden contracts 0.50.2', { skip: skip ?? false }, () => {
  let anvil: Anvil;
  let chain: RaidenChain;
  before(async () => {
    anvil = await Anvil.start({ chainId: 4321n });
    chain = await RaidenChain.deploy(anvil.url, anvil.chainId);
  });
  after(async () => {
    chain?.provider.destroy();
    await anvil?.stop();
  });

  it('wires UserDeposit, OneToN and the ServiceRegistry together', async () => {
    const a = await chain.addresses();
    assert.equal(await chain.userDeposit['one_to_n_address']!(), a.oneToN);
    assert.equal(await chain.userDeposit['msc_address']!(), a.monitoringService);
    assert.equal(await chain.userDeposit['token']!(), a.token);
    assert.equal(await chain.oneToN['chain_id']!(), 4321n);
    assert.equal(await chain.oneToN['service_registry_contract']!(), a.serviceRegistry);
  });

  it('emits TokenNetworkCreated, ChannelOpened, ChannelClosed and ChannelSettled with the reference topics', async () => {
    const { tokenNetwork } = await chain.createTokenNetwork();
    const p1 = await chain.wallet('p1');
    const p2 = await chain.wallet('p2');
    const { id } = await chain.openChannel(tokenNetwork, p1.address, p2.address);
    assert.equal(id, 1n);
    await chain.closeChannel(tokenNetwork, id, p1, p2.address);
    await chain.settleChannel(tokenNetwork, id, p1.address, p2.address);
    const logs = (await chain.provider.send('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest', address: [await chain.registry.getAddress(), tokenNetwork] }])) as { topics: string[] }[];
    const topics = logs.map((l) => l.topics[0]);
    assert.deepEqual(topics, [
      '0x16a2f408238dc0c22c8873be71a8ff6d7c731ee52e1955ffc4927a622b30f88f',
      '0x55bc5cbdb280ba924235746821de33542a878e786d67a54fd0a95bd640193844',
      '0x09d2f946e008c38931cd739dd20e35146deff8ab3134caee6d54fe50816a81b8',
      '0x5e973099ee6bae497f110b6b50e988c2a10decca1eb93982a42af12f297fc91c',
    ]);
    assert.equal(topics[0], topicOf('TokenNetworkCreated(address,address,uint256)'));
  });

  it('funds UserDeposit and registers a service', async () => {
    const user = await chain.wallet('udc-user');
    await chain.depositToUdc(user, 10n);
    assert.equal(await chain.udcBalance(user.address), 10n);
    assert.equal(await chain.userDeposit['effectiveBalance']!(user.address), 10n);
    const service = await chain.wallet('service');
    assert.equal(await chain.serviceRegistry['hasValidRegistration']!(service.address), false);
    await chain.registerService(service);
    assert.equal(await chain.serviceRegistry['hasValidRegistration']!(service.address), true);
  });

  it('moves the head backwards on evm_revert', async () => {
    const snapshot = await anvil.snapshot();
    const before = await anvil.blockNumber();
    await anvil.mine(5);
    assert.equal(await anvil.blockNumber(), before + 5);
    await anvil.revert(snapshot);
    assert.equal(await anvil.blockNumber(), before);
  });
});
