import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Anvil, anvilUnavailable } from '../helpers/anvil.ts';
import { channelCount, chainArgs, confirmedBlock, readiness, until } from '../helpers/chain-service.ts';
import { RaidenChain, contractsUnavailable } from '../helpers/raiden-contracts.ts';
import { RpcProxy } from '../helpers/rpc-proxy.ts';
import { ServiceProcess } from '../helpers/service-process.ts';
import { dumpRoutingState } from '../helpers/store-dump.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The chain source against anvil with the real Raiden contracts (issue 4, part 1): token
 * networks and channels are followed only in confirmed blocks, the service keeps serving
 * while the node is away and catches up when it is back, a head that moves backwards
 * leaves the cursor alone, and a kill -9 in the middle of a sync ends, after a restart, in
 * exactly the state of an uninterrupted sync.
 */

const skip = anvilUnavailable() ?? contractsUnavailable();
if (skip !== null) process.stderr.write(`chain-follower: skipped: ${skip}\n`);

const CONFIRMATIONS = 2;

describe('following a live chain', { skip: skip ?? false }, () => {
  const dir = tempDir();
  let anvil: Anvil;
  let chain: RaidenChain;
  let proxy: RpcProxy;
  let service: ServiceProcess;
  let registry: string;

  before(async () => {
    anvil = await Anvil.start({ chainId: 1337n });
    chain = await RaidenChain.deploy(anvil.url, anvil.chainId);
    proxy = await RpcProxy.start(anvil.url);
    registry = (await chain.addresses()).registry;
    service = await ServiceProcess.start({ dataDir: join(dir.path, 'live'), chainId: anvil.chainId, args: chainArgs(proxy.url, { registry }, CONFIRMATIONS) });
    await service.waitReady();
  });
  after(async () => {
    if (service !== undefined) assert.equal(await service.stop(), 0, 'SIGTERM stops the service with exit code 0');
    await proxy?.close();
    chain?.provider.destroy();
    await anvil?.stop();
    dir.cleanup();
  });

  let tokenNetwork: string;
  it('learns of a token network only once its block has the configured confirmations', async () => {
    const created = await chain.createTokenNetwork();
    tokenNetwork = created.tokenNetwork;
    const path = `/api/v1/${tokenNetwork}/paths`;
    const request = { from: '0x' + '11'.repeat(20), to: '0x' + '22'.repeat(20), value: 1 };
    // the service polls every 100 ms: give it several rounds to (wrongly) see the block
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await service.post(path, request)).status, 400);
    assert.equal(((await service.post(path, request)).json as { error_code: number }).error_code, 2004);
    assert.equal(await confirmedBlock(service), created.block - CONFIRMATIONS);
    await anvil.mine(CONFIRMATIONS);
    await until('the confirmed block to reach the creation', async () => ((await confirmedBlock(service)) >= created.block ? true : undefined));
    const known = await service.post(path, request);
    assert.notEqual((known.json as { error_code: number }).error_code, 2004, known.text);
  });

  it('adds a channel at ChannelOpened and removes it at ChannelClosed, each after the confirmations', async () => {
    const p1 = await chain.wallet('follow-p1');
    const p2 = await chain.wallet('follow-p2');
    const opened = await chain.openChannel(tokenNetwork, p1.address, p2.address);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await channelCount(service, tokenNetwork), 0, 'not confirmed yet');
    await anvil.mine(CONFIRMATIONS);
    await until('the channel to open', async () => ((await channelCount(service, tokenNetwork)) === 1 ? true : undefined));
    assert.ok((await confirmedBlock(service)) >= opened.block);
    const closed = await chain.closeChannel(tokenNetwork, opened.id, p1, p2.address);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await channelCount(service, tokenNetwork), 1, 'the close is not confirmed yet');
    await anvil.mine(CONFIRMATIONS);
    await until('the channel to close', async () => ((await channelCount(service, tokenNetwork)) === 0 ? true : undefined));
    assert.ok((await confirmedBlock(service)) >= closed);
  });

  it('keeps serving while the node is away, says why it is not ready, and catches up when it is back', async () => {
    await proxy.close();
    const down = await until('/ready to report the node failure', async () => {
      const r = await readiness(service);
      return r.status === 503 && /Ethereum node failed/.test(r.body.reason ?? '') ? r : undefined;
    });
    assert.equal(down.body.ready, false);
    const before = await confirmedBlock(service);
    assert.equal((await service.get('/api/v1/info')).status, 200, 'the API keeps answering');
    // the chain moves on meanwhile
    const a = await chain.wallet('away-a');
    const b = await chain.wallet('away-b');
    const opened = await chain.openChannel(tokenNetwork, a.address, b.address);
    await anvil.mine(CONFIRMATIONS);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await confirmedBlock(service), before);
    await proxy.reopen();
    await until('/ready to be back', async () => ((await readiness(service)).status === 200 ? true : undefined), 40_000, service);
    assert.equal(await channelCount(service, tokenNetwork), 1);
    assert.ok((await confirmedBlock(service)) >= opened.block);
    assert.match(service.log, /the Ethereum node answers again/);
  });

  it('never moves the cursor back when the head moves backwards, and goes on once the chain passes it', async () => {
    const snapshot = await anvil.snapshot();
    await anvil.mine(10);
    const head = await anvil.blockNumber();
    await until('the service to reach the head', async () => ((await confirmedBlock(service)) === head - CONFIRMATIONS ? true : undefined));
    const committed = head - CONFIRMATIONS;
    await anvil.revert(snapshot);
    assert.ok((await anvil.blockNumber()) < committed - CONFIRMATIONS);
    const behind = await until('/ready to report the head behind the cursor', async () => {
      const r = await readiness(service);
      return r.status === 503 && /moved backwards/.test(r.body.reason ?? '') ? r : undefined;
    });
    assert.match(behind.body.reason!, new RegExp(`below the committed block ${committed}`));
    assert.equal(await confirmedBlock(service), committed, 'the confirmed block does not go back');
    // the chain grows past the committed block again: new events there are applied
    const channelsBefore = await channelCount(service, tokenNetwork);
    await anvil.mine(committed + 1 - (await anvil.blockNumber()));
    const c = await chain.wallet('after-revert-c');
    const d = await chain.wallet('after-revert-d');
    const opened = await chain.openChannel(tokenNetwork, c.address, d.address);
    assert.ok(opened.block > committed);
    await anvil.mine(CONFIRMATIONS);
    await until('the new channel', async () => ((await channelCount(service, tokenNetwork)) === channelsBefore + 1 ? true : undefined));
    assert.equal((await readiness(service)).status, 200);
    assert.ok((await confirmedBlock(service)) >= opened.block);
  });

  it('refuses a node on another chain, at start (exit 1 with a clear message)', async () => {
    const other = await ServiceProcess.start({ dataDir: join(dir.path, 'other'), chainId: 99n, args: chainArgs(proxy.url, { registry }, CONFIRMATIONS) });
    const { code } = await other.exited;
    assert.equal(code, 1);
    assert.match(other.log, /the Ethereum node is on chain 1337, but --chain-id says 99/);
  });

  it('refuses an unreachable node at start (exit 1)', async () => {
    const other = await ServiceProcess.start({ dataDir: join(dir.path, 'unreachable'), chainId: 1337n, args: chainArgs('http://127.0.0.1:1', { registry }, CONFIRMATIONS) });
    const { code } = await other.exited;
    assert.equal(code, 1);
    assert.match(other.log, /Can not connect to the Ethereum client at http:\/\/127\.0\.0\.1:1/);
  });
});

