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
  /** Float64 records of WEIGHT_STRIDE per id: what edge weights need, without decoding. */
  readonly weights: SharedArrayBuffer;
}

const MAX_ARENA_BYTES = 1 << 30;
const MAX_ENTRIES = 1 << 24;

/** The default schedule's encoding, shared so interning it is a pointer comparison. */
const DEFAULT_ENCODED = DEFAULT_TIMED_FEE_SCHEDULE.encoded;

/**
 * Hash of the first `length` bytes for the dedupe table: FNV-style over little-endian
 * 32-bit words, then the tail bytes. A word per step rather than a byte: the first
 * snapshot hashes every schedule (megabytes of penalty curves) before this function is
 * optimized, where each step costs the same whatever it consumes. Only the writer's
 * private table uses it; equal hashes are confirmed byte by byte.
 */
function hashBytes(b: Uint8Array, length: number): number {
  let hash = 0x811c9dc5;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    hash = Math.imul(hash ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)), 0x01000193);
    hash ^= hash >>> 15;
  }
  for (; i < length; i++) hash = Math.imul(hash ^ b[i]!, 0x01000193);
  return hash | 0;
}

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
  private weights: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private readonly header: Int32Array;
  private used = 0;
  private count = 0;

  constructor() {
    this.handle = {
      arena: growableBuffer(4096, MAX_ARENA_BYTES),
      offsets: growableBuffer(4096, MAX_ENTRIES * 4),
      header: new SharedArrayBuffer(8),
      weights: growableBuffer(4096, MAX_ENTRIES * WEIGHT_STRIDE * 8),
    };
    this.header = new Int32Array(this.handle.header);
    const id = this.intern(DEFAULT_FEE_SCHEDULE);
    if (id !== 0) throw new Error('invariant: default schedule must be id 0');
  }

  /** Number of distinct schedules stored. */
  get size(): number {
    return this.count;
  }

  /** Bytes used by the stored schedules (arena, offsets and weight records). */
  get bytesUsed(): number {
    return this.used + this.count * (4 + 8 * WEIGHT_STRIDE);
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
    const hash = hashBytes(b, p);
    const table = this.table;
    const mask = this.tableMask;
    let h = (hash ^ (hash >>> 15)) & mask;
    for (;;) {
      const entry = table[2 * h]!;
      if (entry === 0) break;
      if (table[2 * h + 1] === hash && this.sameBytes(entry - 1, b, p)) return entry - 1;
      h = (h + 1) & mask;
    }
    if (this.used + p > this.arena.length || this.count + 1 > this.offsets.length || WEIGHT_STRIDE * (this.count + 1) > this.weights.length) {
      this.growStorage(1, p);
    }
    const at = this.used;
    this.arena.set(b, at);
    this.offsets[this.count] = at;
    writeWeightRecord(b, this.weights, WEIGHT_STRIDE * this.count);
    this.used += p;
    const id = this.count++;
    // Publish after the bytes are written: readers only decode ids below the count.
    Atomics.store(this.header, 0, this.count);
    table[2 * h] = id + 1;
    table[2 * h + 1] = hash;
    if (2 * this.count > mask) this.growTable(this.count);
    return id;
  }

  /**
   * internEncoded for many encodings at once (the snapshot writer's first sync), their ids
   * written to `ids`. The table is sized for all of them first, so that interning never
   * grows it midway: a growth branch first taken in optimized code deoptimizes it, and a
   * bulk load is the first run of this code.
   */
  internAll(encodings: readonly Uint8Array[], ids: Int32Array): void {
    let entries = 0;
    let bytes = 0;
    for (let i = 0; i < encodings.length; i++) {
      const b = encodings[i]!;
      if (b !== DEFAULT_ENCODED) (entries++, (bytes += b.length));
    }
    this.growStorage(entries, bytes);
    if (2 * (this.count + entries) > this.tableMask) this.growTable(this.count + entries);
    for (let i = 0; i < encodings.length; i++) ids[i] = this.internEncoded(encodings[i]!);
  }

  /** Grows the shared buffers for `entries` more ids and `bytes` more arena bytes. */
  private growStorage(entries: number, bytes: number): void {
    ensureBytes(this.handle.arena, this.used + bytes);
    ensureBytes(this.handle.offsets, (this.count + entries) * 4);
    ensureBytes(this.handle.weights, (this.count + entries) * WEIGHT_STRIDE * 8);
    this.arena = new Uint8Array(this.handle.arena, 0, this.handle.arena.byteLength);
    this.offsets = new Uint32Array(this.handle.offsets, 0, this.handle.offsets.byteLength / 4);
    this.weights = new Float64Array(this.handle.weights, 0, this.handle.weights.byteLength / 8);
  }

  /** The head of the weight record of `id` (kind * 2 + limbs-ok, see WEIGHT_STRIDE). */
  weightMeta(id: number): number {
    return this.weights[WEIGHT_STRIDE * id]!;
  }

  /** Grows the dedupe table to stay at most half full with `entries` ids; re-inserts every id by its stored hash. */
  private growTable(entries: number): void {
    const old = this.table;
    let size = 2 * (this.tableMask + 1);
    while (2 * entries > size - 1) size *= 2;
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

/**
 * Weight records (ScheduleTableReader.weightRecords()), doubles per schedule id, written
 * by the writer from the canonical encoding without decoding it:
 * [0] kind * 2 + limbs-ok: kind 0 no fees, 1 flat + proportional, 2 a penalty curve;
 *     limbs-ok when flat < 2^80 and proportional < 2^20 (the limb kernel applies);
 * [1], [2] flat >> 31 and flat & (2^31 - 1); [3] proportional (exact when limbs-ok).
 */
export const WEIGHT_STRIDE = 4;
export const WEIGHT_FLAT_HIGH = 1;
export const WEIGHT_FLAT_LOW = 2;
export const WEIGHT_PROPORTIONAL = 3;

/**
 * Fills the weight record at `w[at]` from a canonical encoding: flags, u16 point count,
 * then flat and proportional as compact uints (a length byte, big-endian bytes).
 */
function writeWeightRecord(b: Uint8Array, w: Float64Array<ArrayBufferLike>, at: number): void {
  const curve = (b[0]! & 2) !== 0;
  const flatLength = b[3]!;
  const propAt = 4 + flatLength;
  const propLength = b[propAt]!;
  const kind = curve ? 2 : flatLength === 0 && propLength === 0 ? 0 : 1;
  let limbsOk = flatLength <= 10 && (propLength <= 2 || (propLength === 3 && b[propAt + 1]! < 16));
  let flatH = 0;
  let flatL = 0;
  let prop = 0;
  if (limbsOk) {
    // flat = high * 2^48 + low48, high below 2^32
    let high = 0;
    let low = 0;
    for (let i = 0; i < flatLength; i++) {
      const byte = b[4 + i]!;
      if (flatLength - i > 6) high = high * 256 + byte;
      else low = low * 256 + byte;
    }
    flatL = low % 2147483648;
    flatH = high * 131072 + Math.floor(low / 2147483648);
    for (let i = 0; i < propLength; i++) prop = prop * 256 + b[propAt + 1 + i]!;
    if (prop >= 1048576) limbsOk = false;
  }
  w[at] = kind * 2 + (limbsOk ? 1 : 0);
  w[at + WEIGHT_FLAT_HIGH] = limbsOk ? flatH : 0;
  w[at + WEIGHT_FLAT_LOW] = limbsOk ? flatL : 0;
  w[at + WEIGHT_PROPORTIONAL] = limbsOk ? prop : 0;
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
  /** Derived forms a reader computes once per schedule (e.g. the routing fast path's). */
  derived: unknown;
}

/** The reader side: decodes ids from shared memory, each once per reader. */
export class ScheduleTableReader {
  private readonly handle: ScheduleTableHandle;
  private readonly header: Int32Array;
  private readonly cache: (DecodedSchedule | undefined)[] = [];
  /** View of the shared weight records, re-created when the writer has grown them. */
  private weights: Float64Array<ArrayBufferLike> = new Float64Array(0);

  constructor(handle: ScheduleTableHandle) {
    this.handle = handle;
    this.header = new Int32Array(handle.header);
  }

  /**
   * What the schedule with this id contributes to edge weights (spec §3.3): 0 nothing
   * (no flat, proportional or curve), 1 flat + proportional only, 2 a penalty curve.
   * Makes sure `weightRecords()` covers the id.
   */
  weightKind(id: number): number {
    const at = WEIGHT_STRIDE * id;
    if (at >= this.weights.length) {
      const count = Atomics.load(this.header, 0);
      if (id >= count) throw new Error(`unknown fee schedule id ${id}`);
      // records below the published count are complete
      this.weights = new Float64Array(this.handle.weights, 0, WEIGHT_STRIDE * count);
    }
    return this.weights[at]! >> 1;
  }

  /**
   * The weight records of the ids published so far (a new view after weightKind met a
   * newer id: fetch it again after weightKind).
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
