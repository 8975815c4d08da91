/**
 * npm run bench:chain [-- --json FILE] [--channels N] [--nodes N] [--duration S] [--connections C]
 *
 * The live chain source and payments against anvil with the real Raiden contracts:
 *
 * 1. Catch-up: a token network with `--channels` ChannelOpened events (a seeded scale-free
 *    network, opened in blocks of 200), then a fresh service syncs from block 0. Figures:
 *    the sync itself (from "following the chain" to "ready" in the service's log), events
 *    per second over it, and the time from process start to /ready 200.
 * 2. Requests: the same data dir gets presence, capacity and fee updates from an event log
 *    (applied after the chain, as the event-log spec says), then autocannon runs 3-path
 *    requests free (`--service-fee 0`) and paid (`--service-fee 1`, each connection one
 *    sender with a UserDeposit balance, its IOU growing by the fee per request, signed on
 *    the fly). The payment path should cost at most 20 % of the throughput.
 *
 * The load generator and anvil run on the same machine and take CPU from the service, so
 * the figures are a floor.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Interface, Wallet, toBeHex } from 'ethers';
import { signedLogLines } from '../src/demo/signed-log.ts';
import { scaleFree } from '../src/demo/topology.ts';
import { type Address, asAddress, toChecksumAddress } from '../src/domain/index.ts';
import { type KeyPair, derivedKey, eip191Hash, packIou, signHash } from '../src/protocol/index.ts';
import { Random } from '../src/util/random.ts';
import { Anvil } from '../test/helpers/anvil.ts';
import { channelCount, chainArgs } from '../test/helpers/chain-service.ts';
import { RaidenChain, abiOf, contractsUnavailable } from '../test/helpers/raiden-contracts.ts';
import { ServiceProcess, TEST_SERVICE_KEY } from '../test/helpers/service-process.ts';
import { tempDir } from '../test/helpers/temp-dir.ts';
import { benchArgs, report } from './lib/bench-common.ts';

const args = benchArgs('npm run bench:chain -- [options]: chain catch-up speed, then free versus paid path requests', {
  channels: { help: 'ChannelOpened events on the chain', number: 10_000 },
  nodes: { help: 'nodes of the seeded scale-free network', number: 2_000 },
  duration: { help: 'seconds of load per request run', number: 15 },
  connections: { help: 'concurrent connections (and paying senders)', number: 16 },
});

const problem = contractsUnavailable();
if (problem !== null) {
  process.stderr.write(`bench:chain: ${problem}\n`);
  process.exit(1);
}

const CHAIN_ID = 1337n;
const OPENS_PER_BLOCK = 200;
/** Bodies prepared per sender and second: above what one sequential connection reaches. */
const MAX_RPS_PER_CONNECTION = 300;
const SERVICE = asAddress(new Wallet(TEST_SERVICE_KEY).address.toLowerCase());
const log = (s: string) => process.stderr.write(`bench:chain: ${s}\n`);

