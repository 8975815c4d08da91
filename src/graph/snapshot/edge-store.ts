import { ensureBytes, growableBuffer } from './shared-memory.ts';

/**
 * Per-channel state that changes often (capacities, fee schedule ids), shared with readers
 * and updated in place. Channel slot c holds directed edges 2c (participant1 -> participant2,
 * side 0's capacity and schedule) and 2c + 1 (the reverse).
 *
 * Torn reads are prevented with a seqlock per channel: the writer makes the version odd,
 * writes, and makes it even again; a reader retries until it saw the same even version
 * before and after copying. Neither side ever blocks the other.
 */

/** Handles a reader needs (structured-clone safe). */
export interface EdgeStoreHandle {
  /** One record of RECORD_BYTES per channel slot (see the layout below). */
  readonly records: SharedArrayBuffer;
  /** Full words of capacities at or above 2^96: 16 words per slot, grown on demand. */
  readonly big: SharedArrayBuffer;
}

/*
 * Record layout, Int32/Uint32 indices within a slot's 16 words (64 bytes, one cache line):
 *   [0]      version (seqlock: odd while the writer is inside)
 *   [1]      flags: BIG_0 / BIG_1 when that side's capacity is >= 2^96 (full words in `big`)
 *   [2], [3] fee schedule ids of side 0 and side 1
 *   [4..6]   side 0 capacity, low three 32-bit words (little-endian order)
 *   [7..9]   side 1 capacity, low three words
 *   [10..11] side 0 capacity as an exactly rounded double (Float64 index 5)
 *   [12..13] side 1 capacity as a double (Float64 index 6)
 *   [14]     weight meta of the two schedules: side 0 in bits 0-3, side 1 in bits 4-7, each
 *            the schedule table's weight record head (kind * 2 + limbs-ok); -1 = unknown
 * Side s of slot c is directed edge 2c + s (participant1 -> participant2 for s = 0).
 */

/** Bytes per channel record. */
export const RECORD_BYTES = 64;
/** Int32 words per record. */
export const RECORD_WORDS = 16;
/** Record flag: side 0 / side 1 capacity is at least 2^96. */
export const BIG_0 = 1;
export const BIG_1 = 2;

/** Most channel slots one token network can use within one process lifetime. */
export const MAX_CHANNEL_SLOTS = 1 << 22;

/** 32-bit words per uint256 capacity. */
export const CAPACITY_WORDS = 8;

/** Gives up on a seqlock after this many retries: only a writer that died mid-write can cause it. */
const MAX_SEQLOCK_RETRIES = 1_000_000;

const TWO53 = 9007199254740992;
const TWO96 = 2 ** 96;

/** One directed side as the writer provides it. */
export interface EdgeSideValue {
  readonly capacity: bigint;
  readonly scheduleId: number;
}

