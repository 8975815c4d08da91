import { type Address, asAddress } from '../domain/index.ts';
import { TimedFeeSchedule, makeFeeSchedule } from '../graph/index.ts';
import { Random } from '../util/random.ts';

/**
 * Synthetic payment-channel networks with a realistic mix: about half of the channel
 * sides charge nothing, the rest flat + proportional, 10 % carry a 21-point imbalance
 * curve; capacities log-normal; 95 % of the nodes reachable. Used by the demo, the tests
 * and the benchmarks.
 */

/**
 * One channel; `a`'s side is the direction a -> b. Fees are held as they are stored (with
 * their canonical encoding computed), as they would be after ingestion or in the store.
 */
export interface ChannelSpec {
  readonly id: bigint;
  readonly a: number;
  readonly b: number;
  readonly capacityAB: bigint;
  readonly capacityBA: bigint;
  readonly feeA: TimedFeeSchedule | null;
  readonly feeB: TimedFeeSchedule | null;
}

/** A generated network: node addresses, channels in open order, reachable nodes. */
export interface NetworkSpec {
  readonly name: string;
  readonly addresses: readonly Address[];
  readonly channels: readonly ChannelSpec[];
  readonly reachable: Uint8Array;
  /** Median capacity of one direction, for sizing request values. */
  readonly medianCapacity: bigint;
}

function normal(rng: Random): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Log-normal token amount around `median` (token units of 1e18). */
export function logNormal(rng: Random, median: number, sigma: number): bigint {
  return BigInt(Math.round(median * Math.exp(sigma * normal(rng))));
}

/** Raiden's client-side U-shaped imbalance curve (spec §4.6), 21 points over [0, capacity]. */
export function defaultPenaltyCurve(capacity: bigint, ppm: number): [bigint, bigint][] {
  const cap = Number(capacity);
  const c = (cap * ppm) / 1e6;
  const o = cap / 2;
  const b = Math.min((0.1 * o) / c, 10);
  const a = c / o ** b;
  const points = Math.min(21, cap + 1);
  const step = cap / (points - 1);
  const out: [bigint, bigint][] = [];
  let previous = -1n;
  for (let i = 0; i < points; i++) {
    let x = BigInt(Math.round(i * step));
    if (i === points - 1) x = capacity;
    if (x <= previous) continue;
    previous = x;
    const y = BigInt(Math.round(a * Math.abs(Number(x) - o) ** b));
    out.push([x, y < 0n ? 0n : y]);
  }
  return out;
}

let feeTimestamp = 0;

export function feeMix(rng: Random, total: bigint, flat: () => bigint, proportional: () => bigint): TimedFeeSchedule | null {
  const withCurve = rng.chance(0.1);
  const zero = rng.chance(0.5);
  if (zero && !withCurve) return null;
  const s = makeFeeSchedule({
    capFees: true,
    flat: zero ? 0n : flat(),
    proportional: zero ? 0n : proportional(),
    imbalancePenalty: withCurve ? defaultPenaltyCurve(total, rng.int(1000, 20_000)) : null,
  });
  if (typeof s === 'string') throw new Error(`generated an invalid schedule: ${s}`);
  const timed = TimedFeeSchedule.of(s, `2020-01-01T00:00:00.${String(++feeTimestamp % 1e6).padStart(6, '0')}`);
  void timed.encoded; // computed at ingestion in the service
  return timed;
}

function addresses(rng: Random, n: number): Address[] {
  const out: Address[] = [];
  for (let i = 0; i < n; i++) out.push(asAddress('0x' + rng.hex(20)));
  return out;
}

export function reachability(rng: Random, n: number): Uint8Array {
  const r = new Uint8Array(n);
  for (let i = 0; i < n; i++) r[i] = rng.chance(0.95) ? 1 : 0;
  return r;
}

export function median(values: bigint[]): bigint {
  const sorted = [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return sorted[sorted.length >> 1] ?? 0n;
}

/**
 * Barabasi-Albert preferential attachment: each new node opens `channels / nodes`
 * channels to existing nodes picked in proportion to their degree (seeded).
 */
export function scaleFree(
  seed: number,
  nodes = 20_000,
  channels = 100_000,
  addressesOf: (rng: Random, n: number) => Address[] = addresses,
): NetworkSpec {
  const rng = new Random(seed);
  const m = Math.max(1, Math.round(channels / nodes));
  const ends: number[] = [];
  const list: ChannelSpec[] = [];
  const seen = new Set<number>();
  const caps: bigint[] = [];
  const add = (a: number, b: number) => {
    const key = Math.min(a, b) * 4294967296 + Math.max(a, b);
    if (a === b || seen.has(key)) return false;
    seen.add(key);
    const total = logNormal(rng, 2e18, 1.2) + 1n;
    const share = BigInt(Math.floor(rng.next() * 1000));
    const capacityAB = (total * share) / 1000n;
    const capacityBA = total - capacityAB;
    caps.push(capacityAB, capacityBA);
    const flat = () => logNormal(rng, 1e15, 1.0);
    const prop = () => BigInt(rng.int(1, 5000));
    list.push({
      id: BigInt(list.length + 1),
      a,
      b,
      capacityAB,
      capacityBA,
      feeA: feeMix(rng, total, flat, prop),
      feeB: feeMix(rng, total, flat, prop),
    });
    ends.push(a, b);
    return true;
  };
  for (let i = 1; i <= m; i++) for (let j = 0; j < i; j++) add(i, j);
  for (let v = m + 1; v < nodes && list.length < channels; v++) {
    let made = 0;
    for (let tries = 0; made < m && tries < 50; tries++) if (add(v, ends[rng.int(0, ends.length - 1)]!)) made++;
  }
  while (list.length < channels) add(rng.int(0, nodes - 1), ends[rng.int(0, ends.length - 1)]!);
  return {
    name: `scale-free ${nodes} nodes`,
    addresses: addressesOf(rng, nodes),
    channels: list,
    reachable: reachability(rng, nodes),
    medianCapacity: median(caps),
  };
}