describe('kill -9 in the middle of a sync', { skip: skip ?? false }, () => {
  const dir = tempDir();
  let anvil: Anvil;
  let chain: RaidenChain;
  let registry: string;
  let head = 0;

  before(async () => {
    anvil = await Anvil.start({ chainId: 1337n });
    chain = await RaidenChain.deploy(anvil.url, anvil.chainId);
    registry = (await chain.addresses()).registry;
    const networks = [(await chain.createTokenNetwork()).tokenNetwork, (await chain.createTokenNetwork()).tokenNetwork];
    const wallets = await Promise.all(Array.from({ length: 6 }, (_, i) => chain.wallet(`sync-${i}`)));
    for (let i = 0; i < wallets.length; i++) {
      for (let j = i + 1; j < wallets.length; j++) {
        const network = networks[(i + j) % 2]!;
        const { id } = await chain.openChannel(network, wallets[i]!.address, wallets[j]!.address);
        if ((i + j) % 4 === 0) await chain.closeChannel(network, id, wallets[i]!, wallets[j]!.address);
        await anvil.mine(2);
      }
    }
    head = await anvil.blockNumber();
  });
  after(async () => {
    chain?.provider.destroy();
    await anvil?.stop();
    dir.cleanup();
  });

  it('ends in the same stored state as an uninterrupted sync', async () => {
    const args = (url: string) => chainArgs(url, { registry }, CONFIRMATIONS);
    const reference = await ServiceProcess.start({ dataDir: join(dir.path, 'reference'), chainId: 1337n, args: args(anvil.url) });
    await reference.waitReady(60_000);
    assert.equal(await confirmedBlock(reference), head - CONFIRMATIONS);
    assert.equal(await reference.stop(), 0);

    // like many hosted nodes, this one refuses eth_getLogs over more than a few blocks: the
    // sync adapts its range (÷5 on refusal, ×2 after fast rounds) and takes many rounds
    const proxy = await RpcProxy.start(anvil.url);
    proxy.intercept = (method, _n, params) => {
      const range = method === 'eth_getLogs' ? (params[0] as { fromBlock: string; toBlock: string }) : null;
      if (range !== null && Number(range.toBlock) - Number(range.fromBlock) + 1 > 10) return { kind: 'rpc_error', message: 'block range is too wide (max 10)' };
      return { kind: 'forward' };
    };
    const crashed = await ServiceProcess.start({ dataDir: join(dir.path, 'crashed'), chainId: 1337n, args: args(proxy.url) });
    // killed right as a node's answer arrives, well into the sync: maybe in the middle of a range
    proxy.onAnswered = (method, n) => {
      if (method === 'eth_getLogs' && n === 25) crashed.child.kill('SIGKILL');
    };
    const { signal } = await crashed.exited;
    assert.equal(signal, 'SIGKILL');
    proxy.onAnswered = () => undefined;
    const partial = await dumpRoutingState(join(dir.path, 'crashed'));
    assert.notDeepEqual(partial, await dumpRoutingState(join(dir.path, 'reference')), 'the kill came before the end of the sync');

    const restarted = await ServiceProcess.start({ dataDir: join(dir.path, 'crashed'), chainId: 1337n, args: args(proxy.url) });
    await restarted.waitReady(60_000);
    assert.equal(await confirmedBlock(restarted), head - CONFIRMATIONS);
    assert.equal(await restarted.stop(), 0);
    await proxy.close();
    assert.deepEqual(await dumpRoutingState(join(dir.path, 'crashed')), await dumpRoutingState(join(dir.path, 'reference')));
  });
});
