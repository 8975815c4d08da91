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

function writeUint256(bytes: Uint8Array, at: number, value: bigint): void {
  let v = value;
  for (let i = 31; i >= 0; i--) {
    bytes[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function readUint256(bytes: Uint8Array, at: number): bigint {
  let hex = '0x';
  for (let i = 0; i < 32; i++) hex += (bytes[at + i]! < 16 ? '0' : '') + bytes[at + i]!.toString(16);
  return BigInt(hex);
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
    const key = feeScheduleKey(schedule);
    const existing = this.ids.get(key);
    if (existing !== undefined) return existing;
    const points = schedule.imbalancePenalty ?? [];
    const bytes = 4 + 64 + points.length * 64;
    ensureBytes(this.handle.arena, this.used + bytes);
    ensureBytes(this.handle.offsets, (this.count + 1) * 4);
    const arena = new Uint8Array(this.handle.arena);
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
    new Uint32Array(this.handle.offsets)[this.count] = at;
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
}

/** The reader side: decodes ids from shared memory, each once per reader. */
export class ScheduleTableReader {
  private readonly arena: Uint8Array;
  private readonly offsets: Uint32Array;
  private readonly header: Int32Array;
  private readonly cache: (DecodedSchedule | undefined)[] = [];

  constructor(handle: ScheduleTableHandle) {
    this.arena = new Uint8Array(handle.arena);
    this.offsets = new Uint32Array(handle.offsets);
    this.header = new Int32Array(handle.header);
  }

  /** The schedule with this id. */
  get(id: number): DecodedSchedule {
    const hit = this.cache[id];
    if (hit !== undefined) return hit;
    if (id >= Atomics.load(this.header, 0)) throw new Error(`unknown fee schedule id ${id}`);
    const decoded = this.decode(this.offsets[id]!);
    this.cache[id] = decoded;
    return decoded;
  }

  private decode(at: number): DecodedSchedule {
    const a = this.arena;
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
    return { schedule, zeroForWeights: isZeroForWeights(schedule), hasPenalty: penalty !== null };
  }
}
