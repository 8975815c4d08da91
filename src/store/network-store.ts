import { type Address, addressFromBytes, addressToBytes, writeAddressBytes } from '../domain/index.ts';
import {
  type Channel,
  type ChannelSide,
  type RestoredChannel,
  TimedFeeSchedule,
  TokenNetworkState,
} from '../graph/index.ts';
import { Reader, Writer, writeUint256BE } from './codec.ts';
import type { Store } from './environment.ts';

/**
 * Persistence of one token network's state: its record (settle timeout, order counters,
 * source positions), its nodes in order, its channels. Writes are queued on the store and
 * committed together with everything else queued in the same event turn (one LMDB
 * transaction), so a batch of events and its source position land atomically.
 */

/** The stored record of a token network. */
export interface NetworkRecord {
  readonly address: Address;
  readonly tokenAddress: Address;
  readonly settleTimeout: bigint;
  /** Order in which networks were created (decides shard placement on every start). */
  readonly createdSeq: number;
  readonly nextEdgeSeq: number;
  readonly nextOpenSeq: number;
  readonly nodeCount: number;
  /** Highest confirmed block whose events are applied. */
  readonly block: number;
  /** Per input source, the position up to which its events are applied here. */
  readonly positions: ReadonlyMap<string, number>;
}

/** The 20-byte key of a token network (the prefix of its key range). */
export function networkKey(network: Address): Buffer {
  return Buffer.from(addressToBytes(network));
}

function nodeKey(network: Address, index: number): Buffer {
  const k = Buffer.allocUnsafe(24);
  writeAddressBytes(network, k, 0);
  k.writeUInt32BE(index, 20);
  return k;
}

function channelKey(network: Address, id: bigint): Buffer {
  const k = Buffer.allocUnsafe(52);
  writeAddressBytes(network, k, 0);
  writeUint256BE(k, 20, id);
  return k;
}

/**
 * Range covering every key of a network in a table keyed `network ‖ ...`: keys are longer
 * than the 20-byte prefix, so they sort after it and before prefix ‖ ff...ff (longer than
 * any key used here).
 */
export function networkRange(network: Address): { start: Buffer; end: Buffer } {
  const start = Buffer.from(addressToBytes(network));
  return { start, end: Buffer.concat([start, Buffer.alloc(64, 0xff)]) };
}

/** Encodes a network record. */
export function encodeNetwork(r: NetworkRecord): Buffer {
  const w = new Writer()
    .u8(1) // record version
    .fixed(addressToBytes(r.tokenAddress))
    .uint(r.settleTimeout)
    .u53(r.createdSeq)
    .u53(r.nextEdgeSeq)
    .u53(r.nextOpenSeq)
    .u53(r.nodeCount)
    .u53(r.block)
    .u32(r.positions.size);
  for (const [source, position] of r.positions) w.string(source).u53(position);
  return w.done();
}

/** Decodes a network record. */
export function decodeNetwork(address: Address, b: Buffer): NetworkRecord {
  const r = new Reader(b);
  if (r.u8() !== 1) throw new Error('unknown network record version');
  const tokenAddress = addressFromBytes(r.fixed(20));
  const settleTimeout = r.uint();
  const createdSeq = r.u53();
  const nextEdgeSeq = r.u53();
  const nextOpenSeq = r.u53();
  const nodeCount = r.u53();
  const block = r.u53();
  const positions = new Map<string, number>();
  for (let n = r.u32(); n > 0; n--) positions.set(r.string(), r.u53());
  return { address, tokenAddress, settleTimeout, createdSeq, nextEdgeSeq, nextOpenSeq, nodeCount, block, positions };
}

function writeSide(w: Writer, s: ChannelSide): void {
  w.uint(s.capacity).uint(s.nonce).uint(s.revealTimeout);
  if (s.reported === null) w.u8(0);
  else w.u8(1).uint(s.reported.updating).uint(s.reported.other);
  w.bytes(s.fee.encoded).string(s.fee.timestamp);
}