/** Scratch for splitting values below 2^64 without BigInt shifts. */
const SPLIT64 = new BigUint64Array(1);
const SPLIT32 = new Uint32Array(SPLIT64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes `value` as 8 little-endian words; `shadow` is Number(value). */
function writeWords(words: Uint32Array, at: number, value: bigint, shadow: number): void {
  if (shadow < TWO53) {
    // below 2^53 the double is exact: split it without BigInt arithmetic
    words[at] = shadow % 4294967296;
    words[at + 1] = Math.floor(shadow / 4294967296);
    for (let k = 2; k < CAPACITY_WORDS; k++) words[at + k] = 0;
    return;
  }
  if (shadow < 18446744073709551616) {
    // (Number rounds monotonically, so shadow < 2^64 means value < 2^64.) The uint64
    // conversion is exact there; read the halves in memory order
    SPLIT64[0] = value;
    words[at] = SPLIT32[LITTLE_ENDIAN ? 0 : 1]!;
    words[at + 1] = SPLIT32[LITTLE_ENDIAN ? 1 : 0]!;
    for (let k = 2; k < CAPACITY_WORDS; k++) words[at + k] = 0;
    return;
  }
  let v = value;
  for (let k = 0; k < CAPACITY_WORDS; k++) {
    words[at + k] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

/** Exact uint256 from 8 little-endian 32-bit words starting at `at`. */
export function wordsToBigInt(words: Uint32Array, at: number): bigint {
  let top = CAPACITY_WORDS - 1;
  while (top > 0 && words[at + top] === 0) top--;
  if (top <= 1) {
    const lo = words[at]!;
    const hi = words[at + 1]!;
    // Below 2^53 the double is exact, which saves BigInt shifts for small amounts.
    if (hi < 0x200000) return BigInt(hi * 4294967296 + lo);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  let v = 0n;
  for (let k = top; k >= 0; k--) v = (v << 32n) | BigInt(words[at + k]!);
  return v;
}

/** Exact value of three little-endian words (below 2^96). */
export function threeWordsToBigInt(w0: number, w1: number, w2: number): bigint {
  if (w2 === 0 && w1 < 0x200000) return BigInt(w1 * 4294967296 + w0);
  return (BigInt(w2) << 64n) | (BigInt(w1) << 32n) | BigInt(w0);
}

/**
 * Typed-array views of fixed length over the (growable) buffers. Length-tracking views of
 * growable buffers are about 8x slower to index in V8 11, so both sides keep fixed-length
 * views and re-create them when the buffers have grown.
 */
class Views {
  slots = 0;
  ints: Int32Array<ArrayBufferLike> = new Int32Array(0);
  doubles: Float64Array<ArrayBufferLike> = new Float64Array(0);
  bigSlots = 0;
  big: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  refresh(handle: EdgeStoreHandle): void {
    const slots = Math.floor(handle.records.byteLength / RECORD_BYTES);
    this.slots = slots;
    this.ints = new Int32Array(handle.records, 0, RECORD_WORDS * slots);
    this.doubles = new Float64Array(handle.records, 0, (RECORD_WORDS / 2) * slots);
    this.refreshBig(handle);
  }

  refreshBig(handle: EdgeStoreHandle): void {
    this.bigSlots = Math.floor(handle.big.byteLength / RECORD_BYTES);
    this.big = new Uint32Array(handle.big, 0, RECORD_WORDS * this.bigSlots);
  }
}

/** The writer side, owned by the shard. */
export class EdgeStoreWriter {
  readonly handle: EdgeStoreHandle;
  private readonly views = new Views();
  private readonly scratch = new Uint32Array(2 * CAPACITY_WORDS);

  constructor() {
    this.handle = {
      records: growableBuffer(4096, MAX_CHANNEL_SLOTS * RECORD_BYTES),
      big: growableBuffer(64, MAX_CHANNEL_SLOTS * RECORD_BYTES),
    };
    this.views.refresh(this.handle);
  }

  /** Makes room for slots [0, slots). */
  ensureSlots(slots: number): void {
    if (slots <= this.views.slots) return;
    if (slots > MAX_CHANNEL_SLOTS) throw new Error(`more than ${MAX_CHANNEL_SLOTS} channel slots`);
    const target = Math.max(slots, this.views.slots * 2, 1024);
    ensureBytes(this.handle.records, target * RECORD_BYTES);
    this.views.refresh(this.handle);
  }

  /** Bytes of per-channel state in use for `slots` slots (records plus big capacities). */
  bytesFor(slots: number): number {
    return slots * RECORD_BYTES + this.views.bigSlots * RECORD_BYTES;
  }

  /** Publishes both directions of channel slot `slot` atomically for readers. */
  write(slot: number, side0: EdgeSideValue, side1: EdgeSideValue): void {
    this.writeSides(slot, side0.capacity, side0.scheduleId, side1.capacity, side1.scheduleId, -1);
  }

  /**
   * write() without the side objects (the snapshot writer's bulk path), with the weight
   * meta of the two schedules (see the record layout; -1 when unknown).
   */
  writeSides(slot: number, capacity0: bigint, scheduleId0: number, capacity1: bigint, scheduleId1: number, meta: number): void {
    if (slot >= this.views.slots) this.ensureSlots(slot + 1);
    const s0 = Number(capacity0);
    const s1 = Number(capacity1);
    const w = this.scratch;
    writeWords(w, 0, capacity0, s0);
    writeWords(w, CAPACITY_WORDS, capacity1, s1);
    const flags = (s0 >= TWO96 ? BIG_0 : 0) | (s1 >= TWO96 ? BIG_1 : 0);
    if (flags !== 0 && slot >= this.views.bigSlots) {
      ensureBytes(this.handle.big, (slot + 1) * RECORD_BYTES);
      this.views.refreshBig(this.handle);
    }
    const ints = this.views.ints;
    const r = RECORD_WORDS * slot;
    const v = Atomics.load(ints, r);
    Atomics.store(ints, r, v + 1);
    ints[r + 1] = flags;
    ints[r + 2] = scheduleId0;
    ints[r + 3] = scheduleId1;
    ints[r + 4] = w[0]!;
    ints[r + 5] = w[1]!;
    ints[r + 6] = w[2]!;
    ints[r + 7] = w[8]!;
    ints[r + 8] = w[9]!;
    ints[r + 9] = w[10]!;
    this.views.doubles[8 * slot + 5] = s0;
    this.views.doubles[8 * slot + 6] = s1;
    ints[r + 14] = meta;
    if (flags !== 0) this.views.big.set(w, r);
    Atomics.store(ints, r, v + 2);
  }
}

/** A consistent copy of one channel slot, filled by `EdgeStoreReader.read`. */
export interface ChannelCopy {
  /** Float64 shadows of both directions (exactly rounded). */
  readonly shadow: Float64Array;
  /** 16 words: both capacities. */
  readonly words: Uint32Array;
  readonly schedule: Uint32Array;
}

/** The reader side, one per worker and token network. */
export class EdgeStoreReader {
  private readonly handle: EdgeStoreHandle;
  private readonly views = new Views();

  constructor(handle: EdgeStoreHandle) {
    this.handle = handle;
    this.views.refresh(handle);
  }

  /** Number of channel slots currently readable. */
  get slots(): number {
    if (this.handle.records.byteLength / RECORD_BYTES > this.views.slots) this.views.refresh(this.handle);
    return this.views.slots;
  }

  /** Throws if `slot` is not readable (a writer wrote beyond what it published). */
  private check(slot: number): void {
    if (slot >= this.views.slots) this.views.refresh(this.handle);
    if (slot >= this.views.slots) throw new Error(`channel slot ${slot} beyond the shared buffers`);
  }

  /**
   * Copies record `slot` (16 words) to `dst[at]` and, for capacities of 2^96 or more, the
   * full words of both sides to `big[bigAt]` (16 words), retrying until the copy is not
   * torn. dst[at] receives the version, dst[at + 1] the flags (BIG_0 | BIG_1).
   * Without `shadows`, words 10..13 (the double shadows) and 15 are not copied: the search
   * does not read them, and a copy is a third cheaper without them.
   */
  readRecord(slot: number, dst: Int32Array, at: number, big: Uint32Array, bigAt: number, shadows = true): number {
    if (slot >= this.views.slots) this.check(slot);
    const v = this.views;
    const r = RECORD_WORDS * slot;
    for (let attempt = 0; attempt < MAX_SEQLOCK_RETRIES; attempt++) {
      const ints = v.ints;
      const before = Atomics.load(ints, r);
      if ((before & 1) !== 0) continue;
      if (shadows) {
        for (let k = 1; k < RECORD_WORDS; k++) dst[at + k] = ints[r + k]!;
      } else {
        for (let k = 1; k < 10; k++) dst[at + k] = ints[r + k]!;
        dst[at + 14] = ints[r + 14]!;
      }
      const flags = dst[at + 1]!;
      if (flags !== 0) {
        if (slot >= v.bigSlots) v.refreshBig(this.handle);
        for (let k = 0; k < RECORD_WORDS; k++) big[bigAt + k] = v.big[r + k]!;
      }
      if (Atomics.load(ints, r) === before) {
        dst[at] = before;
        return flags;
      }
    }
    throw new Error(`channel slot ${slot} stayed locked; its writer stopped mid-update`);
  }

  /**
   * Copies slot `slot` into the destination arrays at directed index 2*slot (shadows,
   * schedules) and word index 2*slot*8, retrying until the copy is not torn.
   */
  readInto(slot: number, shadow: Float64Array, words: Uint32Array, schedule: Uint32Array): void {
    const record = this.scratch;
    const flags = this.readRecord(slot, record, 0, this.bigScratch, 0);
    const e = 2 * slot;
    const w = e * CAPACITY_WORDS;
    schedule[e] = record[2]!;
    schedule[e + 1] = record[3]!;
    const doubles = this.scratchDoubles;
    shadow[e] = doubles[5]!;
    shadow[e + 1] = doubles[6]!;
    for (let side = 0; side < 2; side++) {
      const at = w + side * CAPACITY_WORDS;
      if ((flags & (side === 0 ? BIG_0 : BIG_1)) !== 0) {
        for (let k = 0; k < CAPACITY_WORDS; k++) words[at + k] = this.bigScratch[side * CAPACITY_WORDS + k]!;
      } else {
        words[at] = record[4 + 3 * side]! >>> 0;
        words[at + 1] = record[5 + 3 * side]! >>> 0;
        words[at + 2] = record[6 + 3 * side]! >>> 0;
        for (let k = 3; k < CAPACITY_WORDS; k++) words[at + k] = 0;
      }
    }
  }

  private readonly scratch = new Int32Array(RECORD_WORDS);
  private readonly scratchDoubles = new Float64Array(this.scratch.buffer);
  private readonly bigScratch = new Uint32Array(RECORD_WORDS);
}
