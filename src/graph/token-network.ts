import type { Address } from '../domain/index.ts';
import { DEFAULT_TIMED_FEE_SCHEDULE, type FeeSchedule, TimedFeeSchedule } from './fee-schedule.ts';

/** Dense node index inside one token network, in first-seen order. */
export type NodeId = number;

/** Default reveal timeout of a channel side before any capacity update (spec §3.1). */
export const DEFAULT_REVEAL_TIMEOUT = 50n;

/**
 * Node ids are packed into one number key per node pair (see pairKey), which must stay
 * below 2^53; this caps a token network at 2^21 nodes (100x Ethereum's active nodes).
 */
export const MAX_NODES_PER_NETWORK = 1 << 21;

/** The last capacity update a participant sent for a channel (input of the min-rule). */
export interface ReportedCapacity {
  readonly updating: bigint;
  readonly other: bigint;
}

/** One participant's side of a channel; side 0 belongs to participant1. */
export interface ChannelSide {
  /** What this side can send to the partner, as the PFS assumes it (min-rule). */
  capacity: bigint;
  nonce: bigint;
  revealTimeout: bigint;
  fee: TimedFeeSchedule;
  /** Raw values of this participant's last update; null until it sent one. */
  reported: ReportedCapacity | null;
}

/** An open channel. Participants are sorted by raw byte value (spec §3.1). */
export interface Channel {
  readonly id: bigint;
  readonly participants: readonly [Address, Address];
  readonly nodes: readonly [NodeId, NodeId];
  readonly sides: readonly [ChannelSide, ChannelSide];
  /** Position in the network's open order; decides which parallel channel backs an edge. */
  readonly openSeq: number;
  /** Dense slot in the snapshot's per-channel arrays; assigned in memory, never persisted. */
  readonly slot: number;
}

/**
 * The directed-edge pair between two nodes, as the reference's graph holds it: one edge
 * per ordered pair, positioned by `seq` (when the pair's edges were last added).
 *
 * Parallel channels (reference weakness W7): the reference keeps only the last opened
 * channel and removes the pair's edges when ANY of them closes. Here the pair keeps the
 * list of its open channels; the edges are backed by the most recently opened one, exactly
 * what the reference shows while all are open. Closing a channel that does not back the
 * edges changes nothing in the graph; closing the backing channel hands the edges, at the
 * same position, to the most recently opened remaining channel. The edges leave the graph
 * only when the last channel of the pair closes. Without parallel channels this is the
 * reference's behaviour exactly.
 */
export interface PairEdge {
  readonly lo: NodeId;
  readonly hi: NodeId;
  readonly seq: number;
  /** Open channels of the pair in open order; the last one backs the edges. */
  readonly channels: Channel[];
}

/** Outcome of a ChannelOpened event. */
export type OpenResult =
  | { readonly kind: 'opened'; readonly channel: Channel; readonly newNodes: readonly Address[] }
  | { readonly kind: 'already_open' }
  | { readonly kind: 'same_participants' }
  | { readonly kind: 'too_many_nodes' };

/** Outcome of a ChannelClosed or ChannelSettled event. */
export type CloseResult =
  | { readonly kind: 'closed'; readonly channel: Channel }
  | { readonly kind: 'unknown_channel' };

/** A verified PFSCapacityUpdate, reduced to what the state needs (spec §6.1). */
export interface CapacityUpdate {
  readonly channelId: bigint;
  readonly updating: Address;
  readonly other: Address;
  readonly updatingNonce: bigint;
  readonly otherNonce: bigint;
  readonly updatingCapacity: bigint;
  readonly otherCapacity: bigint;
  readonly revealTimeout: bigint;
}

/** A verified PFSFeeUpdate with its normalised timestamp. */
export interface FeeUpdate {
  readonly channelId: bigint;
  readonly updating: Address;
  readonly schedule: FeeSchedule;
  /** Sortable form `YYYY-MM-DDTHH:MM:SS.ffffff`. */
  readonly timestamp: string;
}