const dir = tempDir('pfs-bench-chain-');
const anvil = await Anvil.start({ chainId: CHAIN_ID, autoImpersonate: true, gasLimit: 1_000_000_000n });
try {
  const chain = await RaidenChain.deploy(anvil.url, CHAIN_ID);
  const contracts = await chain.addresses();
  const { tokenNetwork, block: createdAt } = await chain.createTokenNetwork();
  const keys: KeyPair[] = [];
  const spec = scaleFree(31, args.num('nodes'), args.num('channels'), (_rng, n) => {
    for (let i = 0; i < n; i++) keys.push(derivedKey('bench-chain', i));
    return keys.map((k) => k.address);
  });

  // 1. the chain: every channel of the spec opened, OPENS_PER_BLOCK per block
  const openData = new Interface(abiOf('TokenNetwork'));
  const opening = performance.now();
  await anvil.rpc('evm_setAutomine', [false]);
  // explicit nonces: the node would give every transaction of one batch the same one
  let nonce = Number(BigInt((await anvil.rpc('eth_getTransactionCount', [chain.deployer.address, 'pending'])) as string));
  for (let from = 0; from < spec.channels.length; from += OPENS_PER_BLOCK) {
    const batch = spec.channels.slice(from, from + OPENS_PER_BLOCK).map((c, i) => ({
      jsonrpc: '2.0',
      id: from + i,
      method: 'eth_sendTransaction',
      params: [{ from: chain.deployer.address, to: tokenNetwork, gas: toBeHex(300_000), nonce: toBeHex(nonce++), data: openData.encodeFunctionData('openChannel', [spec.addresses[c.a], spec.addresses[c.b]]) }],
    }));
    const r = await fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    const answers = (await r.json()) as { error?: { message: string } }[];
    const failed = answers.find((a) => a.error !== undefined);
    if (failed !== undefined) throw new Error(`openChannel: ${failed.error!.message}`);
    await anvil.rpc('evm_mine');
  }
  await anvil.rpc('evm_setAutomine', [true]);
  const openSeconds = (performance.now() - opening) / 1000;
  const onChain = (await chain.tokenNetwork(tokenNetwork)['channel_counter']!()) as bigint;
  if (onChain !== BigInt(spec.channels.length)) throw new Error(`${onChain} channels on chain, expected ${spec.channels.length}`);
  const head = await anvil.blockNumber();
  log(`${spec.channels.length} channels opened in ${head - createdAt} blocks (${openSeconds.toFixed(1)} s)`);

  // the paying senders: reachable nodes with channels, each with a UserDeposit balance
  const outgoing = new Array<number>(spec.addresses.length).fill(0);
  for (const c of spec.channels) {
    outgoing[c.a]!++;
    outgoing[c.b]!++;
  }
  const connections = args.num('connections');
  const routable = spec.addresses.map((_, i) => i).filter((i) => spec.reachable[i] === 1 && outgoing[i]! > 0);
  // one more than the connections: the warm-up sender
  const senders = routable.slice(0, connections + 1);
  for (const i of senders) {
    const wallet = new Wallet('0x' + Buffer.from(keys[i]!.privateKey).toString('hex'), chain.provider);
    await chain.provider.send('anvil_setBalance', [wallet.address, toBeHex(10n ** 21n)]);
    await chain.depositToUdc(wallet, 10n ** 24n);
  }

  // 2. catch-up from block 0 on a fresh data dir
  const dataDir = join(dir.path, 'data');
  const base = chainArgs(anvil.url, { registry: contracts.registry, userDeposit: contracts.userDeposit, oneToN: contracts.oneToN }, 0, 200);
  const started = performance.now();
  const syncing = await ServiceProcess.start({ dataDir, chainId: CHAIN_ID, args: base });
  await syncing.waitReady(600_000);
  const readySeconds = (performance.now() - started) / 1000;
  const stamp = (pattern: RegExp) => {
    const line = syncing.log.split('\n').find((l) => pattern.test(l));
    if (line === undefined) throw new Error(`no log line ${pattern}:\n${syncing.log}`);
    return Date.parse(line.slice(0, 24));
  };
  const syncSeconds = (stamp(/input sources applied; ready/) - stamp(/following the chain/)) / 1000;
  const followed = await channelCount(syncing, tokenNetwork);
  if (followed !== spec.channels.length) throw new Error(`the service has ${followed} channels, expected ${spec.channels.length}`);
  await syncing.stop();
  log(`synced ${head + 1} blocks, ${spec.channels.length + 1} events in ${syncSeconds.toFixed(2)} s; /ready after ${readySeconds.toFixed(2)} s`);

  // 3. presence and capacities from an event log (the chain lines of the generated log are dropped)
  const events = join(dir.path, 'updates.ndjson');
  const lines: string[] = [];
  const counts = { capacityUpdates: 0, feeUpdates: 0 };
  const network = asAddress(tokenNetwork.toLowerCase());
  for (const line of signedLogLines(spec, { chainId: CHAIN_ID, token: asAddress('0x' + '00'.repeat(20)), network, settleTimeout: 500n, server: 'localhost', keys, capacityRounds: 1, channelsPerBlock: OPENS_PER_BLOCK, feeEpochMs: Date.UTC(2024, 0, 1) }, counts)) {
    if (!line.startsWith('{"kind":"chain"')) lines.push(line);
  }
  writeFileSync(events, lines.join('\n') + '\n');

  const rng = new Random(7);
  const targets = Array.from({ length: 4096 }, () => routable[rng.int(0, routable.length - 1)]!);
  const path = `/api/v1/${tokenNetwork}/paths`;
  const claimableUntil = BigInt((await anvil.latestTimestamp()) + 8 * 86_400);
  const oneToN = asAddress(contracts.oneToN.toLowerCase());

  interface Run {
    rps: number;
    p50: number;
    p99: number;
    ok: number;
    notFound: number;
    errors: number;
  }

  async function load(fee: bigint): Promise<Run> {
    const service = await ServiceProcess.start({ dataDir, chainId: CHAIN_ID, args: [...base, '--events', events, '--service-fee', fee.toString()] });
    try {
      await service.waitReady(600_000);
      // the bodies of each sender, built (and their IOUs signed) before the load, so the
      // load generator does the same work in both runs: its IOU grows by the fee each time
      const bodiesFor = (s: number, count: number): string[] => {
        const out: string[] = [];
        const sender: Address = spec.addresses[s]!;
        for (let n = 1; n <= count; n++) {
          let t = targets[(s * 7919 + n) % targets.length]!;
          if (t === s) t = targets[(s * 7919 + n + 1) % targets.length]!;
          const request = `"from": "${toChecksumAddress(sender)}", "to": "${toChecksumAddress(spec.addresses[t]!)}", "value": 1, "max_paths": 3`;
          if (fee === 0n) {
            out.push(`{${request}}`);
            continue;
          }
          const amount = fee * BigInt(n);
          const packed = packIou({ oneToN, chainId: CHAIN_ID, sender, receiver: SERVICE, amount, claimableUntil }) as Uint8Array;
          const signature = '0x' + Buffer.from(signHash(keys[s]!, eip191Hash(packed))).toString('hex');
          const iou = `{"sender": "${toChecksumAddress(sender)}", "receiver": "${toChecksumAddress(SERVICE)}", "amount": ${amount}, "claimable_until": ${claimableUntil}, "one_to_n_address": "${toChecksumAddress(oneToN)}", "chain_id": ${CHAIN_ID}, "signature": "${signature}"}`;
          out.push(`{${request}, "iou": ${iou}}`);
        }
        return out;
      };
      const perSender = Math.ceil(args.num('duration') * MAX_RPS_PER_CONNECTION);
      // warm-up (JIT, per-worker snapshot views) with a sender of its own
      const warm = bodiesFor(senders[senders.length - 1]!, 50);
      for (const w of warm) {
        const r = await service.post(path, w);
        if (r.status !== 200 && r.status !== 404) throw new Error(`warm-up request answered ${r.status}: ${r.text}`);
      }
      // one autocannon connection per sender, so each sender's requests are sequential and
      // its IOUs arrive in order (what a client does); all of them run at once
      const duration = args.num('duration');
      const results = await Promise.all(
        senders.slice(0, -1).map((s) => {
          const bodies = bodiesFor(s, perSender);
          let n = 0;
          // past the prepared bodies (more than a connection sends) a body would repeat, and a
          // repeated IOU is refused: it would show as errors
          return autocannon({ url: service.url, connections: 1, duration, requests: [{ method: 'POST', path, headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: bodies[n++ % bodies.length]! }) }] });
        }),
      );
      const stats: Record<string, number> = {};
      let errors = 0;
      for (const result of results) {
        for (const [k, v] of Object.entries(result.statusCodeStats as Record<string, { count: number }>)) stats[k] = (stats[k] ?? 0) + Number(v.count);
        errors += result.errors + result.timeouts;
      }
      log(`fee ${fee}: answers by status ${JSON.stringify(stats)}, ${errors} connection errors and timeouts`);
      const total = Object.values(stats).reduce((a, b) => a + b, 0);
      const sorted = (f: (r: (typeof results)[number]) => number) => results.map(f).sort((a, b) => a - b);
      return {
        rps: Math.round(results.reduce((sum, r) => sum + r.requests.total, 0) / duration),
        // per-connection percentiles: the median connection's p50, the worst connection's p99
        p50: sorted((r) => r.latency.p50)[results.length >> 1]!,
        p99: sorted((r) => r.latency.p99).at(-1)!,
        ok: stats['200'] ?? 0,
        notFound: stats['404'] ?? 0,
        errors: total - (stats['200'] ?? 0) - (stats['404'] ?? 0) + errors,
      };
    } finally {
      const code = await service.stop();
      if (code !== 0) log(`service exited with ${code}\n${service.log.slice(-2000)}`);
    }
  }

  const free = await load(0n);
  const paid = await load(1n);
  chain.provider.destroy();
  report(
    `bench:chain  ${spec.channels.length.toLocaleString('en-US')} ChannelOpened over ${head - createdAt} blocks, ${spec.addresses.length.toLocaleString('en-US')} nodes; 3-path requests, ${senders.length - 1} connections x ${args.num('duration')} s`,
    {
      catchup_blocks: head + 1,
      catchup_events: spec.channels.length + 1,
      catchup_seconds: Math.round(syncSeconds * 100) / 100,
      catchup_events_per_second: Math.round((spec.channels.length + 1) / syncSeconds),
      start_to_ready_seconds: Math.round(readySeconds * 100) / 100,
      free_rps: free.rps,
      free_p50_ms: free.p50,
      free_p99_ms: free.p99,
      paid_rps: paid.rps,
      paid_p50_ms: paid.p50,
      paid_p99_ms: paid.p99,
      paid_over_free: Math.round((paid.rps / Math.max(1, free.rps)) * 100) / 100,
      not_found_share_pct: Math.round(((free.notFound + paid.notFound) / Math.max(1, free.ok + free.notFound + paid.ok + paid.notFound)) * 1000) / 10,
      errors: free.errors + paid.errors,
    },
    [
      'catchup_seconds: from the log line "following the chain" to "ready" (the sync alone); start_to_ready includes process start',
      'errors: answers other than 200 and 404 (no route), plus connection errors and timeouts; a refused payment would count here',
    ],
  );
} finally {
  await anvil.stop();
  dir.cleanup();
}
