import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address } from '../../src/domain/index.ts';
import { feeMix, scaleFree } from '../../src/demo/topology.ts';
import { BidirectionalDijkstra } from '../../src/routing/bidirectional-dijkstra.ts';
import { Budget } from '../../src/routing/budget.ts';
import { EdgeWeights } from '../../src/routing/edge-weights.ts';
import { FiniteRegion } from '../../src/routing/finite-region.ts';
import { DEFAULT_SEARCH_LIMITS } from '../../src/routing/index.ts';
import { NoPath, YenGenerator, YenMarks } from '../../src/routing/yen.ts';
import { Random } from '../helpers/random.ts';
import { TestNetwork } from '../helpers/test-network.ts';
import { slowCandidates, slowGetPaths } from '../oracle/slow-reference.ts';

/**
 * Differential test of the fast search against a literal, eager transcription of the
 * reference (test/oracle/slow-reference.ts) on scale-free networks of a few hundred nodes:
 * large enough for hubs, long spur searches, deferred weights and the carrying-path
 * survey to matter, small enough for the slow transcription. Mixes: the benchmark's fee
 * mix, zero fees (ties everywhere), and small capacities (many edges cannot carry the
 * value, so candidates of infinite cost are enumerated in push order).
 * SLOW_GRAPHS and SLOW_SEED widen the run.
 */

const GRAPHS = Number(process.env.SLOW_GRAPHS ?? 8);
const SEED = Number(process.env.SLOW_SEED ?? 7);
const REQUESTS = Number(process.env.SLOW_REQUESTS ?? 12);

type Mix = 'bench' | 'zero' | 'tight' | 'huge';

function network(seed: number, nodes: number, channels: number, mix: Mix): { net: TestNetwork; addresses: readonly Address[] } {
  const spec = scaleFree(seed, nodes, channels);
  const rng = new Random(seed * 31 + 5);
  const net = new TestNetwork();
  for (const c of spec.channels) {
    const a = spec.addresses[c.a]!;
    const b = spec.addresses[c.b]!;
    net.open(c.id, a, b);
    let ab = c.capacityAB;
    let ba = c.capacityBA;
    if (mix === 'tight') {
      // capacities in 0..20 tokens: a request of a few tokens is carried by few edges
      ab = BigInt(rng.int(0, 20)) * 10n ** 18n;
      ba = BigInt(rng.int(0, 20)) * 10n ** 18n;
    } else if (mix === 'huge') {
      // around 2^96, where capacities no longer fit three 32-bit words
      ab = rng.bigint(1n << 90n, 1n << 100n);
      ba = rng.bigint(1n << 90n, 1n << 100n);
    }
    net.setCapacities(c.id, ab, ba, a);
    if (mix === 'zero') continue;
    const total = ab + ba;
    const flat = () => (mix === 'huge' ? rng.bigint(0n, 1n << 80n) : BigInt(rng.int(0, 3)) * 10n ** 16n);
    const fa = mix === 'bench' ? c.feeA : total === 0n ? null : feeMix(rng, total, flat, () => BigInt(rng.int(0, 3000)));
    const fb = mix === 'bench' ? c.feeB : total === 0n ? null : feeMix(rng, total, flat, () => BigInt(rng.int(0, 3000)));
    if (fa !== null) net.setFee(a, b, fa.schedule);
    if (fb !== null) net.setFee(b, a, fb.schedule);
  }
  spec.addresses.forEach((x, i) => net.setReachable(x, spec.reachable[i] === 1));
  return { net, addresses: spec.addresses };
}

/** The first `limit` candidates of a generator as addresses and costs ([] without a path). */
function candidates(gen: YenGenerator, view: ReturnType<TestNetwork['view']>, limit: number): { path: Address[]; cost: number }[] {
  const out: { path: Address[]; cost: number }[] = [];
  try {
    while (out.length < limit) {
      const c = gen.next();
      if (c === null) break;
      out.push({ path: c.nodes.map((x) => view.topology.address(x)), cost: c.cost });
    }
  } catch (e) {
    if (!(e instanceof NoPath)) throw e;
  }
  return out;
}

