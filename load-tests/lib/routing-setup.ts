import type { Address } from '../../src/domain/index.ts';
import { Random } from '../../test/helpers/random.ts';
import type { NetworkSpec } from './topologies.ts';

// Request mixes of the routing benchmark (the network build is in bench-routing.ts).

/** One route request of a benchmark. */
export interface Request {
  source: Address;
  target: Address;
  value: bigint;
}

/**
 * Random reachable pairs with channels; values log-uniform from 1e-6 x to 1 x the most the
 * endpoints can carry (the smaller of the source's largest outgoing and the target's
 * largest incoming capacity), so requests range from tiny to near-capacity and the quick
 * checks do not decide most of them.
 */
export function requests(spec: NetworkSpec, seed: number, n: number, topShare = 1): Request[] {
  const rng = new Random(seed);
  const out0 = new Array<bigint>(spec.addresses.length).fill(0n);
  const in0 = new Array<bigint>(spec.addresses.length).fill(0n);
  for (const c of spec.channels) {
    if (c.capacityAB > out0[c.a]!) out0[c.a] = c.capacityAB;
    if (c.capacityBA > out0[c.b]!) out0[c.b] = c.capacityBA;
    if (c.capacityAB > in0[c.b]!) in0[c.b] = c.capacityAB;
    if (c.capacityBA > in0[c.a]!) in0[c.a] = c.capacityBA;
  }
  const candidates: number[] = [];
  for (let i = 0; i < spec.addresses.length; i++) if (out0[i]! > 0n && spec.reachable[i] === 1) candidates.push(i);
  const out: Request[] = [];
  while (out.length < n) {
    const s = rng.pick(candidates);
    const t = rng.pick(candidates);
    const top = out0[s]! < in0[t]! ? out0[s]! : in0[t]!;
    if (s === t || top === 0n) continue;
    const value = BigInt(Math.max(1, Math.floor(Number(top) * topShare * 10 ** (-6 * rng.next()))));
    out.push({ source: spec.addresses[s]!, target: spec.addresses[t]!, value: value > top ? top : value });
  }
  return out;
}

