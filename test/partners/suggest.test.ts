import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSuggestTask, type SuggestTask } from '../../actors/path-pool/task.ts';
import { Topology } from '../../src/graph/index.ts';
import {
  Bfs,
  closenessCentrality,
  closenessValue,
  type PartnerCandidate,
  type PartnerGraph,
  type PartnerSuggestion,
  SUGGESTION_LIMIT,
  suggestPartners,
} from '../../src/partners/index.ts';
import { address } from '../fixtures/accounts.ts';
import { Random } from '../helpers/random.ts';
import { CASE_1, CASE_2, label, populate } from '../helpers/reference-fixtures.ts';
import { TEST_TOKEN_NETWORK } from '../helpers/test-network.ts';

/*
 * suggest_partner (spec §9.2): networkx closeness centrality (hops, Wasserman–Faust
 * normalisation, the full graph), score = centrality * uptime * capacity, best first, stable
 * in node order, top 5; plus our work cap. Expected values are computed by hand below, and
 * for random graphs by a plain re-statement of the spec (one BFS per node, sort everything).
 */

/** A symmetric graph from undirected edges, neighbours in edge order, components by labels. */
function graph(n: number, edges: readonly (readonly [number, number])[]): PartnerGraph {
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  const adjStart = new Uint32Array(n + 1);
  for (let x = 0; x < n; x++) adjStart[x + 1] = adjStart[x]! + neighbours[x]!.length;
  const adjNode = Uint32Array.from(neighbours.flat());
  // components by flooding (independent of the code under test)
  const component = new Uint32Array(n).fill(0xffffffff);
  for (let s = 0; s < n; s++) {
    if (component[s] !== 0xffffffff) continue;
    const stack = [s];
    component[s] = s;
    while (stack.length > 0) {
      const x = stack.pop()!;
      for (const y of neighbours[x]!) {
        if (component[y] === 0xffffffff) {
          component[y] = s;
          stack.push(y);
        }
      }
    }
  }
  return { nodeCount: n, adjStart, adjNode, component };
}

/** networkx's closeness of every node, restated: BFS distances towards u, then its formula. */
function networkxCloseness(g: PartnerGraph): number[] {
  const out: number[] = [];
  for (let u = 0; u < g.nodeCount; u++) {
    const dist = new Map<number, number>([[u, 0]]);
    const queue = [u];
    for (let i = 0; i < queue.length; i++) {
      const x = queue[i]!;
      for (let k = g.adjStart[x]!; k < g.adjStart[x + 1]!; k++) {
        const y = g.adjNode[k]!;
        if (!dist.has(y)) {
          dist.set(y, dist.get(x)! + 1);
          queue.push(y);
        }
      }
    }
    let totsp = 0;
    for (const d of dist.values()) totsp += d;
    let c = 0.0;
    if (totsp > 0 && g.nodeCount > 1) {
      c = (dist.size - 1.0) / totsp;
      c *= (dist.size - 1.0) / (g.nodeCount - 1);
    }
    out.push(c);
  }
  return out;
}

/** The reference's suggest_partner restated: score everything, stable sort descending, top `limit`. */
function bruteForce(g: PartnerGraph, candidates: readonly PartnerCandidate[], limit: number): PartnerSuggestion[] {
  const closeness = networkxCloseness(g);
  const all = [...candidates]
    .sort((a, b) => a.node - b.node)
    .map((c) => {
      const centrality = closeness[c.node]!;
      return { node: c.node, score: centrality * c.uptime * Number(c.capacity), centrality, uptime: c.uptime, capacity: c.capacity };
    });
  return all.sort((a, b) => (a.score === b.score ? 0 : b.score > a.score ? 1 : -1)).slice(0, limit);
}

function suggested(g: PartnerGraph, candidates: readonly PartnerCandidate[], limit = SUGGESTION_LIMIT, workLimit = Infinity): PartnerSuggestion[] {
  const r = suggestPartners(g, candidates, limit, workLimit);
  assert.equal(r.kind, 'suggested');
  return r.kind === 'suggested' ? [...r.suggestions] : [];
}

