/**
 * npm run bench:ingest [-- --json FILE] [--nodes N --channels M --rounds R] [--workers W]
 *
 * Ingestion through the real service: `pfs serve --events` on a fresh data dir with a
 * signed event log of the seeded scale-free network (default 20,000 nodes, 100,000
 * channels, 5 rounds of capacity updates from both sides = 1,000,000 capacity updates,
 * plus the opens and about 100,000 fee updates). Every update is signature-checked,
 * validated, applied by its shard and committed to LMDB before /ready. Prints the updates
 * per second, the time to /ready and the peak RSS of the process.
 */
import { join } from 'node:path';
import { tempDir } from '../test/helpers/temp-dir.ts';
import { ServiceProcess } from '../test/helpers/service-process.ts';
import { benchArgs, memoryOf, report } from './lib/bench-common.ts';
import { BENCH_CHAIN_ID, benchLog, updatesIn } from './lib/bench-logs.ts';

const args = benchArgs('npm run bench:ingest -- [options]: signed updates through the real ingress and shards', {
  nodes: { help: 'nodes of the seeded scale-free network', number: 20_000 },
  channels: { help: 'channels of the network', number: 100_000 },
  rounds: { help: 'rounds of capacity updates from both sides of every channel', number: 5 },
  workers: { help: 'pass --workers to the service (default: its own default)', text: true },
});
const nodes = args.num('nodes');
const channels = args.num('channels');
const rounds = args.num('rounds');
const log = benchLog(nodes, channels, rounds, (s) => process.stderr.write(s + '\n'));
const updates = updatesIn(log.spec, rounds);

const dir = tempDir('pfs-bench-ingest-');
const workers = args.text('workers');
const started = Date.now();
const service = await ServiceProcess.start({
  dataDir: join(dir.path, 'data'),
  events: log.path,
  chainId: BENCH_CHAIN_ID,
  args: workers === undefined ? [] : ['--workers', workers],
});
let peakMb = 0;
const sampler = setInterval(() => {
  try {
    peakMb = Math.max(peakMb, memoryOf(service.child.pid!).peakMb);
  } catch {
    // the process is gone
  }
}, 250);
await service.waitListening(120_000);
const listeningMs = Date.now() - started;
await service.waitReady(3_600_000);
const readyMs = Date.now() - started;
peakMb = Math.max(peakMb, memoryOf(service.child.pid!).peakMb);
clearInterval(sampler);
const metrics = (await service.get('/metrics')).text;
const applied = [...metrics.matchAll(/^pfs_input_events_total\{kind="(?:capacity_update|fee_update)",outcome="applied"\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
const code = await service.stop();
dir.cleanup();
if (code !== 0) throw new Error(`the service exited with ${code}:\n${service.log}`);
if (applied !== updates) throw new Error(`applied ${applied} of ${updates} updates:\n${service.log.slice(-3000)}`);

report(
  `bench:ingest  ${nodes.toLocaleString('en-US')} nodes, ${log.spec.channels.length.toLocaleString('en-US')} channels, ${updates.toLocaleString('en-US')} signed updates`,
  {
    updates: updates,
    updates_per_s: Math.round((updates / (readyMs - listeningMs)) * 1000),
    updates_per_s_incl_start: Math.round((updates / readyMs) * 1000),
    listening_ms: listeningMs,
    ready_ms: readyMs,
    peak_rss_mb: Math.round(peakMb),
  },
  ['updates_per_s: from listening to /ready; the ingress starts with the service, so it is a slight underestimate'],
);
