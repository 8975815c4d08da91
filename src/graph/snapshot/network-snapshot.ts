import type { Channel, TokenNetworkState } from '../token-network.ts';
import { type EdgeStoreHandle, EdgeStoreReader, EdgeStoreWriter } from './edge-store.ts';
import { type ScheduleTableHandle, ScheduleTableReader, ScheduleTableWriter } from './schedule-table.ts';
import { type NodeKeyFn, Topology, type TopologyHandle, buildTopology } from './topology.ts';

/** Everything a reader needs to search one token network (structured-clone safe). */
export interface NetworkSnapshotHandle {
  /** Identifies the writer's buffers: a restarted shard publishes a new epoch. */
  readonly epoch: string;
  readonly topology: TopologyHandle;
  readonly edges: EdgeStoreHandle;
  readonly schedules: ScheduleTableHandle;
}

/**
 * The writer side of a token network's snapshot, owned by the same thread as the state.
 * Capacity and fee changes are written in place (`syncChannel`); topology changes produce
 * a new generation on `publishTopology`, which the owner calls when it sees fit (batching
 * many opens into one rebuild during catch-up).
 */
export class SnapshotWriter {
  readonly edges = new EdgeStoreWriter();
  readonly schedules = new ScheduleTableWriter();
  private topologyHandle: TopologyHandle;
  private builtAtVersion: number;
  private generation = 0;
  private readonly epoch = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  private readonly state: TokenNetworkState;
  private readonly keyOf: NodeKeyFn;

  constructor(state: TokenNetworkState, keyOf: NodeKeyFn = (node) => node) {
    this.state = state;
    this.keyOf = keyOf;
    this.edges.ensureSlots(state.slotCount);
    this.syncAll();
    this.builtAtVersion = state.topologyVersion;
    this.topologyHandle = buildTopology(state, this.generation, keyOf);
  }

  /** Writes a channel's capacities and fee schedules for readers. */
  syncChannel(channel: Channel): void {
    const [s0, s1] = channel.sides;
    const id0 = this.schedules.internEncoded(s0.fee.encoded);
    const id1 = this.schedules.internEncoded(s1.fee.encoded);
    const meta = this.schedules.weightMeta(id0) | (this.schedules.weightMeta(id1) << 4);
    this.edges.writeSides(channel.slot, s0.capacity, id0, s1.capacity, id1, meta);
  }

  /**
   * syncChannel for every open channel (the constructor's bulk load). One pass over the
   * channel objects (scattered in the heap) gathers what the records need into flat
   * arrays; the schedules are then interned in one call that sizes the table once.
   */
  private syncAll(): void {
    const count = this.state.channelCount;
    const slots = new Int32Array(count);
    const capacities = new Array<bigint>(2 * count);
    const encodings = new Array<Uint8Array>(2 * count);
    let i = 0;
    for (const channel of this.state.openChannels()) {
      const [s0, s1] = channel.sides;
      slots[i] = channel.slot;
      capacities[2 * i] = s0.capacity;
      capacities[2 * i + 1] = s1.capacity;
      encodings[2 * i] = s0.fee.encoded;
      encodings[2 * i + 1] = s1.fee.encoded;
      i++;
    }
    const ids = new Int32Array(2 * count);
    const schedules = this.schedules;
    schedules.internAll(encodings, ids);
    for (let k = 0; k < count; k++) {
      const id0 = ids[2 * k]!;
      const id1 = ids[2 * k + 1]!;
      const meta = schedules.weightMeta(id0) | (schedules.weightMeta(id1) << 4);
      this.edges.writeSides(slots[k]!, capacities[2 * k]!, id0, capacities[2 * k + 1]!, id1, meta);
    }
  }

  /** True when channels opened or closed since the last published generation. */
  get topologyStale(): boolean {
    return this.state.topologyVersion !== this.builtAtVersion;
  }

  /** Builds and returns a new generation if the topology changed; null otherwise. */
  publishTopology(): TopologyHandle | null {
    if (!this.topologyStale) return null;
    this.builtAtVersion = this.state.topologyVersion;
    this.generation += 1;
    this.topologyHandle = buildTopology(this.state, this.generation, this.keyOf);
    return this.topologyHandle;
  }

  /** The handle of the latest published generation. */
  handle(): NetworkSnapshotHandle {
    return { epoch: this.epoch, topology: this.topologyHandle, edges: this.edges.handle, schedules: this.schedules.handle };
  }

  /** Bytes of the routing structures: topology, per-edge state in use, fee schedule table. */
  routingBytes(): number {
    return this.topologyHandle.buffer.byteLength + this.edges.bytesFor(this.state.slotCount) + this.schedules.bytesUsed;
  }
}

/**
 * A reader's view of one token network: a topology generation plus the live per-edge
 * state, fee schedules and reachability. Cheap to keep per worker and generation.
 */
export class SnapshotView {
  readonly topology: Topology;
  readonly edges: EdgeStoreReader;
  readonly schedules: ScheduleTableReader;
  /** Reachability byte per node key (1 = reachable); see Topology.nodeKey. */
  readonly reach: Uint8Array;

  constructor(
    handle: NetworkSnapshotHandle,
    reach: Uint8Array,
    reuse?: { edges: EdgeStoreReader; schedules: ScheduleTableReader },
  ) {
    this.reach = reach;
    this.topology = new Topology(handle.topology);
    this.edges = reuse?.edges ?? new EdgeStoreReader(handle.edges);
    this.schedules = reuse?.schedules ?? new ScheduleTableReader(handle.schedules);
  }

  /** True if the node is reachable now (spec §8.2). */
  isReachable(node: number): boolean {
    return this.reach[this.topology.nodeKey[node]!] === 1;
  }
}