const cand = (node: number, uptime: number, capacity: bigint): PartnerCandidate => ({ node, uptime, capacity });

describe('closeness centrality (networkx, wf_improved)', () => {
  test('a path 0-1-2-3: ends 3/6, inner nodes 3/4', () => {
    const c = closenessCentrality(graph(4, [[0, 1], [1, 2], [2, 3]]));
    assert.deepEqual([...c], [0.5, 0.75, 0.75, 0.5]);
  });

  test('a star, a separate pair and an isolated node (n = 7): components scale by (r-1)/(n-1)', () => {
    const g = graph(7, [[0, 1], [0, 2], [0, 3], [4, 5]]);
    const c = [...closenessCentrality(g)];
    // centre: r = 4, Σd = 3 -> (3/3)*(3/6); leaf: Σd = 1+2+2 -> (3/5)*(3/6); pair: (1/1)*(1/6); isolated: 0
    assert.equal(c[0], 0.5);
    assert.equal(c[1], (3 / 5) * (3 / 6));
    assert.equal(c[1], 0.3);
    assert.equal(c[2], c[1]);
    assert.equal(c[3], c[1]);
    assert.equal(c[4], 1 / 6);
    assert.equal(c[5], 1 / 6);
    assert.equal(c[6], 0);
  });

  test('the case_2 fixture: nodes 0 and 1 at 0.625, node 2 at 5/7 (spec §9.2)', () => {
    const n = populate(CASE_2);
    const t = new Topology(n.handle().topology);
    const c = closenessCentrality(t);
    const of = (i: number) => c[t.nodeOf(address(i))]!;
    assert.equal(of(0), 0.625);
    assert.equal(of(1), 0.625);
    assert.equal(of(2), 5 / 7);
    assert.equal(of(2).toFixed(3), '0.714');
  });

  test('edge cases: a single node, a single edge, n = 1', () => {
    assert.deepEqual([...closenessCentrality(graph(1, []))], [0]);
    assert.deepEqual([...closenessCentrality(graph(2, [[0, 1]]))], [1, 1]);
    assert.equal(closenessValue(1, 0, 5), 0, 'Σd = 0');
    assert.equal(closenessValue(2, 1, 1), 0, 'n = 1');
    assert.equal(closenessValue(5, 7, 10), (4 / 7) * (4 / 9));
  });

  test('random graphs: the same doubles as the restated networkx formula', () => {
    const rng = new Random(91);
    for (let round = 0; round < 50; round++) {
      const n = rng.int(1, 40);
      const edges: [number, number][] = [];
      const seen = new Set<string>();
      for (let k = rng.int(0, 2 * n); k > 0; k--) {
        const a = rng.int(0, n - 1);
        const b = rng.int(0, n - 1);
        if (a === b || seen.has(`${Math.min(a, b)},${Math.max(a, b)}`)) continue;
        seen.add(`${Math.min(a, b)},${Math.max(a, b)}`);
        edges.push([a, b]);
      }
      const g = graph(n, edges);
      assert.deepEqual([...closenessCentrality(g)], networkxCloseness(g), `round ${round}`);
    }
  });

  test('Bfs.run stops after a complete level when asked and counts the adjacency entries it scanned', () => {
    const g = graph(5, [[0, 1], [1, 2], [2, 3], [3, 4]]);
    const bfs = new Bfs(5);
    assert.deepEqual(bfs.run(g, 0), { sum: 1 + 2 + 3 + 4, reached: 5 });
    assert.equal(bfs.work, 8, 'every adjacency entry once');
    const levels: [number, number, number][] = [];
    assert.equal(
      bfs.run(g, 0, (d, found, sum) => {
        levels.push([d, found, sum]);
        return d === 2;
      }),
      null,
    );
    assert.deepEqual(levels, [
      [1, 2, 1],
      [2, 3, 3],
    ]);
  });
});

