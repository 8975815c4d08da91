import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { TimedFeeSchedule, makeFeeSchedule } from '../../src/graph/index.ts';
import { Random } from '../../test/helpers/random.ts';

/**
 * Benchmark networks: a seeded scale-free network and the real Lightning topology of
 * ../shared/data (with a synthetic stand-in of the same size when that file is absent),
 * both with the same realistic mix: about half of the channel sides charge nothing, the
 * rest flat + proportional, 10 % carry a 21-point imbalance curve; capacities log-normal;
 * 95 % of the nodes reachable.
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

const here = dirname(fileURLToPath(import.meta.url));
/** Default location of the real topology (outside the repository). */
export const LN_TOPOLOGY = resolve(here, '../../../shared/data/ln-mainnet-2026-02.csv.gz');

function normal(rng: Random): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Log-normal token amount around `median` (token units of 1e18). */
function logNormal(rng: Random, median: number, sigma: number): bigint {
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

function feeMix(rng: Random, total: bigint, flat: () => bigint, proportional: () => bigint): TimedFeeSchedule | null {
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

function reachability(rng: Random, n: number): Uint8Array {
  const r = new Uint8Array(n);
  for (let i = 0; i < n; i++) r[i] = rng.chance(0.95) ? 1 : 0;
  return r;
}

function median(values: bigint[]): bigint {
  const sorted = [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return sorted[sorted.length >> 1] ?? 0n;
}

/**
 * Barabasi-Albert preferential attachment: each new node opens `channels / nodes`
 * channels to existing nodes picked in proportion to their degree (seeded).
 */
export function scaleFree(seed: number, nodes = 20_000, channels = 100_000): NetworkSpec {
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
    addresses: addresses(rng, nodes),
    channels: list,
    reachable: reachability(rng, nodes),
    medianCapacity: median(caps),
  };
}

/**
 * The Lightning topology: channels in file order (parallel channels included: the newest
 * backs the edge, see README), capacity_sat x 10^10 split randomly between the sides, a
 * disabled direction has capacity 0, and the sides that charge use the recorded fees
 * (base_msat x 10^7 as flat, prop_ppm as proportional). Returns null without the file.
 */
export function lightning(seed: number, path = LN_TOPOLOGY): NetworkSpec | null {
  if (!existsSync(path)) return null;
  const rng = new Random(seed);
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const list: ChannelSpec[] = [];
  const caps: bigint[] = [];
  let nodes = 0;
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [id, n1, n2, sat, en12, base12, prop12, en21, base21, prop21] = line.split(',').map(Number) as number[];
    const a = n1!;
    const b = n2!;
    nodes = Math.max(nodes, a + 1, b + 1);
    const total = BigInt(sat!) * 10n ** 10n;
    const share = BigInt(Math.floor(rng.next() * 1000));
    const capacityAB = en12 === 1 ? (total * share) / 1000n : 0n;
    const capacityBA = en21 === 1 ? total - (total * share) / 1000n : 0n;
    caps.push(capacityAB, capacityBA);
    list.push({
      id: BigInt(id! + 1),
      a,
      b,
      capacityAB,
      capacityBA,
      feeA: feeMix(rng, total, () => BigInt(base12!) * 10n ** 7n, () => BigInt(prop12!)),
      feeB: feeMix(rng, total, () => BigInt(base21!) * 10n ** 7n, () => BigInt(prop21!)),
    });
  }
  return {
    name: `lightning ${nodes} nodes`,
    addresses: addresses(rng, nodes),
    channels: list,
    reachable: reachability(rng, nodes),
    medianCapacity: median(caps),
  };
}

/** The real topology when present, otherwise a synthetic network of the same size. */
export function lightningOrStandIn(seed: number): NetworkSpec {
  const real = lightning(seed);
  if (real !== null) return real;
  const standIn = scaleFree(seed + 1, 17_324, 50_808);
  return { ...standIn, name: 'lightning stand-in (synthetic 17324 nodes; ../shared/data not found)' };
}

/** Path of a file next to this module. */
export function nearby(file: string): string {
  return join(here, file);
}
