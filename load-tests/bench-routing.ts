/**
 * npm run bench:routing [-- --json FILE] [--requests N] [--graph synthetic|lightning]
 *
 * Single-threaded, in-process routing benchmark on (a) a seeded scale-free network of
 * 20,000 nodes / 100,000 channels and (b) the Lightning topology of ../shared/data (or a
 * synthetic stand-in). Prints per graph and max_paths: build time, bytes per channel of
 * the routing structures, latency percentiles, requests per second and the share of
 * requests that ran out of search budget.
 *
 * build_ms is measured from the channel records in memory (what the store holds and a
 * restart decodes) to a searchable snapshot: TokenNetworkState.restore plus the snapshot
 * writer. Turning the generator's channel list into records is harness work and is
 * reported separately as prepare_ms.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Address } from '../src/domain/index.ts';
import {
  type ChannelSide,
  DEFAULT_TIMED_FEE_SCHEDULE,
  type RestoredChannel,
  SnapshotView,
  SnapshotWriter,
  type TimedFeeSchedule,
  TokenNetworkState,
} from '../src/graph/index.ts';
import { DEFAULT_SEARCH_LIMITS, RouteFinder } from '../src/routing/index.ts';
import { benchArgs } from './lib/bench-common.ts';
import { requests } from './lib/routing-setup.ts';
import { type NetworkSpec, lightningOrStandIn, scaleFree } from './lib/topologies.ts';

const args = benchArgs('npm run bench:routing -- [options]: single-threaded route search on the benchmark networks', {
  requests: { help: 'random requests per graph and max_paths', number: 2000 },
  graph: { help: 'only this graph: synthetic or lightning', text: true },
  json: { help: 'also write the figures as {"cases": [...]}, one object per graph and max_paths, to FILE', text: true },
});
const jsonFile = args.text('json');
const requestCount = args.num('requests');
const only = args.text('graph');
if (only !== undefined && only !== 'synthetic' && only !== 'lightning') {
  process.stderr.write(`error: --graph must be synthetic or lightning, got ${JSON.stringify(only)}\n`);
  process.exit(2);
}

/**
 * A full garbage collection before each timed phase, so that one phase does not pay for
 * the garbage of the previous one (the network generator, the previous case).
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A searchable network, how long the records took to prepare and the snapshot to build. */
interface Built {
  view: SnapshotView;
  reachable: Map<Address, boolean>;
  prepareMs: number;
  buildMs: number;
  bytesPerChannel: number;
}

/**
 * The generator's channels as store records (untimed harness work: participants sorted by
 * byte value, pair seqs in first-seen order), then the timed part: restore and snapshot.
 */
