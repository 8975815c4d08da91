import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address } from '../../src/domain/index.ts';
import { TestNetwork, schedule, smallAddress as a } from '../helpers/test-network.ts';

/**
 * test_fee_schedule.py (spec §4.5, §10.3): fee estimates on the small-address network,
 * where a(i) = 19 zero bytes + byte i, all nodes reachable, capacities set per channel.
 */
function network(channels: [number, number][], capacity1 = 1000n, capacity2 = 1000n): TestNetwork {
  const n = new TestNetwork(a(255));
  channels.forEach(([x, y], k) => {
    n.open(100 + k, a(x), a(y));
    n.setCapacities(100 + k, capacity1, capacity2, a(Math.min(x, y)));
    n.setReachable(a(x), true);
    n.setReachable(a(y), true);
  });
  return n;
}

const est = (n: TestNetwork, from: number, to: number, value = 100n) => n.estimateFee(a(from), a(to), value);
const setFee = (n: TestNetwork, from: number, to: number, s: Parameters<typeof schedule>[0]) => {
  assert.equal(n.setFee(a(from), a(to), schedule(s)), 'applied');
};
const IP = (...points: [number, number][]): [bigint, bigint][] => points.map(([x, y]) => [BigInt(x), BigInt(y)]);

describe('test_fees_in_balanced_routing', () => {
  test('flat fees: the initiator fee is ignored, mediator fees add up', () => {
    const n = network([[1, 2], [2, 3]]);
    assert.equal(est(n, 1, 3), 0n);
    setFee(n, 1, 2, { flat: 1n });
    assert.equal(est(n, 1, 3), 0n);
    setFee(n, 2, 1, { flat: 1n });
    assert.equal(est(n, 1, 3), 1n);
    setFee(n, 2, 3, { flat: 1n });
    assert.equal(est(n, 1, 3), 2n);
    assert.equal(est(n, 3, 1), 2n);
  });

  // [description, side of node 2 that gets the curve (2->1 = incoming for 1->3), curve, capping, 1->3, 3->1]
  const cases: [string, [number, number], [bigint, bigint][], boolean, bigint | null, bigint | null][] = [
    ['incoming rising, uncapped', [2, 1], IP([0, 0], [2000, 200]), false, 11n, -10n],
    ['incoming rising, capped', [2, 1], IP([0, 0], [2000, 200]), true, 11n, 0n],
    ['incoming falling, uncapped', [2, 1], IP([0, 200], [2000, 0]), false, -9n, 10n],
    ['incoming falling, capped', [2, 1], IP([0, 200], [2000, 0]), true, 0n, 10n],
    ['outgoing rising, uncapped', [2, 3], IP([0, 0], [2000, 200]), false, -10n, 11n],
    ['outgoing rising, capped', [2, 3], IP([0, 0], [2000, 200]), true, 0n, 11n],
    ['outgoing falling, uncapped', [2, 3], IP([0, 200], [2000, 0]), false, 10n, -9n],
    ['outgoing falling, capped', [2, 3], IP([0, 200], [2000, 0]), true, 10n, 0n],
  ];

  test('imbalance penalty cases, in the reference order on one network', () => {
    const n = network([[1, 2], [2, 3]]);
    for (const [side, s] of [[[1, 2], {}], [[2, 1], {}], [[2, 3], {}]] as const) setFee(n, side[0], side[1], s);
    for (const [name, [x, y], curve, capFees, forward, backward] of cases) {
      const other: [number, number] = y === 1 ? [2, 3] : [2, 1];
      setFee(n, other[0], other[1], { capFees });
      setFee(n, x, y, { capFees, imbalancePenalty: curve });
      assert.equal(est(n, 1, 3), forward, `${name}: 1->3`);
      assert.equal(est(n, 3, 1), backward, `${name}: 3->1`);
    }
    for (const curve of [IP([0, 0], [2000, 20]), IP([0, 20], [2000, 0])]) {
      for (const capFees of [false, true]) {
        setFee(n, 2, 1, { capFees, imbalancePenalty: curve });
        setFee(n, 2, 3, { capFees, imbalancePenalty: curve });
        assert.equal(est(n, 1, 3), 0n);
        assert.equal(est(n, 3, 1), 0n);
      }
    }
    // a curve that does not cover the balance makes the fee undefined: no route
    setFee(n, 2, 3, { imbalancePenalty: IP([0, 0], [800, 200]) });
    assert.equal(est(n, 1, 3), null);
  });
});

