import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SEARCH_LIMITS } from '../../src/routing/index.ts';
import { Budget } from '../../src/routing/budget.ts';
import { EdgeWeights } from '../../src/routing/edge-weights.ts';
import { address } from '../fixtures/accounts.ts';
import { CASE_1, CASE_3, label, populate } from '../helpers/reference-fixtures.ts';
import { TestNetwork, schedule } from '../helpers/test-network.ts';

/** test_graphs.py (spec §10.2), default diversity penalty 5 and fee penalty 100. */

const paths = (n: TestNetwork, s: number, t: number, value: bigint, max: number, opts = {}) =>
  n.paths(address(s), address(t), value, max, label, opts);

describe('test_edge_weight (spec §3.3)', () => {
  const E18 = 10n ** 18n;
  function weightOf(n: TestNetwork, feePenalty: number, visitedPenalty = 0): number {
    const w = new EdgeWeights();
    const view = n.view();
    w.begin(view, E18, feePenalty, new Budget(DEFAULT_SEARCH_LIMITS));
    const t = view.topology;
    const p0 = t.nodeOf(address(0));
    const p1 = t.nodeOf(address(1));
    let slot = -1;
    for (let k = t.adjStart[p0]!; k < t.adjStart[p0 + 1]!; k++) if (t.adjNode[k] === p1) slot = t.adjSlot[k]!;
    if (visitedPenalty > 0) w.addVisited(slot, visitedPenalty);
    return w.weight(slot);
  }

  test('the table of the reference test', () => {
    const n = new TestNetwork();
    n.open(1, address(0), address(1));
    n.setCapacities(1, 20n * E18, 10n * E18, address(0));
    assert.equal(weightOf(n, 0), 1);
    assert.equal(weightOf(n, 0, 2), 3);
    n.setFee(address(0), address(1), schedule({ flat: 3n * 10n ** 16n }));
    assert.equal(weightOf(n, 100), 4);
    n.setFee(address(0), address(1), schedule({ proportional: 10_000n }));
    assert.equal(weightOf(n, 100), 2);
    // the partner cannot refund amount + 10 %
    n.setCapacities(1, 20n * E18, 0n, address(0));
    assert.equal(weightOf(n, 100), 3);
  });
});

describe('test_graphs', () => {
  test('test_routing_simple', () => {
    const n = populate(CASE_1);
    // 0 -> 2 -> 3 is shorter, but channel 0 -> 2 has capacity 0
    assert.deepEqual(paths(n, 0, 3, 10n, 2), [[0, 1, 2, 3], [0, 1, 4, 3]]);
    const r = n.find(address(0), address(3), 10n, 2);
    assert.equal(r.kind, 'routes');
    if (r.kind === 'routes') assert.deepEqual(r.routes.map((x) => x.estimatedFee), [0n, 0n]);
    assert.deepEqual(paths(n, 0, 5, 10n, 1), []);
  });

  test('test_capacity_check', () => {
    const n = populate(CASE_1);
    assert.deepEqual(paths(n, 4, 0, 35n, 1), [[4, 1, 0]]);
    // with a flat fee on 1 -> 0, 35 + 1 exceeds channel 4 -> 1's 35
    n.setFee(address(1), address(0), schedule({ flat: 1n }));
    assert.deepEqual(paths(n, 4, 0, 35n, 1, { feePenalty: 0 }), [[4, 1, 2, 0]]);
  });

  test('test_routing_result_order', () => {
    const n = populate(CASE_1);
    assert.deepEqual(paths(n, 0, 2, 10n, 5), [[0, 1, 2], [0, 1, 4, 3, 2]]);
  });

  test('test_diversity_penalty', () => {
    const n = populate(CASE_3);
    assert.deepEqual(paths(n, 0, 8, 10n, 5, { diversityPenalty: 0.1 }), [
      [0, 7, 8], [0, 7, 6, 8], [0, 7, 9, 10, 8], [0, 7, 6, 5, 8], [0, 1, 2, 3, 4, 8],
    ]);
    assert.deepEqual(paths(n, 0, 8, 10n, 5, { diversityPenalty: 1.1 }), [
      [0, 7, 8], [0, 7, 6, 8], [0, 1, 2, 3, 4, 8], [0, 7, 9, 10, 8], [0, 7, 6, 5, 8],
    ]);
    assert.deepEqual(paths(n, 0, 8, 10n, 5, { diversityPenalty: 10 }), [
      [0, 7, 8], [0, 1, 2, 3, 4, 8], [0, 7, 6, 8], [0, 7, 9, 10, 8], [0, 7, 6, 5, 8],
    ]);
  });

  const DP10 = [[0, 7, 8], [0, 1, 2, 3, 4, 8], [0, 7, 6, 8], [0, 7, 9, 10, 8], [0, 7, 6, 5, 8]];

  test('test_reachability_initiator', () => {
    const n = populate(CASE_3);
    assert.deepEqual(paths(n, 0, 8, 10n, 5), DP10);
    n.setReachable(address(0), false);
    assert.deepEqual(paths(n, 0, 8, 10n, 5), []);
  });

  test('test_reachability_mediator', () => {
    const n = populate(CASE_3);
    assert.deepEqual(paths(n, 0, 8, 10n, 5), DP10);
    n.setReachable(address(7), false);
    assert.deepEqual(paths(n, 0, 8, 10n, 5), [[0, 1, 2, 3, 4, 8]]);
    n.setReachable(address(1), false);
    assert.deepEqual(paths(n, 0, 8, 10n, 5), []);
  });

  test('test_reachability_target', () => {
    const n = populate(CASE_3);
    assert.deepEqual(paths(n, 0, 8, 10n, 5), DP10);
    n.setReachable(address(8), false);
    assert.deepEqual(paths(n, 0, 8, 10n, 5), []);
  });
});
