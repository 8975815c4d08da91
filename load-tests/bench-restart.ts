/**
 * npm run bench:restart [-- --json FILE] [--nodes N --channels M] [--workers W] [--runs K] [--rebuild]
 *
 * Time from process start to /ready on a data dir holding the 20,000-node, 100,000-channel
 * network (ingested once and cached, see lib/bench-data.ts), and the resident memory after
 * the start, with --workers 2 by default. The median of several runs is reported.
 */
import { ServiceProcess } from '../test/helpers/service-process.ts';
import { benchArgs, memoryOf, report } from './lib/bench-common.ts';
import { benchDataDir } from './lib/bench-data.ts';
import { BENCH_CHAIN_ID } from './lib/bench-logs.ts';

const args = benchArgs('npm run bench:restart -- [options]: process start to /ready on a stored network', {
  nodes: { help: 'nodes of the seeded scale-free network', number: 20_000 },
  channels: { help: 'channels of the network', number: 100_000 },
  runs: { help: 'restarts measured (the median is reported)', number: 3 },
  workers: { help: 'pool threads of the service', number: 2 },
  rebuild: { help: 'rebuild the cached data dir', flag: true },
});
const nodes = args.num('nodes');
const channels = args.num('channels');
const runs = args.num('runs');
const workers = String(args.num('workers'));
const { dataDir, benchLog } = await benchDataDir(nodes, channels, 1, args.flag('rebuild'), (s) => process.stderr.write(s + '\n'));

const ready: number[] = [];
const rss: number[] = [];
const readyRss: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = Date.now();
  const service = await ServiceProcess.start({ dataDir, chainId: BENCH_CHAIN_ID, args: ['--workers', workers] });
  await service.waitFor('/ready', 200, 120_000);
  ready.push(Date.now() - started);
  readyRss.push(memoryOf(service.child.pid!).rssMb);
  // a start served from snapshot images rebuilds the writable state after /ready: memory
  // counts once that is done (and the collector has had a moment)
  const deadline = Date.now() + 120_000;
  while (/fromImages=[1-9]/.test(service.log) && !/writable state rebuilt/.test(service.log) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));
  rss.push(memoryOf(service.child.pid!).rssMb);
  const code = await service.stop();
  if (code !== 0) throw new Error(`exit ${code}:\n${service.log.slice(-2000)}`);
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
report(
  `bench:restart  ${nodes.toLocaleString('en-US')} nodes, ${benchLog.spec.channels.length.toLocaleString('en-US')} channels, --workers ${workers}, median of ${runs}`,
  {
    channels: benchLog.spec.channels.length,
    ready_ms: median(ready),
    ready_ms_max: Math.max(...ready),
    rss_mb: Math.round(median(rss)),
    rss_at_ready_mb: Math.round(median(readyRss)),
  },
  [
    `runs: ready ${ready.join(', ')} ms; rss ${rss.map((x) => Math.round(x)).join(', ')} MB`,
    'rss_mb: after the start-up work, including the rebuild behind snapshot images; rss_at_ready_mb: when /ready first answered 200',
  ],
);