/** Outcome of applying an update; `unknown_channel` means the caller defers it (§6.4). */
export type UpdateResult =
  | { readonly kind: 'applied'; readonly channel: Channel }
  | { readonly kind: 'unknown_channel' }
  | { readonly kind: 'sender_not_participant' }
  | { readonly kind: 'other_not_participant' }
  | { readonly kind: 'timestamp_not_increasing' };

/**
 * Map key of an unordered node pair (a !== b): hi * (hi - 1) / 2 + lo, one-to-one. Below
 * 46,341 nodes every key is under 2^30, a small integer that V8 stores unboxed; a key
 * like lo * 2^32 + hi would cost a heap number per pair (100k allocations at restore).
 */
function pairKey(a: NodeId, b: NodeId): number {
  return a < b ? (b * (b - 1)) / 2 + a : (a * (a - 1)) / 2 + b;
}

/**
 * Map key of a channel id: the number itself when it is a safe integer (numbers hash much
 * faster than bigints), its decimal string otherwise. One-to-one, so lookups are exact.
 */
function channelKey(id: bigint): number | string {
  return id >= 0n && id <= 9007199254740991n ? Number(id) : id.toString();
}

function freshSide(): ChannelSide {
  return {
    capacity: 0n,
    nonce: 0n,
    revealTimeout: DEFAULT_REVEAL_TIMEOUT,
    fee: DEFAULT_TIMED_FEE_SCHEDULE,
    reported: null,
  };
}

/** True when restore() may group pairs through an array of `bound` seqs (not too sparse). */
function inlineSeqBound(bound: number, records: number): boolean {
  return Number.isInteger(bound) && bound > 0 && bound < 4 * records + 1024;
}

/**
 * The state of one token network: its channels, capacities, fee schedules and the
 * insertion order that decides route ties. Single writer (the shard actor); every
 * mutation returns a value describing what happened.
 */
export class TokenNetworkState {
  readonly address: Address;
  settleTimeout: bigint;

  /** Node addresses in first-seen order; index = NodeId. Nodes are never removed. */
  readonly nodes: Address[] = [];
  private readonly nodeIndex = new Map<Address, NodeId>();
  /** Open channels by id (see channelKey), in open order. */
  private readonly channels = new Map<number | string, Channel>();
  /** Pair edges keyed by pairKey; Map insertion order equals ascending `seq`. */
  private readonly pairs = new Map<number, PairEdge>();

  private nextEdgeSeq = 0;
  private nextOpenSeq = 0;
  private nextSlot = 0;
  /** Incremented whenever the graph's edge set or an edge's backing channel changes. */
  topologyVersion = 0;

  constructor(address: Address, settleTimeout: bigint) {
    this.address = address;
    this.settleTimeout = settleTimeout;
  }

  /** Number of open channels. */
  get channelCount(): number {
    return this.channels.size;
  }

  /** Snapshot slots handed out so far (slots of closed channels are not reused). */
  get slotCount(): number {
    return this.nextSlot;
  }

  /** The open channel with this id, if any. */
  channel(id: bigint): Channel | undefined {
    return this.channels.get(channelKey(id));
  }

  /** Open channels in open order. */
  openChannels(): IterableIterator<Channel> {
    return this.channels.values();
  }

  /** Number of node pairs with edges. */
  get pairCount(): number {
    return this.pairs.size;
  }

  /** Pair edges in ascending `seq`, i.e. the order the reference graph added them. */
  pairEdges(): IterableIterator<PairEdge> {
    return this.pairs.values();
  }

  /** NodeId of an address, if it was ever part of a channel. */
  nodeId(address: Address): NodeId | undefined {
    return this.nodeIndex.get(address);
  }

  /** The channel whose state the edges of this node pair show, if the pair has edges. */
  backingChannel(a: NodeId, b: NodeId): Channel | undefined {
    const pair = this.pairs.get(pairKey(a, b));
    return pair?.channels[pair.channels.length - 1];
  }

  /** Counters needed to continue the exact order after a restart. */
  orderCounters(): { nextEdgeSeq: number; nextOpenSeq: number } {
    return { nextEdgeSeq: this.nextEdgeSeq, nextOpenSeq: this.nextOpenSeq };
  }

