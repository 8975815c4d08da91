import { performance } from 'node:perf_hooks';
import type { Address } from '../../src/domain/index.ts';
import {
  type ChannelSide,
  DEFAULT_TIMED_FEE_SCHEDULE,
  type TimedFeeSchedule,
  type RestoredChannel,
  SnapshotView,
  SnapshotWriter,
  TokenNetworkState,
} from '../../src/graph/index.ts';
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

/**
 * From the channel list in memory to a searchable snapshot: the channels become state
 * records (what the store holds) and go through `TokenNetworkState.restore`, the path a
 * restart takes, then the snapshot writer builds the shared-memory form.
 */
export function build(spec: NetworkSpec): Built {
  const start = performance.now();
  const at = spec.addresses;
  const nodes: Address[] = [];
  const seen = new Set<Address>();
  const channels: RestoredChannel[] = [];
  const pairSeq = new Map<string, number>();
  const side = (capacity: bigint, fee: TimedFeeSchedule | null, other: bigint): ChannelSide => ({
    capacity,
    nonce: 1n,
    revealTimeout: 50n,
    fee: fee ?? DEFAULT_TIMED_FEE_SCHEDULE,
    reported: { updating: capacity, other },
  });
  for (let k = 0; k < spec.channels.length; k++) {
    const c = spec.channels[k]!;
    const a = at[c.a]!;
    const b = at[c.b]!;
    const [p1, p2] = a < b ? [a, b] : [b, a];
    for (const x of [p1, p2]) if (!seen.has(x)) {
      seen.add(x);
      nodes.push(x);
    }
    const forward = a === p1;
    const s1 = side(forward ? c.capacityAB : c.capacityBA, forward ? c.feeA : c.feeB, forward ? c.capacityBA : c.capacityAB);
    const s2 = side(forward ? c.capacityBA : c.capacityAB, forward ? c.feeB : c.feeA, forward ? c.capacityAB : c.capacityBA);
    const key = p1 + p2;
    let edgeSeq = pairSeq.get(key);
    if (edgeSeq === undefined) pairSeq.set(key, (edgeSeq = pairSeq.size));
    channels.push({ id: c.id, participants: [p1, p2], sides: [s1, s2], openSeq: k, edgeSeq });
  }
  const state = TokenNetworkState.restore({
    address: ('0x' + '01'.repeat(20)) as Address,
    settleTimeout: 1500n,
    nodes,
    nextEdgeSeq: pairSeq.size,
    nextOpenSeq: channels.length,
    channels,
  });
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

