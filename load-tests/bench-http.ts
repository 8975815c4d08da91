/**
 * npm run bench:http [-- --json FILE] [--duration S] [--connections C] [--nodes N --channels M] [--rebuild]
 *
 * A short load run with autocannon against `pfs serve` on the 20,000-node, 100,000-channel
 * network (ingested once, see lib/bench-data.ts), first with --workers 1, then with
 * --workers 2: 3-path requests between reachable nodes, values log-uniform over routable
 * amounts, 10 % unroutable requests, fixed seed. The load generator runs on the same
 * machine and takes CPU from the service, so the figures are a floor.
 *
 * An answer counts as an error unless it is 200, or the 404 (code 2201) of an unroutable
 * request; connection errors and timeouts are errors too.
 */
import autocannon from 'autocannon';
import { toChecksumAddress } from '../src/domain/index.ts';
import { Random } from '../src/util/random.ts';
import { ServiceProcess } from '../test/helpers/service-process.ts';
import { benchArgs, report } from './lib/bench-common.ts';
import { benchDataDir } from './lib/bench-data.ts';
import { BENCH_CHAIN_ID, BENCH_NETWORK } from './lib/bench-logs.ts';
import type { NetworkSpec } from '../src/demo/topology.ts';

const args = benchArgs('npm run bench:http -- [options]: autocannon against pfs serve with --workers 1, then 2', {
  duration: { help: 'seconds of load per run', number: 20 },
  connections: { help: 'concurrent connections', number: 16 },
  nodes: { help: 'nodes of the seeded scale-free network', number: 20_000 },
  channels: { help: 'channels of the network', number: 100_000 },
  rebuild: { help: 'rebuild the cached data dir', flag: true },
});
const duration = args.num('duration');
const connections = args.num('connections');
const { dataDir, benchLog } = await benchDataDir(args.num('nodes'), args.num('channels'), 1, args.flag('rebuild'), (s) =>
  process.stderr.write(s + '\n'),
);

/** Request bodies: 90 % routable-looking amounts between reachable nodes, 10 % unroutable. */
function bodies(spec: NetworkSpec, count: number): string[] {
  const rng = new Random(2024);
  const outgoing = new Array<bigint>(spec.addresses.length).fill(0n);
  const incoming = new Array<bigint>(spec.addresses.length).fill(0n);
  for (const c of spec.channels) {
    if (c.capacityAB > outgoing[c.a]!) outgoing[c.a] = c.capacityAB;
    if (c.capacityBA > outgoing[c.b]!) outgoing[c.b] = c.capacityBA;
    if (c.capacityAB > incoming[c.b]!) incoming[c.b] = c.capacityAB;
    if (c.capacityBA > incoming[c.a]!) incoming[c.a] = c.capacityBA;
  }
  const reachable = spec.addresses.map((_, i) => i).filter((i) => spec.reachable[i] === 1 && outgoing[i]! > 0n && incoming[i]! > 0n);
  const result: string[] = [];
  for (let k = 0; k < count; k++) {
    const s = rng.pick(reachable);
    let t = rng.pick(reachable);
    while (t === s) t = rng.pick(reachable);
    let value: bigint;
    if (rng.chance(0.1)) {
      // unroutable: more than the source can send over any of its channels
      value = outgoing[s]! + 1n;
    } else {
      const max = Number(outgoing[s]! < incoming[t]! ? outgoing[s]! : incoming[t]!);
      value = BigInt(Math.max(1, Math.floor(max * 10 ** (-6 * rng.next()))));
    }
    result.push(`{"from": "${toChecksumAddress(spec.addresses[s]!)}", "to": "${toChecksumAddress(spec.addresses[t]!)}", "value": ${value}, "max_paths": 3}`);
  }
  return result;
}

const requestBodies = bodies(benchLog.spec, 20_000);
const path = `/api/v1/${toChecksumAddress(BENCH_NETWORK)}/paths`;

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  ok: number;
  notFound: number;
}

async function run(workers: number): Promise<Run> {
  const service = await ServiceProcess.start({ dataDir, chainId: BENCH_CHAIN_ID, args: ['--workers', String(workers)] });
  try {
    await service.waitReady(300_000);
    // warm-up: JIT and per-worker snapshot views, not measured
    for (const body of requestBodies.slice(0, 100)) await service.post(path, body);
    let next = 0;
    const result = await autocannon({
      url: service.url,
      connections,
      duration,
      requests: [
        {
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: requestBodies[next++ % requestBodies.length] }),
        },
      ],
    });
    const stats = result.statusCodeStats as Record<string, { count: number }>;
    const count = (status: string): number => Number(stats[status]?.count ?? 0);
    const ok = count('200');
    const notFound = count('404');
    const total = Object.values(stats).reduce((n, s) => n + Number(s.count), 0);
    return {
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: total - ok - notFound + result.errors + result.timeouts,
      ok,
      notFound,
    };
  } finally {
    const code = await service.stop();
    if (code !== 0) process.stderr.write(`service exited with ${code}\n${service.log.slice(-2000)}\n`);
  }
}

const one = await run(1);
const two = await run(2);
report(
  `bench:http  ${benchLog.spec.addresses.length.toLocaleString('en-US')} nodes, ${benchLog.spec.channels.length.toLocaleString('en-US')} channels, 3-path requests, ${connections} connections x ${duration} s`,
  {
    workers_1_rps: one.rps,
    workers_1_p50_ms: one.p50,
    workers_1_p99_ms: one.p99,
    workers_2_rps: two.rps,
    workers_2_p50_ms: two.p50,
    workers_2_p99_ms: two.p99,
    workers_2_over_1: Math.round((two.rps / Math.max(1, one.rps)) * 100) / 100,
    errors: one.errors + two.errors,
    not_found_share_pct: Math.round(((one.notFound + two.notFound) / Math.max(1, one.ok + one.notFound + two.ok + two.notFound)) * 1000) / 10,
  },
  ['errors: answers other than 200 and the 2201 of unroutable requests, plus connection errors and timeouts'],
);
