import type { Address } from '../../src/domain/index.ts';
import { address } from '../fixtures/accounts.ts';
import { TestNetwork } from './test-network.ts';

/** One fixture channel: (p1, capacity p1->p2, p2, capacity p2->p1). */
export type FixtureChannel = readonly [number, bigint, number, bigint];

/** `case_1` of the reference fixtures (topology 0-1-2-3-4, 0-2, 1-4, 5-6). */
export const CASE_1: readonly FixtureChannel[] = [
  [0, 90n, 1, 60n],
  [1, 130n, 2, 40n],
  [2, 80n, 3, 20n],
  [3, 50n, 4, 50n],
  [0, 0n, 2, 120n],
  [1, 35n, 4, 35n],
  [5, 550n, 6, 700n],
];

/** `case_2` (topology 0-1-4, 0-2-3-4, 2-5-4). */
export const CASE_2: readonly FixtureChannel[] = [
  [0, 90n, 1, 60n],
  [1, 130n, 4, 40n],
  [0, 80n, 2, 10n],
  [2, 50n, 3, 50n],
  [3, 60n, 4, 120n],
  [2, 35n, 5, 35n],
  [5, 550n, 4, 700n],
];

/** `case_3`: 14 channels of 100/100. */
export const CASE_3: readonly FixtureChannel[] = (
  [
    [0, 1], [1, 2], [2, 3], [3, 4], [4, 8], [0, 7], [7, 6],
    [7, 8], [7, 9], [9, 10], [10, 8], [5, 8], [6, 5], [6, 8],
  ] as const
).map(([x, y]) => [x, 100n, y, 100n] as const);

/**
 * populate_token_network: channel id k between address[p1] and address[p2] in list order,
 * capacities via two updates, both addresses reachable; fees stay at the default.
 */
export function populate(channels: readonly FixtureChannel[]): TestNetwork {
  const n = new TestNetwork();
  channels.forEach(([p1, c1, p2, c2], k) => {
    n.open(k, address(p1), address(p2));
    n.setCapacities(k, c1, c2, address(p1));
    n.setReachable(address(p1), true);
    n.setReachable(address(p2), true);
  });
  return n;
}

/** Index of a fixture address (for readable assertions). */
export function label(a: Address): number {
  for (let i = 0; i < 100; i++) if (address(i) === a) return i;
  throw new Error(`not a fixture address: ${a}`);
}