  /** The pair edge of a channel's two nodes. */
  pairOf(channel: Channel): PairEdge | undefined {
    return this.pairs.get(pairKey(channel.nodes[0], channel.nodes[1]));
  }

  private addNode(address: Address): NodeId {
    const existing = this.nodeIndex.get(address);
    if (existing !== undefined) return existing;
    const id = this.nodes.length;
    this.nodes.push(address);
    this.nodeIndex.set(address, id);
    return id;
  }

  /**
   * ChannelOpened. A channel id that is already open is a no-op: the reference resets
   * the channel, which loses updates that arrived in between (event-log spec).
   */
  openChannel(id: bigint, a: Address, b: Address): OpenResult {
    if (a === b) return { kind: 'same_participants' };
    if (this.channels.has(channelKey(id))) return { kind: 'already_open' };
    const [p1, p2] = a < b ? [a, b] : [b, a];
    const newNodes: Address[] = [];
    if (!this.nodeIndex.has(p1)) newNodes.push(p1);
    if (!this.nodeIndex.has(p2)) newNodes.push(p2);
    if (this.nodes.length + newNodes.length > MAX_NODES_PER_NETWORK) return { kind: 'too_many_nodes' };
    // networkx add_edge(p1, p2) adds p1 before p2 when both are new.
    const n1 = this.addNode(p1);
    const n2 = this.addNode(p2);
    const channel: Channel = {
      id,
      participants: [p1, p2],
      nodes: [n1, n2],
      sides: [freshSide(), freshSide()],
      openSeq: this.nextOpenSeq++,
      slot: this.nextSlot++,
    };
    this.channels.set(channelKey(id), channel);
    this.attachToPair(channel, null);
    return { kind: 'opened', channel, newNodes };
  }

  /** Adds a channel to its pair, creating the pair edge (at the end) when absent. */
  private attachToPair(channel: Channel, restoredSeq: number | null): void {
    const key = pairKey(channel.nodes[0], channel.nodes[1]);
    const pair = this.pairs.get(key);
    if (pair === undefined) {
      const seq = restoredSeq ?? this.nextEdgeSeq++;
      const [n1, n2] = channel.nodes;
      this.pairs.set(key, { lo: Math.min(n1, n2), hi: Math.max(n1, n2), seq, channels: [channel] });
    } else {
      pair.channels.push(channel);
    }
    this.topologyVersion++;
  }

  /** ChannelClosed and ChannelSettled: the channel leaves the graph at close (§7.1). */
  closeChannel(id: bigint): CloseResult {
    const idKey = channelKey(id);
    const channel = this.channels.get(idKey);
    if (channel === undefined) return { kind: 'unknown_channel' };
    this.channels.delete(idKey);
    const key = pairKey(channel.nodes[0], channel.nodes[1]);
    const pair = this.pairs.get(key);
    if (pair !== undefined) {
      const index = pair.channels.indexOf(channel);
      const wasBacking = index === pair.channels.length - 1;
      if (index >= 0) pair.channels.splice(index, 1);
      if (pair.channels.length === 0) {
        this.pairs.delete(key);
        this.topologyVersion++;
      } else if (wasBacking) {
        this.topologyVersion++;
      }
    }
    return { kind: 'closed', channel };
  }

  private sideIndex(channel: Channel, address: Address): 0 | 1 | null {
    if (channel.participants[0] === address) return 0;
    if (channel.participants[1] === address) return 1;
    return null;
  }

  /**
   * PFSCapacityUpdate with the min-rule of ADR 001 (spec §6.5): each direction becomes the
   * lower of what its sender and its receiver last reported, so one party can only lower
   * what the service assumes. Nonces are stored, not checked, as in the reference.
   */
  applyCapacityUpdate(u: CapacityUpdate): UpdateResult {
    const channel = this.channels.get(channelKey(u.channelId));
    if (channel === undefined) return { kind: 'unknown_channel' };
    const us = this.sideIndex(channel, u.updating);
    if (us === null) return { kind: 'sender_not_participant' };
    const them = us === 0 ? 1 : 0;
    if (channel.participants[them] !== u.other) return { kind: 'other_not_participant' };
    const mine = channel.sides[us];
    const theirs = channel.sides[them];
    mine.reported = { updating: u.updatingCapacity, other: u.otherCapacity };
    const partnerUpdating = theirs.reported?.updating ?? 0n;
    const partnerOther = theirs.reported?.other ?? 0n;
    mine.capacity = u.updatingCapacity < partnerOther ? u.updatingCapacity : partnerOther;
    mine.nonce = u.updatingNonce;
    mine.revealTimeout = u.revealTimeout;
    theirs.capacity = u.otherCapacity < partnerUpdating ? u.otherCapacity : partnerUpdating;
    theirs.nonce = u.otherNonce;
    return { kind: 'applied', channel };
  }

