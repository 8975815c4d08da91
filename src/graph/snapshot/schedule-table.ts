import { DEFAULT_FEE_SCHEDULE, DEFAULT_TIMED_FEE_SCHEDULE, type FeeSchedule, isZeroForWeights } from '../fee-schedule.ts';
import { decodeFeeSchedule, encodeFeeSchedule } from '../fee-schedule-codec.ts';
import { ensureBytes, growableBuffer } from './shared-memory.ts';

/**
 * Fee schedules shared with readers. Schedules are few compared to edges and immutable, so
 * each distinct schedule is stored once in an append-only byte arena, in its canonical
 * encoding (fee-schedule-codec.ts), and edges refer to it by id. Id 0 is the default
 * schedule. Readers decode an id once and cache the object.
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

/** The default schedule's encoding, shared so interning it is a pointer comparison. */
const DEFAULT_ENCODED = DEFAULT_TIMED_FEE_SCHEDULE.encoded;

/** The writer side: interns schedules and returns their ids. Single writer (the shard). */
export class ScheduleTableWriter {
  readonly handle: ScheduleTableHandle;
  /**
   * Dedupe index: open addressing over the hash of the encoded bytes; each used slot holds
   * id + 1 and the full hash of that id (0 = empty). Kept at most half full.
   */
  private table = new Int32Array(2 * 1024);
  private tableMask = 1023;
  private arena: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private offsets: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private readonly header: Int32Array;
  private used = 0;
  private count = 0;

  constructor() {
    this.handle = {
      arena: growableBuffer(4096, MAX_ARENA_BYTES),
      offsets: growableBuffer(4096, MAX_ENTRIES * 4),
      header: new SharedArrayBuffer(8),
    };
    this.header = new Int32Array(this.handle.header);
    const id = this.intern(DEFAULT_FEE_SCHEDULE);
    if (id !== 0) throw new Error('invariant: default schedule must be id 0');
  }

  /** Number of distinct schedules stored. */
  get size(): number {
    return this.count;
  }

  /** Bytes used by the stored schedules (arena and offsets). */
  get bytesUsed(): number {
    return this.used + this.count * 4;
  }

  /** Returns the id of `schedule`, storing it first if it is new. */
  intern(schedule: FeeSchedule): number {
    if (schedule === DEFAULT_FEE_SCHEDULE && this.count > 0) return 0;
    return this.internEncoded(encodeFeeSchedule(schedule));
  }

  /** Returns the id of a canonically encoded schedule, storing it first if it is new. */
  internEncoded(b: Uint8Array): number {
    if (b === DEFAULT_ENCODED && this.count > 0) return 0;
    const p = b.length;
    let hash = 0x811c9dc5;
    for (let i = 0; i < p; i++) hash = Math.imul(hash ^ b[i]!, 0x01000193);
    hash |= 0;
    const table = this.table;
    const mask = this.tableMask;
    let h = (hash ^ (hash >>> 15)) & mask;
    for (;;) {
      const entry = table[2 * h]!;
      if (entry === 0) break;
      if (table[2 * h + 1] === hash && this.sameBytes(entry - 1, b, p)) return entry - 1;
      h = (h + 1) & mask;
    }
    if (this.used + p > this.arena.length || this.count + 1 > this.offsets.length) {
      ensureBytes(this.handle.arena, this.used + p);
      ensureBytes(this.handle.offsets, (this.count + 1) * 4);
      this.arena = new Uint8Array(this.handle.arena, 0, this.handle.arena.byteLength);
      this.offsets = new Uint32Array(this.handle.offsets, 0, this.handle.offsets.byteLength / 4);
    }
    const at = this.used;
    this.arena.set(b, at);
    this.offsets[this.count] = at;
    this.used += p;
    const id = this.count++;
    // Publish after the bytes are written: readers only decode ids below the count.
    Atomics.store(this.header, 0, this.count);
    table[2 * h] = id + 1;
    table[2 * h + 1] = hash;
    if (2 * this.count > mask) this.growTable();
    return id;
  }

  /** Doubles the dedupe table and re-inserts every id by its stored hash. */
  private growTable(): void {
    const old = this.table;
    const size = 2 * (this.tableMask + 1);
    const mask = size - 1;
    const table = new Int32Array(2 * size);
    for (let k = 0; k < old.length; k += 2) {
      const entry = old[k]!;
      if (entry === 0) continue;
      const hash = old[k + 1]!;
      let h = (hash ^ (hash >>> 15)) & mask;
      while (table[2 * h] !== 0) h = (h + 1) & mask;
      table[2 * h] = entry;
      table[2 * h + 1] = hash;
    }
    this.table = table;
    this.tableMask = mask;
  }

