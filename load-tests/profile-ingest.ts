/**
 * node --import tsx load-tests/profile-ingest.ts [--cpu-prof] [--lines N]
 *
 * Developer tool: the whole ingestion path (IngressCore, in-thread signature recovery,
 * ShardHost, LMDB) on one thread, so the CPU cost of each stage shows in one clean
 * profile without thread contention. Prints microseconds of CPU per signed update.
 */
import { join } from 'node:path';
import { IngressCore } from '../actors/ingress/ingress-core.ts';
import { ShardHost } from '../actors/shard/shard-host.ts';
import { AddressRegistryWriter } from '../src/graph/index.ts';
import { recoverEip191Signer } from '../src/protocol/index.ts';
import { closeStore, openStore } from '../src/store/environment.ts';
import { tempDir } from '../test/helpers/temp-dir.ts';
import { benchArgs } from './lib/bench-common.ts';
import { BENCH_CHAIN_ID, benchLog, updatesIn } from './lib/bench-logs.ts';

const args = benchArgs('node --import tsx load-tests/profile-ingest.ts -- [options]: single-thread CPU profile of ingestion', {
  nodes: { help: 'nodes of the seeded scale-free network', number: 4000 },
  channels: { help: 'channels of the network', number: 20_000 },
  rounds: { help: 'rounds of capacity updates', number: 1 },
});
const log = benchLog(args.num('nodes'), args.num('channels'), args.num('rounds'), (s) => process.stderr.write(s + '\n'));
const dir = tempDir('pfs-profile-ingest-');
const store = openStore(join(dir.path, 'data'));
const registry = new AddressRegistryWriter(AddressRegistryWriter.allocate(1 << 20));
const host = new ShardHost(store, registry, { maxEntries: 10_000, expirySeconds: 3600 }, () => undefined);
host.restore([]);
let batch = 0;
const core = new IngressCore({
  store,
  registry,
  chainId: BENCH_CHAIN_ID,
  shardCount: 1,
  sendBatch: (_shard, events) => host.handle({ type: 'batch', id: ++batch, events }),
  recover: async (jobs) => jobs.map((j) => {
    const r = recoverEip191Signer(j.data, j.signature);
    return r.ok ? r.address : null;
  }),
  notify: () => undefined,
  record: null,
  now: () => Date.now(),
  chunkLines: 4000,
});
core.load();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await core.runFile(log.path);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const updates = updatesIn(log.spec, args.num('rounds'));
process.stdout.write(`${updates} updates: wall ${(wall / 1000).toFixed(1)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, ${((cpu.user + cpu.system) / updates).toFixed(0)} µs cpu/update (incl. opens and presence)\n`);
await closeStore(store);
dir.cleanup();