  /**
   * PFSFeeUpdate: replaces the updating participant's schedule on this channel if its
   * timestamp is strictly later than the stored one (spec §6.3 step 8).
   */
  applyFeeUpdate(u: FeeUpdate): UpdateResult {
    const channel = this.channels.get(channelKey(u.channelId));
    if (channel === undefined) return { kind: 'unknown_channel' };
    const us = this.sideIndex(channel, u.updating);
    if (us === null) return { kind: 'sender_not_participant' };
    const side = channel.sides[us];
    if (u.timestamp <= side.fee.timestamp) return { kind: 'timestamp_not_increasing' };
    side.fee = TimedFeeSchedule.of(u.schedule, u.timestamp);
    return { kind: 'applied', channel };
  }

  /** restore(): pairs grouped by seq; false (with `pairs` partly filled) if the records are unusual. */
  private restorePairsBySeq(channels: readonly Channel[], records: readonly RestoredChannel[], maxSeq: number): boolean {
    const bySeq: (Channel[] | undefined)[] = new Array<Channel[] | undefined>(maxSeq + 1);
    for (let i = 0; i < channels.length; i++) {
      const seq = records[i]!.edgeSeq;
      const list = bySeq[seq];
      if (list === undefined) bySeq[seq] = [channels[i]!];
      else list.push(channels[i]!);
    }
    for (let seq = 0; seq <= maxSeq; seq++) {
      const list = bySeq[seq];
      if (list === undefined) continue;
      const [n1, n2] = list[0]!.nodes;
      const key = pairKey(n1, n2);
      for (let k = 1; k < list.length; k++) if (pairKey(list[k]!.nodes[0], list[k]!.nodes[1]) !== key) return false;
      const size = this.pairs.size;
      this.pairs.set(key, { lo: Math.min(n1, n2), hi: Math.max(n1, n2), seq, channels: list });
      if (this.pairs.size === size) return false; // the pair came under an earlier seq too
    }
    return true;
  }

  /** restore(): pairs grouped by node pair, each at the seq of its first channel, sorted by seq. */
  private restorePairsByNodes(channels: readonly Channel[], records: readonly RestoredChannel[]): void {
    const pending = new Map<number, { seq: number; channels: Channel[] }>();
    for (let i = 0; i < channels.length; i++) {
      const channel = channels[i]!;
      const key = pairKey(channel.nodes[0], channel.nodes[1]);
      const pair = pending.get(key);
      if (pair === undefined) pending.set(key, { seq: records[i]!.edgeSeq, channels: [channel] });
      else pair.channels.push(channel);
    }
    let pairs = [...pending.entries()];
    for (let i = 1; i < pairs.length; i++) {
      if (pairs[i]![1].seq < pairs[i - 1]![1].seq) {
        pairs = pairs.sort((x, y) => x[1].seq - y[1].seq);
        break;
      }
    }
    for (const [key, p] of pairs) {
      const [n1, n2] = p.channels[0]!.nodes;
      this.pairs.set(key, { lo: Math.min(n1, n2), hi: Math.max(n1, n2), seq: p.seq, channels: p.channels });
    }
  }