describe('suggestPartners (spec §9.2 scoring)', () => {
  // the star of the centrality test: centre 0, leaves 1-3, pair 4-5, isolated 6
  const star = graph(7, [[0, 1], [0, 2], [0, 3], [4, 5]]);

  test('score = centrality * uptime * capacity, best first, ties in node order, zeros then negatives last', () => {
    const candidates = [
      cand(5, -3, 10n), // negative uptime (a clock step): a negative score
      cand(2, 10, 100n),
      cand(0, 10, 30n),
      cand(1, 10, 100n),
      cand(3, 0, 50n), // no uptime: 0.0
      cand(4, 5, 0n), // no capacity: 0.0
      cand(6, 100, 0n),
    ];
    const all = suggested(star, candidates, 10);
    assert.deepEqual(
      all.map((s) => s.node),
      [1, 2, 0, 3, 4, 6, 5],
    );
    assert.deepEqual(
      all.map((s) => s.score),
      [0.3 * 10 * 100, 0.3 * 10 * 100, 0.5 * 10 * 30, 0, 0, 0, (1 / 6) * -3 * 10],
    );
    assert.deepEqual(
      all.map((s) => s.centrality),
      [0.3, 0.3, 0.5, 0.3, 1 / 6, 0, 1 / 6],
      'zero-score suggestions still carry their exact centrality',
    );
    assert.deepEqual(
      all.map((s) => [s.uptime, s.capacity]),
      [
        [10, 100n],
        [10, 100n],
        [10, 30n],
        [0, 50n],
        [5, 0n],
        [100, 0n],
        [-3, 10n],
      ],
    );
    assert.deepEqual(all, bruteForce(star, candidates, 10));
  });

  test('limit: the top 5 by default, fewer on request, all when there are fewer candidates', () => {
    const candidates = [0, 1, 2, 3, 4, 5, 6].map((x) => cand(x, 1 + x, BigInt(10 * (7 - x))));
    const top = suggested(star, candidates);
    assert.equal(SUGGESTION_LIMIT, 5);
    assert.equal(top.length, 5);
    assert.deepEqual(top, bruteForce(star, candidates, 5));
    assert.deepEqual(suggested(star, candidates, 2), bruteForce(star, candidates, 2));
    assert.deepEqual(suggested(star, candidates, 1), bruteForce(star, candidates, 1));
    assert.deepEqual(suggested(star, candidates.slice(0, 3)).length, 3);
    assert.deepEqual(suggested(star, []), []);
  });

  test('unreachable nodes (not candidates) are never suggested, but still count for centrality', () => {
    // only the leaves are reachable; the centre and the pair are offline
    const candidates = [cand(1, 5, 10n), cand(3, 5, 30n)];
    const top = suggested(star, candidates);
    assert.deepEqual(
      top.map((s) => s.node),
      [3, 1],
    );
    assert.equal(top[0]!.centrality, 0.3, 'n counts all 7 nodes, the path runs through the offline centre');
  });

  test('ties at the cut: equal scores keep node order, also across the pruning boundary', () => {
    // a cycle: every node has the same centrality; equal capacities and uptimes tie everything
    const n = 12;
    const ring = graph(
      n,
      Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as const),
    );
    const candidates = Array.from({ length: n }, (_, i) => cand(n - 1 - i, 7, 100n)); // given in reverse
    const top = suggested(ring, candidates);
    assert.deepEqual(
      top.map((s) => s.node),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(top, bruteForce(ring, candidates, 5));
  });

  test('the spec example: case_2 with nodes 0, 1 and 2 reachable at equal uptime gives [1, 0, 2]; 10 s more for node 0 puts it first', () => {
    const net = populate(CASE_2);
    const t = new Topology(net.handle().topology);
    const capacities = new Map([
      [0, 170n],
      [1, 190n],
      [2, 95n],
    ]);
    const g: PartnerGraph = t;
    const at = (uptimes: Map<number, number>) =>
      [...capacities].map(([i, capacity]) => cand(t.nodeOf(address(i)), uptimes.get(i)!, capacity));
    const labels = (s: PartnerSuggestion[]) => s.map((x) => label(t.address(x.node)));
    assert.deepEqual(labels(suggested(g, at(new Map([[0, 30], [1, 30], [2, 30]])))), [1, 0, 2]);
    assert.deepEqual(labels(suggested(g, at(new Map([[0, 40], [1, 30], [2, 30]])))), [0, 1, 2]);
  });

  test('random graphs with many ties: exactly the brute-force answer (pruning never changes it)', () => {
    const rng = new Random(2024);
    for (let round = 0; round < 300; round++) {
      const n = rng.int(1, 45);
      const edges: [number, number][] = [];
      const seen = new Set<string>();
      const m = rng.int(0, 3 * n);
      for (let k = 0; k < m; k++) {
        const a = rng.int(0, n - 1);
        const b = rng.int(0, n - 1);
        const key = `${Math.min(a, b)},${Math.max(a, b)}`;
        if (a === b || seen.has(key)) continue;
        seen.add(key);
        edges.push([a, b]);
      }
      const g = graph(n, edges);
      const candidates: PartnerCandidate[] = [];
      const tied = rng.chance(0.5);
      for (let x = 0; x < n; x++) {
        if (!rng.chance(0.7)) continue; // unreachable
        const degree = g.adjStart[x + 1]! - g.adjStart[x]!;
        const capacity = degree === 0 ? 0n : tied ? rng.pick([0n, 100n, 100n, 100n]) : rng.bigint(0n, 1000n);
        const uptime = tied ? rng.pick([0, 5, 5, 5, -1]) : rng.pick([-2.5, 0, rng.next() * 1000, rng.next() * 1000]);
        candidates.push(cand(x, uptime, capacity));
      }
      // candidates arrive in any order
      for (let i = candidates.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
      }
      const limit = rng.pick([1, 3, 5, 5, 5, 8]);
      assert.deepEqual(suggested(g, candidates, limit), bruteForce(g, candidates, limit), `round ${round}, n ${n}`);
    }
  });

  test('work cap: past it the answer is budget_exhausted; a cap equal to the work needed suffices', () => {
    // a large cycle with everything tied: no pruning possible, every candidate needs a BFS
    const n = 200;
    const ring = graph(
      n,
      Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as const),
    );
    const candidates = Array.from({ length: n }, (_, i) => cand(i, 1, 1n));
    const free = suggestPartners(ring, candidates, 5, Infinity);
    assert.equal(free.kind, 'suggested');
    assert.ok(free.work >= n * 2 * 5, `work ${free.work}`);
    assert.equal(suggestPartners(ring, candidates, 5, free.work).kind, 'suggested');
    const short = suggestPartners(ring, candidates, 5, free.work - 1);
    assert.equal(short.kind, 'budget_exhausted');
    assert.ok(short.work > free.work - 1);
    assert.equal(suggestPartners(ring, candidates, 5, 10).kind, 'budget_exhausted');
    // zero-score candidates need their exact centrality too, so they count against the cap
    const zeros = Array.from({ length: n }, (_, i) => cand(i, 0, 1n));
    assert.equal(suggestPartners(ring, zeros, 5, Infinity).kind, 'suggested');
    assert.equal(suggestPartners(ring, zeros, 5, 10).kind, 'budget_exhausted');
  });

  test('pruning: on a graph with one clear hub, far fewer BFS than candidates', () => {
    // a hub joined to 300 leaves: the hub's bound beats every leaf's once it is exact
    const n = 301;
    const g = graph(
      n,
      Array.from({ length: n - 1 }, (_, i) => [0, i + 1] as const),
    );
    const candidates = Array.from({ length: n }, (_, x) => cand(x, 10, x === 0 ? 1000n : BigInt(x)));
    const r = suggestPartners(g, candidates, 5, Infinity);
    assert.equal(r.kind, 'suggested');
    if (r.kind !== 'suggested') return;
    assert.deepEqual([...r.suggestions], bruteForce(g, candidates, 5));
    assert.ok(r.searched < n, `searched ${r.searched}`);
  });
});

