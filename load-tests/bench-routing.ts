/**
 * npm run bench:routing [-- --json FILE] [--requests N]
 *
 * Single-threaded, in-process routing benchmark on (a) a seeded scale-free network of
 * 20,000 nodes / 100,000 channels and (b) the Lightning topology of ../shared/data (or a
 * synthetic stand-in). Prints per graph and max_paths: build time, bytes per channel of
 * the routing structures, latency percentiles, requests per second and the share of
 * requests that ran out of search budget.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Address } from '../src/domain/index.ts';
import { DEFAULT_SEARCH_LIMITS, RouteFinder } from '../src/routing/index.ts';
import { build, requests } from './lib/routing-setup.ts';
import { type NetworkSpec, lightningOrStandIn, scaleFree } from './lib/topologies.ts';

const args = process.argv.slice(2);
const jsonFile = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const requestCount = args.includes('--requests') ? Number(args[args.indexOf('--requests') + 1]) : 2000;
const only = args.includes('--graph') ? args[args.indexOf('--graph') + 1] : undefined;

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
      bytes_per_channel: built.bytesPerChannel,
      budget_exhausted: exhausted / reqs.length,
      routed_share: routed / reqs.length,
    };
    cases.push(c);
    rows.push([
      spec.name, String(maxPaths), String(reqs.length), c.p50_ms.toFixed(3), c.p99_ms.toFixed(2), c.max_ms.toFixed(1),
      c.rps.toFixed(0), c.build_ms.toFixed(0), c.bytes_per_channel.toFixed(0), (c.budget_exhausted * 100).toFixed(2) + '%',
      (c.routed_share * 100).toFixed(1) + '%',
    ]);
    (c as Record<string, unknown>).graph = spec.name;
  }
}

const header = ['graph', 'max_paths', 'requests', 'p50_ms', 'p99_ms', 'max_ms', 'rps', 'build_ms', 'bytes/channel', 'budget_hit', 'routed'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`routing benchmark, one thread, node ${process.version}`);
console.log(line(header));
for (const r of rows) console.log(line(r));
if (jsonFile !== undefined) {
  writeFileSync(jsonFile, JSON.stringify({ cases }, null, 2) + '\n');
  console.log(`wrote ${jsonFile}`);
}
