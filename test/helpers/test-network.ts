import { type Address, asAddress } from '../../src/domain/index.ts';
import {
  type Channel,
  type FeeSchedule,
  type RestoredChannel,
  type NetworkSnapshotHandle,
  SnapshotView,
  SnapshotWriter,
  TokenNetworkState,
  makeFeeSchedule,
} from '../../src/graph/index.ts';
import { DEFAULT_SEARCH_LIMITS, RouteFinder, type RouteOutcome, type SearchLimits } from '../../src/routing/index.ts';

/**
 * Persists a state as records (what the store keeps) and restores it, with the records in
 * reverse order: the restored order must come from the records' sequence numbers alone.
 */
export function roundTrip(state: TokenNetworkState): TokenNetworkState {
  const channels: RestoredChannel[] = [...state.openChannels()].map((c: Channel) => ({
    id: c.id,
    participants: c.participants,
    sides: [{ ...c.sides[0] }, { ...c.sides[1] }],
    openSeq: c.openSeq,
    edgeSeq: state.pairOf(c)!.seq,
  }));
  return TokenNetworkState.restore({
    address: state.address,
    settleTimeout: state.settleTimeout,
    nodes: [...state.nodes],
    ...state.orderCounters(),
    channels: channels.reverse(),
  });
}

/** The reference test token network address (spec §10.1): 20 x 0x01. */
export const TEST_TOKEN_NETWORK = asAddress('0x' + '01'.repeat(20));

/** `a(i)` of test_fee_schedule.py: 19 zero bytes followed by the byte i. */
export function smallAddress(i: number): Address {
  return asAddress('0x' + '00'.repeat(19) + i.toString(16).padStart(2, '0'));
}

let timestampCounter = 0;

/** Strictly increasing fee-update timestamps for tests. */
export function nextTimestamp(): string {
  timestampCounter++;
  const seconds = String(timestampCounter % 60).padStart(2, '0');
  const minutes = String(Math.floor(timestampCounter / 60) % 60).padStart(2, '0');
  const hours = String(Math.floor(timestampCounter / 3600) % 24).padStart(2, '0');
  return `2021-01-01T${hours}:${minutes}:${seconds}.000000`;
}

/** Builds a fee schedule, failing loudly on invalid input. */
export function schedule(s: Partial<{ capFees: boolean; flat: bigint; proportional: bigint; imbalancePenalty: [bigint, bigint][] | null }>): FeeSchedule {
  const result = makeFeeSchedule({
    capFees: s.capFees ?? true,
    flat: s.flat ?? 0n,
    proportional: s.proportional ?? 0n,
    imbalancePenalty: s.imbalancePenalty ?? null,
  });
  if (typeof result === 'string') throw new Error(result);
  return result;
}

/**
 * A token network driven through the real state, snapshot writer and snapshot view, with
 * an injectable reachability table (as the reference's tests use), so routing tests run the
 * same code path as the service.
 */
export class TestNetwork {
  state: TokenNetworkState;
  private writer: SnapshotWriter;
  private readonly online = new Map<Address, boolean>();
  private readonly finder = new RouteFinder();

  constructor(address: Address = TEST_TOKEN_NETWORK) {
    this.state = new TokenNetworkState(address, 1500n);
    this.writer = new SnapshotWriter(this.state);
  }

  /** Replaces the state (e.g. with a restored one) and rebuilds the snapshot. */
  replaceState(state: TokenNetworkState): void {
    this.state = state;
    this.writer = new SnapshotWriter(state);
  }

  open(id: bigint | number, a: Address, b: Address): void {
    const r = this.state.openChannel(BigInt(id), a, b);
    if (r.kind === 'opened') this.writer.syncChannel(r.channel);
  }

  close(id: bigint | number): void {
    this.state.closeChannel(BigInt(id));
  }

  /** Sets both directions via two capacity updates, as populate_token_network does. */
  setCapacities(id: bigint | number, aToB: bigint, bToA: bigint, a?: Address): void {
    const channel = this.state.channel(BigInt(id));
    if (channel === undefined) throw new Error(`no channel ${id}`);
    const from = a ?? channel.participants[0];
    const to = channel.participants[0] === from ? channel.participants[1] : channel.participants[0];
    this.capacityUpdate(id, from, to, aToB, bToA);
    this.capacityUpdate(id, to, from, bToA, aToB);
  }

  capacityUpdate(id: bigint | number, updating: Address, other: Address, updatingCapacity: bigint, otherCapacity: bigint): string {
    const r = this.state.applyCapacityUpdate({
      channelId: BigInt(id),
      updating,
      other,
      updatingNonce: 1n,
      otherNonce: 0n,
      updatingCapacity,
      otherCapacity,
      revealTimeout: 50n,
    });
    if (r.kind === 'applied') this.writer.syncChannel(r.channel);
    return r.kind;
  }

  /** Applies a fee update from `from` on its channel to `to` (test_fee_schedule's set_fee). */
  setFee(from: Address, to: Address, s: FeeSchedule): string {
    const channel = [...this.state.openChannels()].find(
      (c) => c.participants.includes(from) && c.participants.includes(to),
    );
    if (channel === undefined) throw new Error('no such channel');
    const r = this.state.applyFeeUpdate({ channelId: channel.id, updating: from, schedule: s, timestamp: nextTimestamp() });
    if (r.kind === 'applied') this.writer.syncChannel(r.channel);
    return r.kind;
  }

  setReachable(a: Address, reachable: boolean): void {
    this.online.set(a, reachable);
  }

  isReachable(a: Address): boolean {
    return this.online.get(a) === true;
  }

  /** A fresh reader view: latest topology generation, reachability by node. */
  view(): SnapshotView {
    this.writer.publishTopology();
    return this.viewOf(this.writer.handle());
  }

  /** The current snapshot handle (what a pool worker would receive). */
  handle(): NetworkSnapshotHandle {
    this.writer.publishTopology();
    return this.writer.handle();
  }

  viewOf(handle: NetworkSnapshotHandle): SnapshotView {
    const reach = new Uint8Array(Math.max(1, this.state.nodes.length));
    this.state.nodes.forEach((a, i) => (reach[i] = this.isReachable(a) ? 1 : 0));
    return new SnapshotView(handle, reach);
  }

  routingBytes(): number {
    this.writer.publishTopology();
    return this.writer.routingBytes();
  }

  find(
    source: Address,
    target: Address,
    value: bigint,
    maxPaths: number,
    opts: { diversityPenalty?: number; feePenalty?: number; limits?: SearchLimits } = {},
  ): RouteOutcome {
    return this.finder.find(
      this.view(),
      { source, target, value, maxPaths, diversityPenalty: opts.diversityPenalty ?? 5, feePenalty: opts.feePenalty ?? 100 },
      opts.limits ?? DEFAULT_SEARCH_LIMITS,
      (a) => this.isReachable(a),
    );
  }

  /** The routes as lists of node labels (via `label`), or [] when there is none. */
  paths(source: Address, target: Address, value: bigint, maxPaths: number, label: (a: Address) => number, opts: Parameters<TestNetwork['find']>[4] = {}): number[][] {
    const r = this.find(source, target, value, maxPaths, opts);
    if (r.kind !== 'routes') return [];
    return r.routes.map((route) => route.path.map(label));
  }

  /** Fee of the first route, or null (test_fee_schedule's estimate_fee). */
  estimateFee(source: Address, target: Address, value = 100n): bigint | null {
    const r = this.find(source, target, value, 1);
    return r.kind === 'routes' ? r.routes[0]!.estimatedFee : null;
  }
}