describe('runSuggestTask (pool task on a real snapshot)', () => {
  /** The task for a populated fixture network, with the reachable labels at the given ages. */
  function task(fixture: Parameters<typeof populate>[0], ages: ReadonlyMap<number, number>, now: number, workLimit = 1e9): SuggestTask {
    const net = populate(fixture);
    const handle = net.handle();
    // TestNetwork keys nodes by their node index (its snapshot writer's default)
    const since = new Float64Array(net.state.nodes.length).fill(NaN);
    net.state.nodes.forEach((a, x) => {
      const age = ages.get(label(a));
      if (age !== undefined) since[x] = now - age * 1000;
    });
    return { kind: 'suggest', network: TEST_TOKEN_NETWORK, snapshot: handle, since, now, limit: 5, workLimit };
  }

  test('case_2, nodes 0-2 reachable for 30 s: [1, 0, 2] with the spec’s capacities and centralities', () => {
    const now = Date.UTC(2025, 5, 1);
    const r = runSuggestTask(task(CASE_2, new Map([[0, 30], [1, 30], [2, 30]]), now));
    assert.equal(r.kind, 'suggested');
    if (r.kind !== 'suggested') return;
    assert.deepEqual(
      r.suggestions.map((s) => [label(s.address), s.capacity, s.centrality, s.uptime]),
      [
        [1, 190n, 0.625, 30],
        [0, 170n, 0.625, 30],
        [2, 95n, 5 / 7, 30],
      ],
    );
    assert.deepEqual(
      r.suggestions.map((s) => s.score),
      [0.625 * 30 * 190, 0.625 * 30 * 170, (5 / 7) * 30 * 95],
    );
  });

  test('case_2: 10 s more uptime for node 0 puts it first', () => {
    const now = Date.UTC(2025, 5, 1);
    const r = runSuggestTask(task(CASE_2, new Map([[0, 40], [1, 30], [2, 30]]), now));
    assert.equal(r.kind, 'suggested');
    if (r.kind !== 'suggested') return;
    assert.deepEqual(
      r.suggestions.map((s) => label(s.address)),
      [0, 1, 2],
    );
  });

  test('case_1, all but node 6 reachable: capacity sums out-edges only (zero-capacity sides included), top 5', () => {
    const now = Date.UTC(2025, 5, 1);
    const ages = new Map([0, 1, 2, 3, 4, 5].map((i) => [i, 100] as [number, number]));
    const r = runSuggestTask(task(CASE_1, ages, now));
    assert.equal(r.kind, 'suggested');
    if (r.kind !== 'suggested') return;
    // out-capacities: 0: 90 + 0, 1: 60 + 130 + 35, 2: 40 + 80 + 120, 3: 20 + 50, 4: 50 + 35, 5: 550
    // centralities (n = 7): 1, 2: (4/5)(4/6); 0, 3, 4: (4/6)(4/6); 5: (1/1)(1/6)
    const big = (4 / 5) * (4 / 6);
    const small = (4 / 6) * (4 / 6);
    assert.deepEqual(
      r.suggestions.map((s) => [label(s.address), s.capacity, s.centrality]),
      [
        [2, 240n, big],
        [1, 225n, big],
        [5, 550n, 1 / 6],
        [0, 90n, small],
        [4, 85n, small],
      ],
    );
  });

  test('nobody reachable: an empty list; a tiny work cap: budget_exhausted', () => {
    const now = Date.UTC(2025, 5, 1);
    const none = runSuggestTask(task(CASE_2, new Map(), now));
    assert.deepEqual(none.kind === 'suggested' ? none.suggestions : null, []);
    const capped = runSuggestTask(task(CASE_2, new Map([[0, 30], [1, 30], [2, 30]]), now, 1));
    assert.equal(capped.kind, 'budget_exhausted');
  });
});