describe('test_fees_in_unbalanced_routing', () => {
  test('only the forward direction is funded', () => {
    const n = network([[1, 2], [2, 3]], 1000n, 0n);
    assert.equal(est(n, 1, 3), 0n);
    assert.equal(est(n, 3, 1), null);
    setFee(n, 1, 2, { flat: 1n });
    assert.equal(est(n, 1, 3), 0n);
    setFee(n, 2, 1, { flat: 1n });
    assert.equal(est(n, 1, 3), 1n);
    setFee(n, 2, 3, { flat: 1n });
    assert.equal(est(n, 1, 3), 2n);
    assert.equal(est(n, 3, 1), null);
    for (const [side, s] of [[[1, 2], {}], [[2, 1], {}], [[2, 3], {}]] as const) setFee(n, side[0], side[1], s);

    const cases: [[number, number], [bigint, bigint][], boolean, bigint][] = [
      [[2, 1], IP([0, 0], [1000, 100]), false, 11n],
      [[2, 1], IP([0, 0], [1000, 100]), true, 11n],
      [[2, 1], IP([0, 100], [1000, 0]), false, -9n],
      [[2, 1], IP([0, 100], [1000, 0]), true, 0n],
      [[2, 3], IP([0, 0], [1000, 100]), false, -10n],
      [[2, 3], IP([0, 0], [1000, 100]), true, 0n],
      [[2, 3], IP([0, 100], [1000, 0]), false, 10n],
      [[2, 3], IP([0, 100], [1000, 0]), true, 10n],
    ];
    for (const [[x, y], curve, capFees, expected] of cases) {
      const other: [number, number] = y === 1 ? [2, 3] : [2, 1];
      setFee(n, other[0], other[1], { capFees });
      setFee(n, x, y, { capFees, imbalancePenalty: curve });
      assert.equal(est(n, 1, 3), expected, `${x}->${y} ${capFees}`);
      assert.equal(est(n, 3, 1), null);
    }
    for (const curve of [IP([0, 0], [1000, 10]), IP([0, 10], [1000, 0])]) {
      for (const capFees of [false, true]) {
        setFee(n, 2, 1, { capFees, imbalancePenalty: curve });
        setFee(n, 2, 3, { capFees, imbalancePenalty: curve });
        assert.equal(est(n, 1, 3), 0n);
      }
    }
    setFee(n, 2, 3, { imbalancePenalty: IP([0, 0], [80, 200]) });
    assert.equal(est(n, 1, 3), null);
  });
});

describe('test_regression_issue_554', () => {
  test('a falling curve on the incoming side still gives an estimate', () => {
    const small = network([[1, 2], [2, 3]], 100n, 0n);
    setFee(small, 2, 1, { imbalancePenalty: IP([0, 20], [100, 0]) });
    assert.equal(est(small, 1, 3), 0n);
    const large = network([[1, 2], [2, 3]], 100_000n, 0n);
    setFee(large, 2, 1, { imbalancePenalty: IP([0, 1000], [50_000, 0], [100_000, 1000]) });
    assert.equal(est(large, 1, 3, 10_000n), 0n);
  });
});

/** raiden's ppm_fee_per_channel: per-hop ppm p -> per-channel q = round(p / (p + 2)). */
function ppmPerChannel(perHop: number): bigint {
  const r = perHop / 1e6;
  return BigInt(Math.round((r / (r + 2)) * 1e6));
}

describe('test_compounding_fees', () => {
  const rows: [bigint, number, bigint][] = [
    [100n, 0, 200n],
    [10n, 0, 20n],
    [0n, 1_000_000, 3000n],
    [0n, 100_000, 210n],
    [0n, 50_000, 102n],
    [0n, 10_000, 20n],
  ];
  for (const [cliFlat, cliProp, expected] of rows) {
    test(`cli flat ${cliFlat}, cli proportional ${cliProp} -> ${expected}`, () => {
      const n = network([[1, 2], [2, 3], [3, 4]], 10_000n, 10_000n);
      const s = { flat: cliFlat / 2n, proportional: ppmPerChannel(cliProp) };
      for (const [x, y] of [[2, 1], [2, 3], [3, 2], [3, 4]] as const) setFee(n, x, y, s);
      assert.equal(est(n, 1, 4, 1000n), expected);
    });
  }
});

describe('test_fee_estimate', () => {
  const rows: [bigint, number, bigint, bigint, bigint][] = [
    [0n, 1_000_000, 0n, 1000n, 1000n],
    [0n, 100_000, 0n, 1000n, 100n],
    [0n, 50_000, 0n, 1000n, 50n],
    [0n, 10_000, 0n, 1000n, 10n],
    [0n, 10_000, 0n, 100n, 1n],
    [0n, 5000, 0n, 100n, 1n],
    [0n, 4999, 0n, 100n, 0n],
    [0n, 5000, 0n, 99n, 0n],
    [50n, 0, 0n, 1000n, 100n],
    [10n, 100_000, 0n, 1000n, 121n],
    [100n, 500_000, 0n, 1000n, 750n],
    [100n, 500_000, 0n, 967n, 733n],
    [0n, 0, 100n, 1000n, 10n],
    [0n, 0, 1000n, 1000n, 111n],
  ];
  for (const [flat, cliProp, maxPenalty, value, expected] of rows) {
    test(`flat ${flat}, cli prop ${cliProp}, penalty ${maxPenalty}, value ${value} -> ${expected}`, () => {
      const n = network([[1, 2], [2, 3]], 10_000n, 10_000n);
      const curve = maxPenalty > 0n ? IP([0, 0], [10_000, 0], [20_000, Number(maxPenalty)]) : null;
      const s = { flat, proportional: ppmPerChannel(cliProp), imbalancePenalty: curve };
      setFee(n, 2, 1, s);
      setFee(n, 2, 3, s);
      assert.equal(est(n, 1, 3, value), expected);
    });
  }

  test('per-channel proportional conversion matches the reference values', () => {
    assert.deepEqual(
      [1_000_000, 100_000, 50_000, 10_000, 5000, 4999, 500_000].map(ppmPerChannel),
      [333333n, 47619n, 24390n, 4975n, 2494n, 2493n, 200000n],
    );
  });
});

describe('rounding is half to even', () => {
  const rows: [bigint, bigint][] = [
    [100n, 0n],
    [101n, 1n],
    [300n, 2n],
    [500n, 2n],
    [700n, 4n],
    [900n, 4n],
  ];
  for (const [value, expected] of rows) {
    test(`prop 5000 ppm outgoing, value ${value} -> fee ${expected}`, () => {
      const n = network([[1, 2], [2, 3]], 1_000_000n, 1_000_000n);
      setFee(n, 2, 3, { proportional: 5000n });
      assert.equal(est(n, 1, 3, value), expected);
    });
  }
});

export type { Address };