function build(spec: NetworkSpec): Built {
  const t0 = performance.now();
  const at = spec.addresses;
  const n = at.length;
  const nodes: Address[] = [];
  const seen = new Uint8Array(n);
  const channels: RestoredChannel[] = [];
  const pairSeq = new Map<number, number>();
  const side = (capacity: bigint, fee: TimedFeeSchedule | null, other: bigint): ChannelSide => ({
    capacity,
    nonce: 1n,
    revealTimeout: 50n,
    fee: fee ?? DEFAULT_TIMED_FEE_SCHEDULE,
    reported: { updating: capacity, other },
  });
  for (let k = 0; k < spec.channels.length; k++) {
    const c = spec.channels[k]!;
    const forward = at[c.a]! < at[c.b]!;
    const [i1, i2] = forward ? [c.a, c.b] : [c.b, c.a];
    for (const i of [i1, i2]) {
      if (seen[i] === 0) {
        seen[i] = 1;
        nodes.push(at[i]!);
      }
    }
    const s1 = side(forward ? c.capacityAB : c.capacityBA, forward ? c.feeA : c.feeB, forward ? c.capacityBA : c.capacityAB);
    const s2 = side(forward ? c.capacityBA : c.capacityAB, forward ? c.feeB : c.feeA, forward ? c.capacityAB : c.capacityBA);
    const key = Math.min(i1, i2) * n + Math.max(i1, i2);
    let edgeSeq = pairSeq.get(key);
    if (edgeSeq === undefined) pairSeq.set(key, (edgeSeq = pairSeq.size));
    channels.push({ id: c.id, participants: [at[i1]!, at[i2]!], sides: [s1, s2], openSeq: k, edgeSeq });
  }
  const prepareMs = performance.now() - t0;
  collectGarbage();
  const start = performance.now();
  const state = TokenNetworkState.restore({
    address: ('0x' + '01'.repeat(20)) as Address,
    settleTimeout: 1500n,
    nodes,
    nextEdgeSeq: pairSeq.size,
    nextOpenSeq: channels.length,
    channels,
  });
  const writer = new SnapshotWriter(state);
  const buildMs = performance.now() - start;
  const reach = new Uint8Array(state.nodes.length);
  const reachable = new Map<Address, boolean>();
  spec.addresses.forEach((address, i) => reachable.set(address, spec.reachable[i] === 1));
  state.nodes.forEach((address, node) => (reach[node] = reachable.get(address) ? 1 : 0));
  const view = new SnapshotView(writer.handle(), reach);
  return { view, reachable, prepareMs, buildMs, bytesPerChannel: writer.routingBytes() / spec.channels.length };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const finder = new RouteFinder();
const cases: Record<string, number>[] = [];
const rows: string[][] = [];
const graphs: [string, () => NetworkSpec][] = [
  ['synthetic', () => scaleFree(42)],
  ['lightning', () => lightningOrStandIn(7)],
];
for (const [key, make] of graphs) {
  if (only !== undefined && only !== key) continue;
  const spec = make();
  const built = build(spec);
  const reqs = requests(spec, 99, requestCount);
  const isReachable = (a: Address) => built.reachable.get(a) === true;
  // warm-up (JIT), not measured
  for (const r of reqs.slice(0, 200)) {
    finder.find(built.view, { ...r, maxPaths: 3, diversityPenalty: 5, feePenalty: 100 }, DEFAULT_SEARCH_LIMITS, isReachable);
  }
  for (const maxPaths of [1, 3, 5]) {
    collectGarbage();
    const latencies: number[] = [];
    let exhausted = 0;
    let routed = 0;
    const t0 = performance.now();
    for (const r of reqs) {
      const s = performance.now();
      const out = finder.find(built.view, { ...r, maxPaths, diversityPenalty: 5, feePenalty: 100 }, DEFAULT_SEARCH_LIMITS, isReachable);
      latencies.push(performance.now() - s);
      if (out.stats.budgetExhausted) exhausted++;
      if (out.kind === 'routes') routed++;
    }
    const total = performance.now() - t0;
    latencies.sort((x, y) => x - y);
    const c = {
      max_paths: maxPaths,
      requests: reqs.length,
      p50_ms: percentile(latencies, 0.5),
      p99_ms: percentile(latencies, 0.99),
      max_ms: latencies[latencies.length - 1]!,
      rps: (reqs.length / total) * 1000,
      build_ms: built.buildMs,
      prepare_ms: built.prepareMs,
      bytes_per_channel: built.bytesPerChannel,
      budget_exhausted: exhausted / reqs.length,
      routed_share: routed / reqs.length,
    };
    cases.push(c);
    rows.push([
      spec.name, String(maxPaths), String(reqs.length), c.p50_ms.toFixed(3), c.p99_ms.toFixed(2), c.max_ms.toFixed(1),
      c.rps.toFixed(0), c.build_ms.toFixed(0), c.prepare_ms.toFixed(0), c.bytes_per_channel.toFixed(0), (c.budget_exhausted * 100).toFixed(2) + '%',
      (c.routed_share * 100).toFixed(1) + '%',
    ]);
    (c as Record<string, unknown>).graph = spec.name;
  }
}

const header = ['graph', 'max_paths', 'requests', 'p50_ms', 'p99_ms', 'max_ms', 'rps', 'build_ms', 'prepare_ms', 'bytes/channel', 'budget_hit', 'routed'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`routing benchmark, one thread, node ${process.version}`);
console.log(line(header));
for (const r of rows) console.log(line(r));
if (jsonFile !== undefined) {
  writeFileSync(jsonFile, JSON.stringify({ cases }, null, 2) + '\n');
  console.log(`wrote ${jsonFile}`);
}