describe('fast search equals the slow literal transcription of the reference', () => {
  test(`${GRAPHS} scale-free networks x ${REQUESTS} requests (seed ${SEED})`, (t) => {
    const rng = new Random(SEED);
    let compared = 0;
    let routed = 0;
    let skipped = 0;
    for (let g = 0; g < GRAPHS; g++) {
      const mix = (['bench', 'zero', 'tight', 'huge'] as const)[g % 4]!;
      const nodes = rng.int(60, 260);
      const { net, addresses } = network(SEED * 1000 + g, nodes, nodes * rng.int(2, 5), mix);
      for (let k = 0; k < REQUESTS; k++) {
        const source = rng.pick(addresses);
        const target = rng.pick(addresses);
        const value = mix === 'tight'
          ? BigInt(rng.int(1, 12)) * 10n ** 18n
          : mix === 'huge'
            ? rng.bigint(1n << 80n, 1n << 99n)
            : BigInt(Math.floor(2e18 * 10 ** (-4 * rng.next())));
        const q = {
          source,
          target,
          value,
          maxPaths: rng.int(1, 5),
          diversityPenalty: rng.pick([5, 5, 0, 1.5]),
          feePenalty: rng.pick([100, 100, 0, 1e4]),
        };
        const fast = net.find(source, target, value, q.maxPaths, {
          diversityPenalty: q.diversityPenalty,
          feePenalty: q.feePenalty,
          limits: DEFAULT_SEARCH_LIMITS,
        });
        if (fast.kind === 'no_route' && fast.reason !== null) continue; // quick checks: covered elsewhere
        if (fast.kind === 'budget_exhausted' || fast.stats.budgetExhausted) {
          skipped++;
          continue;
        }
        const slow = slowGetPaths(net.state, (a) => net.isReachable(a), q, 400);
        if (slow.kind === 'limit') {
          skipped++;
          continue;
        }
        const ours = fast.kind === 'routes'
          ? { paths: fast.routes.map((r) => [...r.path]), fees: fast.routes.map((r) => r.estimatedFee) }
          : { paths: [], fees: [] };
        assert.deepEqual(ours, { paths: slow.paths, fees: slow.fees }, `graph ${g} (${mix}, ${nodes} nodes) request ${k}: ${JSON.stringify(q, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
        compared++;
        if (slow.paths.length > 0) routed++;
      }
    }
    t.diagnostic(`compared ${compared}, routed ${routed}, skipped ${skipped}`);
    assert.ok(compared >= GRAPHS * REQUESTS * 0.6, `too few comparisons: ${compared} (skipped ${skipped})`);
    assert.ok(routed >= compared / 3, `too few routed requests: ${routed}/${compared}`);
  });
});

/**
 * Compares the first 80 candidates of round one with the slow transcription, on `graphs`
 * networks drawn from `seed` ('tight' and 'zero' mixes alternately).
 */
function compareFirstCandidates(seed: number, graphs: number): { compared: number; infinite: number } {
  const rng = new Random(seed + 100);
  let infinite = 0;
  let compared = 0;
  for (let g = 0; g < graphs; g++) {
    const nodes = rng.int(40, 120);
    const { net, addresses } = network(seed * 2000 + g, nodes, nodes * rng.int(2, 4), g % 2 === 0 ? 'tight' : 'zero');
    const view = net.view();
    for (let k = 0; k < 4; k++) {
      const source = rng.pick(addresses);
      const target = rng.pick(addresses);
      const value = BigInt(rng.int(1, 12)) * 10n ** 18n;
      const feePenalty = rng.pick([100, 0]);
      const expected = slowCandidates(net.state, (a) => net.isReachable(a), { source, target, value, feePenalty }, 80);
      const s = view.topology.nodeOf(source);
      const t = view.topology.nodeOf(target);
      const actual: { path: Address[]; cost: number }[] = [];
      if (expected.length > 0) {
        const w = new EdgeWeights();
        w.begin(view, value, feePenalty, new Budget({ maxCandidates: 1e9, maxRelaxations: 1e12 }));
        actual.push(...candidates(new YenGenerator(w, new BidirectionalDijkstra(), new YenMarks(), s, t), view, 80));
      }
      assert.deepEqual(actual, expected, `graph ${g} request ${k}`);
      compared += expected.length;
      infinite += expected.filter((c) => c.cost === Infinity).length;
    }
  }
  return { compared, infinite };
}

describe("Yen's generator equals the slow transcription candidate by candidate", () => {
  test('first 80 candidates of round one, on networks where most edges cannot carry the value', () => {
    const { compared, infinite } = compareFirstCandidates(SEED, Math.max(2, GRAPHS / 2));
    assert.ok(infinite > 200, `too few candidates of infinite cost: ${infinite} of ${compared}`);
  });

  test('a float near-tie at the early end of a search (seed 2, network 4)', () => {
    // Here fl(top0 + top1) equals the best meeting, and a later meeting is shorter by
    // rounding: stopping there without the margin or the near-tie check of
    // BidirectionalDijkstra.tieIsFinal changes a spur path (found with SLOW_SEED=2).
    const { compared } = compareFirstCandidates(2, 5);
    assert.ok(compared > 0);
  });
});

describe('searches without a finite path to the target stop at their first meeting', () => {
  test('same candidates as the slow transcription, with less search work', () => {
    const rng = new Random(SEED + 200);
    let compared = 0;
    let withRegion = 0;
    let without = 0;
    for (let g = 0; g < Math.max(2, GRAPHS / 2); g++) {
      const nodes = rng.int(40, 120);
      const { net, addresses } = network(SEED * 3000 + g, nodes, nodes * rng.int(2, 4), g % 2 === 0 ? 'bench' : 'zero');
      for (let k = 0; k < 3; k++) {
        const source = rng.pick(addresses);
        const target = rng.pick(addresses);
        if (source === target) continue;
        // no edge into the target carries anything: every path costs +Infinity, and the
        // nodes with a finite path to the target are the target alone
        for (const c of [...net.state.openChannels()]) {
          const [p1, p2] = c.participants;
          if (p1 === target) net.setCapacities(c.id, 0n, 10n ** 21n, p2);
          else if (p2 === target) net.setCapacities(c.id, 0n, 10n ** 21n, p1);
        }
        const value = BigInt(rng.int(1, 12)) * 10n ** 16n;
        const feePenalty = rng.pick([100, 0]);
        const expected = slowCandidates(net.state, (a) => net.isReachable(a), { source, target, value, feePenalty }, 60);
        if (expected.length === 0) continue; // not connected in the pruned graph
        const view = net.view();
        const run = (region: boolean) => {
          const w = new EdgeWeights();
          const budget = new Budget({ maxCandidates: 1e9, maxRelaxations: 1e12 });
          w.begin(view, value, feePenalty, budget);
          const finite = region ? new FiniteRegion() : null;
          finite?.begin(w);
          const gen = new YenGenerator(w, new BidirectionalDijkstra(), new YenMarks(), view.topology.nodeOf(source), view.topology.nodeOf(target), finite);
          return { out: candidates(gen, view, 60), relaxations: budget.relaxations };
        };
        const fast = run(true);
        const plain = run(false);
        assert.deepEqual(fast.out, expected, `graph ${g} request ${k}`);
        assert.deepEqual(plain.out, expected, `graph ${g} request ${k} (no region)`);
        assert.ok(expected.every((c) => c.cost === Infinity));
        compared += expected.length;
        withRegion += fast.relaxations;
        without += plain.relaxations;
      }
    }
    assert.ok(compared > 100, `too few candidates compared: ${compared}`);
    assert.ok(withRegion < without, `no work saved: ${withRegion} vs ${without} relaxations`);
  });
});

describe('deferred offers (src/routing/offer-chains.ts)', () => {
  test('an entry networkx never pushed leaves the heap without costing a turn', () => {
    // Found by mutation: with such entries costing a turn, this request's fifth route
    // differs from the reference's (undecided offers are frequent here: small capacities,
    // a high fee penalty and the diversity penalty make most second offers undecidable
    // without fees). Random networks hit such a case about once in 4,000 requests.
    const { net, addresses } = network(368, 224, 896, 'tight');
    const source = '0xd4e5c83c528ed99f653ce8c30f2ba32468a7973f' as Address;
    const target = '0x4de3587137d6d7104d6addb96a2fdfe0e77d7a5c' as Address;
    assert.ok(addresses.includes(source) && addresses.includes(target));
    const q = { source, target, value: 10n ** 18n, maxPaths: 5, diversityPenalty: 5, feePenalty: 1e4 };
    const fast = net.find(source, target, q.value, q.maxPaths, { diversityPenalty: q.diversityPenalty, feePenalty: q.feePenalty, limits: DEFAULT_SEARCH_LIMITS });
    assert.equal(fast.kind, 'routes');
    const slow = slowGetPaths(net.state, (a) => net.isReachable(a), q, 400);
    if (slow.kind === 'limit') assert.fail('the slow transcription ran out of candidates');
    const ours = fast.kind === 'routes' ? { paths: fast.routes.map((r) => [...r.path]), fees: fast.routes.map((r) => r.estimatedFee) } : null;
    assert.deepEqual(ours, { paths: slow.paths, fees: slow.fees });
  });
});
