import type { EdgeStoreHandle } from './edge-store.ts';
import type { NetworkSnapshotHandle } from './network-snapshot.ts';
import type { ScheduleTableHandle } from './schedule-table.ts';
import { Topology, type TopologyHandle } from './topology.ts';

/**
 * A published snapshot as bytes, so a restart can serve a token network at once instead
 * of rebuilding it from every channel record first (about 20 µs per channel: seconds for
 * 100,000 channels). The image holds the shared buffers as they are: topology generation,
 * per-edge state, fee-schedule table. It is only ever used read-only; the shard rebuilds
 * its writable state from the records afterwards and publishes a fresh snapshot.
 *
 * Layout: "PFSI", version byte, u32 header length, JSON header, then each buffer at an
 * 8-byte aligned offset. The header names every buffer with its length and the maximum
 * length of growable ones.
 */

const MAGIC = 'PFSI';
const FORMAT = 3; // 2: schedule weight records; 3: one record per channel

interface BufferEntry {
  readonly name: string;
  readonly length: number;
  /** maxByteLength of a growable buffer; null for a fixed one. */
  readonly max: number | null;
}

interface ImageHeader {
  readonly topology: Omit<TopologyHandle, 'buffer'>;
  readonly buffers: readonly BufferEntry[];
  /** Figures the writer wants back (e.g. the channel count for metrics). */
  readonly meta: Readonly<Record<string, number>>;
}

/** A decoded image: the handle and the writer's figures. */
export interface SnapshotImage {
  readonly handle: NetworkSnapshotHandle;
  readonly meta: Readonly<Record<string, number>>;
}

function buffersOf(h: NetworkSnapshotHandle): [string, SharedArrayBuffer][] {
  const e: EdgeStoreHandle = h.edges;
  const s: ScheduleTableHandle = h.schedules;
  return [
    ['topology', h.topology.buffer],
    ['edges.records', e.records],
    ['edges.big', e.big],
    ['schedules.arena', s.arena],
    ['schedules.offsets', s.offsets],
    ['schedules.header', s.header],
    ['schedules.weights', s.weights],
  ];
}

const align = (n: number): number => (n + 7) & ~7;

/** The image of a snapshot. Call it on the writer's thread (no writes may run meanwhile). */
export function encodeSnapshotImage(h: NetworkSnapshotHandle, meta: Readonly<Record<string, number>> = {}): Buffer {
  const buffers = buffersOf(h);
  const { buffer: _buffer, ...topology } = h.topology;
  const header: ImageHeader = {
    topology,
    buffers: buffers.map(([name, b]) => ({ name, length: b.byteLength, max: b.growable ? b.maxByteLength : null })),
    meta,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align(4 + 1 + 4 + json.length);
  const total = buffers.reduce((at, [, b]) => align(at + b.byteLength), start);
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, 'latin1');
  out[4] = FORMAT;
  out.writeUInt32BE(json.length, 5);
  json.copy(out, 9);
  let at = start;
  for (const [, b] of buffers) {
    out.set(new Uint8Array(b), at);
    at = align(at + b.byteLength);
  }
  return out;
}

/**
 * A snapshot handle with fresh shared buffers holding the image's bytes, under a new
 * epoch (so readers never mix it with buffers of another writer), or null when the bytes
 * are not an image of this format.
 */
export function decodeSnapshotImage(image: Uint8Array, epoch: string): SnapshotImage | null {
  const b = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (b.length < 9 || b.toString('latin1', 0, 4) !== MAGIC || b[4] !== FORMAT) return null;
  const length = b.readUInt32BE(5);
  let header: ImageHeader;
  try {
    header = JSON.parse(b.toString('utf8', 9, 9 + length)) as ImageHeader;
  } catch {
    return null;
  }
  const copies = new Map<string, SharedArrayBuffer>();
  let at = align(9 + length);
  for (const entry of header.buffers) {
    if (at + entry.length > b.length) return null;
    const shared = entry.max === null ? new SharedArrayBuffer(entry.length) : new SharedArrayBuffer(entry.length, { maxByteLength: entry.max });
    new Uint8Array(shared).set(b.subarray(at, at + entry.length));
    copies.set(entry.name, shared);
    at = align(at + entry.length);
  }
  const get = (name: string): SharedArrayBuffer | undefined => copies.get(name);
  const names = ['topology', 'edges.records', 'edges.big', 'schedules.arena', 'schedules.offsets', 'schedules.header', 'schedules.weights'];
  if (names.some((n) => get(n) === undefined)) return null;
  const handle: NetworkSnapshotHandle = {
    epoch,
    topology: { ...header.topology, buffer: get('topology')! },
    edges: { records: get('edges.records')!, big: get('edges.big')! },
    schedules: { arena: get('schedules.arena')!, offsets: get('schedules.offsets')!, header: get('schedules.header')!, weights: get('schedules.weights')! },
  };
  return { handle, meta: header.meta ?? {} };
}

/**
 * True when every node of the image maps to the registry index its topology was built
 * with: reachability is looked up by that index, so an image is only usable against the
 * same address registry (after a clean stop the stored registry is exactly that).
 */
export function imageMatchesRegistry(h: NetworkSnapshotHandle, lookup: (address: string) => number): boolean {
  const topology = new Topology(h.topology);
  for (let node = 0; node < topology.nodeCount; node++) {
    if (lookup(topology.address(node)) !== topology.nodeKey[node]) return false;
  }
  return true;
}
