/**
 * npm run bench:matrix [-- --senders N --messages M --batch B --probes P --json FILE]
 *
 * Signed capacity updates from many Raiden-like senders through a real Synapse (installed
 * by the test helper into .venv-synapse/) into `pfs serve --matrix-server`, until the shard
 * has applied them:
 *
 * - latency: one probe update at a time on an otherwise idle service, from just before its
 *   to-device PUT to the first route answer that shows it (the route request is repeated
 *   back to back), p50 and p99; then the same while each throughput run below is repeated;
 * - throughput: M updates from N senders at once (each sender sends its share one request
 *   after the other), one message per to-device event, then B messages per event; messages
 *   per second from the first send until the shards' `capacity_update:applied` counter
 *   reached M;
 * - CPU: the ingress thread's CPU time (its OS thread, logged by the Matrix source) per
 *   applied message, next to the whole service's and Synapse's.
 *
 * Everything shares one machine: Synapse (Python, single-threaded), the service and this
 * load generator compete for the same cores, so the figures are a floor for the service.
 */
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { channelOpenedLine, presenceLine, tokenNetworkCreatedLine } from '../src/demo/event-lines.ts';
import { type Address, asAddress, toChecksumAddress } from '../src/domain/index.ts';
import { type KeyPair, derivedKey } from '../src/protocol/index.ts';
import { PFS_DEVICE_ID, matrixDisplayname } from '../src/transport/matrix-credentials.ts';
import { raidenCredentials } from '../test/helpers/raiden-node.ts';
import { ServiceProcess } from '../test/helpers/service-process.ts';
import { capacity, sendAs } from '../test/helpers/signed-lines.ts';
import { Synapse } from '../test/helpers/synapse.ts';
import { tempDir } from '../test/helpers/temp-dir.ts';
import { benchArgs, report } from './lib/bench-common.ts';

const args = benchArgs('npm run bench:matrix -- [options]: signed updates through a real Synapse into pfs serve', {
  senders: { help: 'sending nodes (each owns one channel of a ring)', number: 20 },
  messages: { help: 'capacity updates per throughput run', number: 3000 },
  batch: { help: 'messages per to-device event in the batched run', number: 20 },
  probes: { help: 'latency probes on the idle service', number: 40 },
});
const SENDERS = args.num('senders');
const MESSAGES = Math.ceil(args.num('messages') / SENDERS) * SENDERS;
const BATCH = args.num('batch');
const PROBES = args.num('probes');

const CHAIN = 337n;
const TN = asAddress('0x' + '0b'.repeat(20));
const TN_CS = toChecksumAddress(TN);
const PROBE_CHANNEL = 1_000_000n;
const SERVICE_KEY = derivedKey('bench-matrix-service', 0);
const keys: KeyPair[] = Array.from({ length: SENDERS }, (_, i) => derivedKey('bench-matrix-sender', i));
const [P, Q] = [derivedKey('bench-matrix-probe', 0), derivedKey('bench-matrix-probe', 1)];
const log = (s: string) => process.stderr.write(s + '\n');
const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** CPU seconds (user + system) of a process or of one of its threads, from /proc. */
function cpuSeconds(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // fields after the parenthesised command name; utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Sender {
  readonly key: KeyPair;
  readonly userId: string;
  readonly token: string;
}

