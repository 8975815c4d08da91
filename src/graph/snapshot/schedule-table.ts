import { DEFAULT_FEE_SCHEDULE, type FeeSchedule, type PenaltyPoint, feeScheduleKey, isZeroForWeights } from '../fee-schedule.ts';
import { ensureBytes, growableBuffer } from './shared-memory.ts';

/**
 * Fee schedules shared with readers. Schedules are few compared to edges and immutable, so
 * each distinct schedule is stored once in an append-only byte arena and edges refer to it
 * by id. Id 0 is the default schedule. Readers decode an id once and cache the object.
 *
 * Entry layout: capFees (1 byte), reserved (1), point count (u16 LE), flat (32 bytes BE),
 * proportional (32 BE), then per point x (32 BE) and y (32 BE).
 */

/** Handles a reader needs to decode schedules (structured-clone safe). */
export interface ScheduleTableHandle {
  readonly arena: SharedArrayBuffer;
  readonly offsets: SharedArrayBuffer;
  /** Int32 [count]: number of published entries. */
  readonly header: SharedArrayBuffer;
}

const MAX_ARENA_BYTES = 1 << 30;
const MAX_ENTRIES = 1 << 24;

const MASK64 = (1n << 64n) - 1n;

function writeUint256(bytes: Uint8Array, at: number, value: bigint): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 32);
  view.setBigUint64(24, value & MASK64);
  view.setBigUint64(16, (value >> 64n) & MASK64);
  view.setBigUint64(8, (value >> 128n) & MASK64);
  view.setBigUint64(0, value >> 192n);
}

function readUint256(bytes: Uint8Array, at: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 32);
  const w0 = view.getUint32(0);
  const w1 = view.getUint32(4);
  const w2 = view.getUint32(8);
  const w3 = view.getUint32(12);
  const w4 = view.getUint32(16);
  const w5 = view.getUint32(20);
  const lo = view.getBigUint64(24);
  // Most values fit in 64 or 128 bits; skip the shifts for the empty words.
  if ((w0 | w1 | w2 | w3 | w4 | w5) === 0) return lo;
  if ((w0 | w1 | w2 | w3) === 0) return (view.getBigUint64(16) << 64n) | lo;
  return (view.getBigUint64(0) << 192n) | (view.getBigUint64(8) << 128n) | (view.getBigUint64(16) << 64n) | lo;
}

/** The writer side: interns schedules and returns their ids. Single writer (the shard). */
export class ScheduleTableWriter {
  readonly handle: ScheduleTableHandle;
  private readonly ids = new Map<string, number>();
  private used = 0;
  private count = 0;

  constructor() {
    this.handle = {
      arena: growableBuffer(4096, MAX_ARENA_BYTES),
      offsets: growableBuffer(4096, MAX_ENTRIES * 4),
      header: new SharedArrayBuffer(8),
    };
    const id = this.intern(DEFAULT_FEE_SCHEDULE);
    if (id !== 0) throw new Error('invariant: default schedule must be id 0');
  }

  /** Number of distinct schedules stored. */
  get size(): number {
    return this.count;
  }

  /** Returns the id of `schedule`, storing it first if it is new. */
  intern(schedule: FeeSchedule): number {
    if (schedule === DEFAULT_FEE_SCHEDULE && this.count > 0) return 0;
    const key = feeScheduleKey(schedule);
    const existing = this.ids.get(key);
    if (existing !== undefined) return existing;
    const points = schedule.imbalancePenalty ?? [];
    const bytes = 4 + 64 + points.length * 64;
    ensureBytes(this.handle.arena, this.used + bytes);
    ensureBytes(this.handle.offsets, (this.count + 1) * 4);
    const arena = new Uint8Array(this.handle.arena, 0, this.handle.arena.byteLength);
    const at = this.used;
    arena[at] = schedule.capFees ? 1 : 0;
    arena[at + 1] = schedule.imbalancePenalty === null ? 0 : 1;
    arena[at + 2] = points.length & 0xff;
    arena[at + 3] = points.length >> 8;
    writeUint256(arena, at + 4, schedule.flat);
    writeUint256(arena, at + 36, schedule.proportional);
    for (let i = 0; i < points.length; i++) {
      writeUint256(arena, at + 68 + i * 64, points[i]![0]);
      writeUint256(arena, at + 100 + i * 64, points[i]![1]);
    }
    new Uint32Array(this.handle.offsets, 0, this.count + 1)[this.count] = at;
    this.used += bytes;
    const id = this.count++;
    // Publish after the bytes are written: readers only decode ids below the count.
    Atomics.store(new Int32Array(this.handle.header), 0, this.count);
    this.ids.set(key, id);
    return id;
  }
}

/** A decoded schedule with the flags the weight fast paths need. */
export interface DecodedSchedule {
  readonly schedule: FeeSchedule;
  /** Flat, proportional and penalty all absent: contributes nothing to an edge weight. */
  readonly zeroForWeights: boolean;
  readonly hasPenalty: boolean;
  /** Number(flat) and Number(proportional): rounded, for lower bounds only. */
  readonly flatShadow: number;
  readonly proportionalShadow: number;
}

/** The reader side: decodes ids from shared memory, each once per reader. */
export class ScheduleTableReader {
  private readonly handle: ScheduleTableHandle;
  private readonly header: Int32Array;
  private readonly cache: (DecodedSchedule | undefined)[] = [];

  constructor(handle: ScheduleTableHandle) {
    this.handle = handle;
    this.header = new Int32Array(handle.header);
  }

  /** The schedule with this id; decoded once, then served from the cache. */
  get(id: number): DecodedSchedule {
    const hit = this.cache[id];
    if (hit !== undefined) return hit;
    const count = Atomics.load(this.header, 0);
    if (id >= count) throw new Error(`unknown fee schedule id ${id}`);
    // keep the cache array dense (holes would turn it into a slow dictionary)
    while (this.cache.length < count) this.cache.push(undefined);
    // Fixed-length views of the current size (entries below the count are complete).
    const offsets = new Uint32Array(this.handle.offsets, 0, id + 1);
    const decoded = this.decode(new Uint8Array(this.handle.arena, 0, this.handle.arena.byteLength), offsets[id]!);
    this.cache[id] = decoded;
    return decoded;
  }

  private decode(a: Uint8Array, at: number): DecodedSchedule {
    const n = a[at + 2]! | (a[at + 3]! << 8);
    let penalty: PenaltyPoint[] | null = null;
    if (a[at + 1] === 1) {
      penalty = [];
      for (let i = 0; i < n; i++) {
        penalty.push([readUint256(a, at + 68 + i * 64), readUint256(a, at + 100 + i * 64)]);
      }
    }
    const schedule: FeeSchedule = {
      capFees: a[at] === 1,
      flat: readUint256(a, at + 4),
      proportional: readUint256(a, at + 36),
      imbalancePenalty: penalty,
    };
    return {
      schedule,
      zeroForWeights: isZeroForWeights(schedule),
      hasPenalty: penalty !== null,
      flatShadow: Number(schedule.flat),
      proportionalShadow: Number(schedule.proportional),
    };
  }
}