  /**
   * Restores state saved with `orderCounters`, the node list and the channel records, so
   * that node order, edge order and parallel-channel backing equal the live state's.
   * Channels must come with their pair's edge `seq`. The state takes ownership of the
   * records' side objects (they are mutated by later updates).
   */
  static restore(input: {
    address: Address;
    settleTimeout: bigint;
    nodes: readonly Address[];
    nextEdgeSeq: number;
    nextOpenSeq: number;
    channels: readonly RestoredChannel[];
  }): TokenNetworkState {
    const state = new TokenNetworkState(input.address, input.settleTimeout);
    const list = input.nodes;
    for (let i = 0; i < list.length; i++) state.addNode(list[i]!);
    // channels in open order (records usually arrive in it; sort only if they do not)
    let records = input.channels;
    for (let i = 1; i < records.length; i++) {
      if (records[i]!.openSeq < records[i - 1]!.openSeq) {
        records = [...records].sort((x, y) => x.openSeq - y.openSeq);
        break;
      }
    }
    const nodeIndex = state.nodeIndex;
    const channels: Channel[] = new Array<Channel>(records.length);
    let maxSeq = -1;
    let seqsOk = true;
    // Pair edges in seq order (the reference graph's insertion order). Records from a live
    // state usually meet their pairs in ascending seq (a pair's seq is taken when its first
    // channel opens), so the pairs are added in this same pass, found again through an
    // array indexed by seq. A record that breaks this (a smaller seq than an earlier new
    // pair: e.g. a parallel channel that outlived the pair's first one) stops the inline
    // grouping, and the pairs are grouped afterwards instead (restorePairsBySeq).
    const bound = input.nextEdgeSeq;
    const pairBySeq: (PairEdge | undefined)[] = inlineSeqBound(bound, records.length) ? new Array<PairEdge | undefined>(bound) : [];
    let inline = pairBySeq.length > 0;
    let lastNewSeq = -1;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const n1 = nodeIndex.get(r.participants[0]);
      const n2 = nodeIndex.get(r.participants[1]);
      if (n1 === undefined || n2 === undefined) throw new Error(`channel ${r.id} names an unknown node`);
      const channel: Channel = { id: r.id, participants: r.participants, nodes: [n1, n2], sides: r.sides, openSeq: r.openSeq, slot: i };
      state.channels.set(channelKey(r.id), channel);
      channels[i] = channel;
      const seq = r.edgeSeq;
      if (!(Number.isInteger(seq) && seq >= 0)) {
        seqsOk = false;
        inline = false;
        continue;
      }
      if (seq > maxSeq) maxSeq = seq;
      if (!inline) continue;
      if (seq >= bound) {
        inline = false;
        continue;
      }
      const key = pairKey(n1, n2);
      const pair = pairBySeq[seq];
      if (pair === undefined) {
        if (seq <= lastNewSeq) {
          inline = false;
          continue;
        }
        const created: PairEdge = { lo: Math.min(n1, n2), hi: Math.max(n1, n2), seq, channels: [channel] };
        const size = state.pairs.size;
        state.pairs.set(key, created);
        if (state.pairs.size === size) inline = false; // the pair came under an earlier seq too
        pairBySeq[seq] = created;
        lastNewSeq = seq;
      } else if (pairKey(pair.lo, pair.hi) === key) {
        pair.channels.push(channel);
      } else {
        inline = false; // a seq shared by two node pairs
      }
    }
    state.nextSlot = records.length;
    // Anything unusual for the array grouping (sparse seqs, a seq shared by two node pairs,
    // a pair under two seqs) takes the general path, which groups by node pair like the
    // live state does.
    if (!inline) {
      state.pairs.clear();
      if (!(seqsOk && maxSeq < 4 * records.length + 1024 && state.restorePairsBySeq(channels, records, maxSeq))) {
        state.pairs.clear();
        state.restorePairsByNodes(channels, records);
      }
    }
    state.topologyVersion++;
    state.nextEdgeSeq = input.nextEdgeSeq;
    state.nextOpenSeq = input.nextOpenSeq;
    return state;
  }
}

/** A channel as persisted: its state plus the order information. */
export interface RestoredChannel {
  readonly id: bigint;
  readonly participants: readonly [Address, Address];
  readonly sides: readonly [ChannelSide, ChannelSide];
  readonly openSeq: number;
  /** `seq` of the pair edge the channel belongs to. */
  readonly edgeSeq: number;
}