const dir = tempDir('pfs-bench-matrix-');
log('starting Synapse (installs matrix-synapse into .venv-synapse/ on the first run) ...');
const synapse = await Synapse.start();
let service: ServiceProcess | null = null;
try {
  const server = synapse.serverName;
  const { username, password } = raidenCredentials(SERVICE_KEY, synapse);
  const serviceUserId = (await synapse.register(username, password)).userId;

  log(`registering ${SENDERS + 2} nodes ...`);
  const senders = new Map<Address, Sender>();
  for (const key of [...keys, P, Q]) {
    const credentials = raidenCredentials(key, synapse);
    const session = await synapse.register(credentials.username, credentials.password);
    await synapse.api('PUT', `/profile/${encodeURIComponent(session.userId)}/displayname`, session.accessToken, { displayname: matrixDisplayname(key, session.userId) });
    senders.set(key.address, { key, userId: session.userId, token: session.accessToken });
  }

  // the chain and the presence come from an event log; the updates under test come over Matrix
  const events = join(dir.path, 'chain.ndjson');
  const probeUpdate = (key: KeyPair, other: KeyPair, own: bigint) =>
    capacity(key, { chainId: CHAIN, network: TN, channel: PROBE_CHANNEL, other: other.address, capacity: own, otherCapacity: 100n });
  writeFileSync(
    events,
    [
      tokenNetworkCreatedLine(1, asAddress('0x' + '07'.repeat(20)), TN, 500n),
      ...keys.map((k, i) => channelOpenedLine(2, TN, BigInt(i), k.address, keys[(i + 1) % SENDERS]!.address)),
      channelOpenedLine(2, TN, PROBE_CHANNEL, P.address, Q.address),
      ...[...keys, P, Q].map((k) => presenceLine(k, server, 'online')),
      sendAs(P, server, probeUpdate(P, Q, 100n)),
      sendAs(Q, server, probeUpdate(Q, P, 100n)),
    ].join('\n') + '\n',
  );
  service = await ServiceProcess.start({
    dataDir: join(dir.path, 'data'),
    events,
    chainId: CHAIN,
    privateKey: '0x' + Buffer.from(SERVICE_KEY.privateKey).toString('hex'),
    args: ['--matrix-server', synapse.url, '--workers', '1', '--matrix-rate-limit', String(1e12), '--log-level', 'INFO'],
  });
  await service.waitReady(120_000);
  const pfs = service;
  const thread = /Matrix source started .*ingressThread=(\d+)/.exec(pfs.log)?.[1];
  if (thread === undefined) throw new Error('the service did not log its ingress thread');
  const pid = pfs.child.pid!;
  const ingressStat = `/proc/${pid}/task/${thread}/stat`;
  const synapseStat = `/proc/${synapse.pid}/stat`;

  let txn = 0;
  async function sendToDevice(from: Sender, body: string): Promise<void> {
    const r = await fetch(`${synapse.url}/_matrix/client/v3/sendToDevice/m.room.message/b${++txn}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${from.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: { [serviceUserId]: { [PFS_DEVICE_ID]: { msgtype: 'm.text', body } } } }),
    });
    if (!r.ok) throw new Error(`sendToDevice: ${r.status} ${await r.text()}`);
  }

  async function applied(): Promise<number> {
    const m = /pfs_input_events(?:_total)?\{kind="capacity_update",outcome="applied"\} (\d+)/.exec((await pfs.get('/metrics')).text);
    return Number(m?.[1] ?? 0);
  }

  /** Route 75 from P to Q exists exactly when P reports 100 (not 50) on the probe channel. */
  async function routable(): Promise<boolean> {
    const r = await fetch(`${pfs.url}/api/v1/${TN_CS}/paths`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: toChecksumAddress(P.address), to: toChecksumAddress(Q.address), value: 75, max_paths: 1 }),
    });
    await r.arrayBuffer();
    return r.status === 200;
  }

  let probeState = true;
  /** One probe: flips P's report and waits until a route answer shows it; ms. */
  async function probe(): Promise<number> {
    probeState = !probeState;
    const body = JSON.stringify(probeUpdate(P, Q, probeState ? 100n : 50n));
    const started = performance.now();
    await sendToDevice(senders.get(P.address)!, body);
    while ((await routable()) !== probeState) {
      if (performance.now() - started > 60_000) throw new Error('a probe update did not show within 60 s');
    }
    return performance.now() - started;
  }

  log(`latency: ${PROBES} probes on the idle service ...`);
  if (!(await routable())) throw new Error('the probe route is not there at start');
  const idle: number[] = [];
  for (let i = 0; i < PROBES; i++) idle.push(await probe());
  idle.sort((a, b) => a - b);

  /** Bodies of a throughput run: per sender, its share of updates in events of `perEvent` lines. */
  function workload(perEvent: number, round: number): Map<Sender, string[]> {
    const out = new Map<Sender, string[]>();
    keys.forEach((key, i) => {
      const other = keys[(i + 1) % SENDERS]!;
      const lines: string[] = [];
      for (let k = 0; k < MESSAGES / SENDERS; k++) {
        const update = capacity(key, { chainId: CHAIN, network: TN, channel: BigInt(i), other: other.address, capacity: BigInt(1000 + round * 100_000 + k), otherCapacity: 500n });
        lines.push(JSON.stringify(update));
      }
      const bodies: string[] = [];
      for (let k = 0; k < lines.length; k += perEvent) bodies.push(lines.slice(k, k + perEvent).join('\n'));
      out.set(senders.get(key.address)!, bodies);
    });
    return out;
  }

  /** Sends every body of a workload, each sender one request after the other. */
  function sendAll(work: Map<Sender, string[]>): Promise<number> {
    return Promise.all(
      [...work].map(async ([sender, bodies]) => {
        for (const body of bodies) await sendToDevice(sender, body);
      }),
    ).then(() => performance.now());
  }

  /** A throughput run (no probes, so the CPU figures hold only the updates' cost). */
  async function throughput(perEvent: number, round: number): Promise<{ rate: number; sendRate: number; ingressCpuUs: number; serviceCpuUs: number; synapseCpuUs: number }> {
    const work = workload(perEvent, round);
    const before = await applied();
    const cpu0 = [cpuSeconds(ingressStat), cpuSeconds(`/proc/${pid}/stat`), cpuSeconds(synapseStat)];
    const started = performance.now();
    const sending = sendAll(work);
    let done = started;
    for (;;) {
      const n = (await applied()) - before;
      done = performance.now();
      if (n >= MESSAGES) break;
      if (done - started > 600_000) throw new Error(`only ${n} of ${MESSAGES} updates applied after 10 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const sentAt = await sending;
    const cpu1 = [cpuSeconds(ingressStat), cpuSeconds(`/proc/${pid}/stat`), cpuSeconds(synapseStat)];
    const perMessageUs = (i: number) => Math.round(((cpu1[i]! - cpu0[i]!) / MESSAGES) * 1e6 * 10) / 10;
    return {
      rate: Math.round(MESSAGES / ((done - started) / 1000)),
      sendRate: Math.round(MESSAGES / ((sentAt - started) / 1000)),
      ingressCpuUs: perMessageUs(0),
      serviceCpuUs: perMessageUs(1),
      synapseCpuUs: perMessageUs(2),
    };
  }

  /** Probes while a workload is being sent and applied. */
  async function latencyUnderLoad(perEvent: number, round: number): Promise<number[]> {
    const work = workload(perEvent, round);
    const before = await applied();
    let loadDone = false;
    const sending = sendAll(work);
    const watching = (async () => {
      while ((await applied()) - before < MESSAGES) await new Promise((r) => setTimeout(r, 100));
      loadDone = true;
    })();
    const samples: number[] = [];
    while (!loadDone) samples.push(await probe());
    await Promise.all([sending, watching]);
    return samples.sort((a, b) => a - b);
  }

  log(`throughput: ${MESSAGES} updates from ${SENDERS} senders, one per to-device event ...`);
  const single = await throughput(1, 1);
  log(`throughput: ${MESSAGES} updates from ${SENDERS} senders, ${BATCH} per to-device event ...`);
  const batched = await throughput(BATCH, 2);
  log('latency under load: probes while each of the runs is repeated ...');
  const singleLoad = await latencyUnderLoad(1, 3);
  const batchedLoad = await latencyUnderLoad(BATCH, 4);

  const ms = (v: number) => Math.round(v * 10) / 10;
  report(
    `bench:matrix  ${SENDERS} senders through Synapse into pfs serve (--workers 1), ${MESSAGES} signed capacity updates per run`,
    {
      idle_latency_p50_ms: ms(percentile(idle, 50)),
      idle_latency_p99_ms: ms(percentile(idle, 99)),
      single_messages_per_s: single.rate,
      single_sent_per_s: single.sendRate,
      single_latency_under_load_p50_ms: ms(percentile(singleLoad, 50)),
      single_latency_under_load_p99_ms: ms(percentile(singleLoad, 99)),
      single_ingress_cpu_us_per_message: single.ingressCpuUs,
      single_service_cpu_us_per_message: single.serviceCpuUs,
      single_synapse_cpu_us_per_message: single.synapseCpuUs,
      batched_messages_per_s: batched.rate,
      batched_latency_under_load_p50_ms: ms(percentile(batchedLoad, 50)),
      batched_latency_under_load_p99_ms: ms(percentile(batchedLoad, 99)),
      batched_ingress_cpu_us_per_message: batched.ingressCpuUs,
      batched_service_cpu_us_per_message: batched.serviceCpuUs,
      batched_synapse_cpu_us_per_message: batched.synapseCpuUs,
    },
    [
      `latency: from before the to-device PUT to the first route answer showing the update (${PROBES} idle probes; under load: ${singleLoad.length} and ${batchedLoad.length} probes)`,
      'messages_per_s: from the first send until the shards applied all of them; sent_per_s: how fast Synapse accepted the PUTs',
      `batched: ${BATCH} messages per to-device event (one body, one line each)`,
      'cpu per message: the ingress thread (OS thread of the Matrix source), the whole service process (signature recovery runs in the pool), Synapse',
    ],
  );
} finally {
  if (service !== null) {
    const code = await service.stop();
    if (code !== 0) log(`service exited with ${code}\n${service.log.slice(-3000)}`);
  }
  await synapse.stop();
  dir.cleanup();
}
