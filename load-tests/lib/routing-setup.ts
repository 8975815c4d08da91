import { performance } from 'node:perf_hooks';
import type { Address } from '../../src/domain/index.ts';
import { SnapshotView, SnapshotWriter, TokenNetworkState } from '../../src/graph/index.ts';
import { Random } from '../../test/helpers/random.ts';
import type { NetworkSpec } from './topologies.ts';

/** Building a searchable snapshot from a generated network, and request mixes. */

/** A searchable network and how long it took to build. */
export interface Built {
  view: SnapshotView;
  reachable: Map<Address, boolean>;
  buildMs: number;
  bytesPerChannel: number;
}

/** From the channel list in memory to a searchable snapshot, through the real state API. */
export function build(spec: NetworkSpec): Built {
  const start = performance.now();
  const state = new TokenNetworkState(('0x' + '01'.repeat(20)) as Address, 1500n);
  const at = spec.addresses;
  let ts = 0;
  const timestamp = () => `2020-01-01T00:00:00.${String(++ts % 1_000_000).padStart(6, '0')}`;
  for (const c of spec.channels) {
    const a = at[c.a]!;
    const b = at[c.b]!;
    state.openChannel(c.id, a, b);
    const base = { channelId: c.id, updatingNonce: 1n, otherNonce: 1n, revealTimeout: 50n };
    state.applyCapacityUpdate({ ...base, updating: a, other: b, updatingCapacity: c.capacityAB, otherCapacity: c.capacityBA });
    state.applyCapacityUpdate({ ...base, updating: b, other: a, updatingCapacity: c.capacityBA, otherCapacity: c.capacityAB });
    if (c.feeA !== null) state.applyFeeUpdate({ channelId: c.id, updating: a, schedule: c.feeA, timestamp: timestamp() });
    if (c.feeB !== null) state.applyFeeUpdate({ channelId: c.id, updating: b, schedule: c.feeB, timestamp: timestamp() });
  }
  const writer = new SnapshotWriter(state);
  const buildMs = performance.now() - start;
  const reach = new Uint8Array(state.nodes.length);
  const reachable = new Map<Address, boolean>();
  spec.addresses.forEach((address, i) => reachable.set(address, spec.reachable[i] === 1));
  state.nodes.forEach((address, node) => (reach[node] = reachable.get(address) ? 1 : 0));
  const view = new SnapshotView(writer.handle(), reach);
  return { view, reachable, buildMs, bytesPerChannel: writer.routingBytes() / spec.channels.length };
}

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