  /** True if entry `id` in the arena holds exactly the first `length` bytes of `b`. */
  private sameBytes(id: number, b: Uint8Array, length: number): boolean {
    const at = this.offsets[id]!;
    const end = id + 1 < this.count ? this.offsets[id + 1]! : this.used;
    if (end - at !== length) return false;
    for (let i = 0; i < length; i++) if (this.arena[at + i] !== b[i]) return false;
    return true;
  }
}

/** Record layout of ScheduleTableReader.weightRecords(): doubles per schedule id. */
export const WEIGHT_STRIDE = 8;
/** 1 when flat < 2^84 and proportional < 2^20 (the limb kernel applies). */
export const WEIGHT_LIMBS_OK = 1;
/** flat >> 31 and flat & (2^31 - 1), exact when WEIGHT_LIMBS_OK. */
export const WEIGHT_FLAT_HIGH = 2;
export const WEIGHT_FLAT_LOW = 3;
/** proportional, exact when WEIGHT_LIMBS_OK. */
export const WEIGHT_PROPORTIONAL = 4;
/** Number(flat) and Number(proportional), rounded: for bounds only. */
export const WEIGHT_FLAT_SHADOW = 5;
export const WEIGHT_PROPORTIONAL_SHADOW = 6;

/** A decoded schedule with the flags the weight fast paths need. */
export interface DecodedSchedule {
  readonly schedule: FeeSchedule;
  /** Flat, proportional and penalty all absent: contributes nothing to an edge weight. */
  readonly zeroForWeights: boolean;
  readonly hasPenalty: boolean;
  /** Number(flat) and Number(proportional): rounded, for lower bounds only. */
  readonly flatShadow: number;
  readonly proportionalShadow: number;
  /** Derived forms a reader computes once per schedule (e.g. the routing fast path's). */
  derived: unknown;
}

/** The reader side: decodes ids from shared memory, each once per reader. */
export class ScheduleTableReader {
  private readonly handle: ScheduleTableHandle;
  private readonly header: Int32Array;
  private readonly cache: (DecodedSchedule | undefined)[] = [];
  /**
   * Numbers the edge-weight hot path needs, one 64-byte record per id (see WEIGHT_*):
   * kind + 1 (0 = not yet filled), and flat and proportional as 31-bit limbs and as
   * rounded doubles. Hot loops read these instead of the decoded objects.
   */
  private weights = new Float64Array(0);

  constructor(handle: ScheduleTableHandle) {
    this.handle = handle;
    this.header = new Int32Array(handle.header);
  }

  /**
   * What the schedule with this id contributes to edge weights (spec §3.3): 0 nothing
   * (no flat, proportional or curve), 1 flat + proportional only, 2 a penalty curve.
   * Fills the id's record in `weightRecords()`.
   */
  weightKind(id: number): number {
    const at = WEIGHT_STRIDE * id;
    const k = at < this.weights.length ? this.weights[at]! : 0;
    if (k !== 0) return k - 1;
    const d = this.get(id);
    const s = d.schedule;
    const kind = d.zeroForWeights ? 0 : d.hasPenalty ? 2 : 1;
    if (at >= this.weights.length) {
      const grown = new Float64Array(WEIGHT_STRIDE * Math.max(id + 1, (this.weights.length / WEIGHT_STRIDE) * 2, 1024));
      grown.set(this.weights);
      this.weights = grown;
    }
    const w = this.weights;
    const limbsOk = s.flat < 1n << 84n && s.proportional < 1n << 20n;
    w[at + WEIGHT_LIMBS_OK] = limbsOk ? 1 : 0;
    w[at + WEIGHT_FLAT_HIGH] = limbsOk ? Number(s.flat >> 31n) : 0;
    w[at + WEIGHT_FLAT_LOW] = limbsOk ? Number(s.flat & 0x7fffffffn) : 0;
    w[at + WEIGHT_PROPORTIONAL] = limbsOk ? Number(s.proportional) : 0;
    w[at + WEIGHT_FLAT_SHADOW] = d.flatShadow;
    w[at + WEIGHT_PROPORTIONAL_SHADOW] = d.proportionalShadow;
    w[at] = kind + 1;
    return kind;
  }

  /**
   * The per-id weight records filled so far (reallocated when it grows: fetch it again
   * after weightKind).
   */
  weightRecords(): Float64Array {
    return this.weights;
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
    const schedule = decodeFeeSchedule(a, at);
    const penalty = schedule.imbalancePenalty;
    return {
      schedule,
      zeroForWeights: isZeroForWeights(schedule),
      hasPenalty: penalty !== null,
      flatShadow: Number(schedule.flat),
      proportionalShadow: Number(schedule.proportional),
      derived: undefined,
    };
  }
}
