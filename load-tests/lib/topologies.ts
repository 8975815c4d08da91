import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { asAddress } from '../../src/domain/index.ts';
import {
  type ChannelSpec,
  type NetworkSpec,
  feeMix,
  median,
  reachability,
  scaleFree,
} from '../../src/demo/topology.ts';
import { Random } from '../../src/util/random.ts';

export { type ChannelSpec, type NetworkSpec, defaultPenaltyCurve, scaleFree } from '../../src/demo/topology.ts';

/**
 * Benchmark networks: the seeded scale-free network of src/demo/topology.ts and the real
 * Lightning topology of ../shared/data (with a synthetic stand-in of the same size when
 * that file is absent), both with the same fee and reachability mix.
 */

const here = dirname(fileURLToPath(import.meta.url));
/** Default location of the real topology (outside the repository). */
export const LN_TOPOLOGY = resolve(here, '../../../shared/data/ln-mainnet-2026-02.csv.gz');

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
    addresses: Array.from({ length: nodes }, () => asAddress('0x' + rng.hex(20))),
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