function readSide(r: Reader): ChannelSide {
  const capacity = r.uint();
  const nonce = r.uint();
  const revealTimeout = r.uint();
  const reported = r.u8() === 1 ? { updating: r.uint(), other: r.uint() } : null;
  const encoded = r.bytes();
  const timestamp = r.string();
  return { capacity, nonce, revealTimeout, fee: TimedFeeSchedule.fromEncoded(encoded, timestamp), reported };
}

/** Encodes a channel with the order information a restore needs. */
export function encodeChannel(c: Channel, edgeSeq: number): Buffer {
  const w = new Writer(160)
    .u8(1)
    .fixed(addressToBytes(c.participants[0]))
    .fixed(addressToBytes(c.participants[1]))
    .u53(c.openSeq)
    .u53(edgeSeq);
  writeSide(w, c.sides[0]);
  writeSide(w, c.sides[1]);
  return w.done();
}

/** Decodes a channel record. */
export function decodeChannel(id: bigint, b: Buffer): RestoredChannel {
  const r = new Reader(b);
  if (r.u8() !== 1) throw new Error('unknown channel record version');
  const p1 = r.address() as Address;
  const p2 = r.address() as Address;
  const openSeq = r.u53();
  const edgeSeq = r.u53();
  const s1 = readSide(r);
  const s2 = readSide(r);
  return { id, participants: [p1, p2], sides: [s1, s2], openSeq, edgeSeq };
}

/** Reads and writes one token network's key range. */
export class NetworkStore {
  private readonly store: Store;
  readonly network: Address;

  constructor(store: Store, network: Address) {
    this.store = store;
    this.network = network;
  }

  /** The stored record, if the network exists. */
  record(): NetworkRecord | undefined {
    const b = this.store.dbs.networks.get(networkKey(this.network));
    return b === undefined ? undefined : decodeNetwork(this.network, b);
  }

  /** Rebuilds the state: nodes in order, channels with their order, counters. */
  load(): { state: TokenNetworkState; record: NetworkRecord } | undefined {
    const record = this.record();
    if (record === undefined) return undefined;
    const { dbs } = this.store;
    const nodes: Address[] = [];
    for (const { value } of dbs.nodes.getRange(networkRange(this.network))) nodes.push(('0x' + value.toString('hex')) as Address);
    if (nodes.length !== record.nodeCount) {
      throw new Error(`network ${this.network}: ${nodes.length} stored nodes, record says ${record.nodeCount}`);
    }
    const channels: RestoredChannel[] = [];
    for (const { key, value } of dbs.channels.getRange(networkRange(this.network))) {
      channels.push(decodeChannel(BigInt('0x' + key.toString('hex', 20, 52)), value));
    }
    const state = TokenNetworkState.restore({
      address: this.network,
      settleTimeout: record.settleTimeout,
      nodes,
      nextEdgeSeq: record.nextEdgeSeq,
      nextOpenSeq: record.nextOpenSeq,
      channels,
    });
    return { state, record };
  }

  /** Queues the network record. */
  putRecord(r: NetworkRecord): void {
    void this.store.dbs.networks.put(networkKey(this.network), encodeNetwork(r));
  }

  /** Queues a node (appended at `index`). */
  putNode(index: number, address: Address): void {
    void this.store.dbs.nodes.put(nodeKey(this.network, index), Buffer.from(addressToBytes(address)));
  }

  /** Queues a channel's current state. */
  putChannel(c: Channel, edgeSeq: number): void {
    void this.store.dbs.channels.put(channelKey(this.network, c.id), encodeChannel(c, edgeSeq));
  }

  /** Queues the removal of a channel. */
  removeChannel(id: bigint): void {
    void this.store.dbs.channels.remove(channelKey(this.network, id));
  }

  /** Resolves when everything queued so far is committed. */
  committed(): Promise<unknown> {
    return this.store.env.committed;
  }
}

/** Addresses of all stored token networks in creation order. */
export function listNetworks(store: Store): NetworkRecord[] {
  const out: NetworkRecord[] = [];
  for (const { key, value } of store.dbs.networks.getRange({})) out.push(decodeNetwork(addressFromBytes(key), value));
  return out.sort((a, b) => a.createdSeq - b.createdSeq);
}
