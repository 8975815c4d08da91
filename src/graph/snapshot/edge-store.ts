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
  readonly version: SharedArrayBuffer;
  readonly capacityShadow: SharedArrayBuffer;
  readonly capacityWords: SharedArrayBuffer;
  readonly schedule: SharedArrayBuffer;
}

/** Most channel slots one token network can use within one process lifetime. */
export const MAX_CHANNEL_SLOTS = 1 << 22;

/** 32-bit words per uint256 capacity. */
export const CAPACITY_WORDS = 8;

/** Capacities whose shadow is below this fit in three 32-bit words. */
const SMALL_CAPACITY = 2 ** 95;

/** Gives up on a seqlock after this many retries: only a writer that died mid-write can cause it. */
const MAX_SEQLOCK_RETRIES = 1_000_000;

/** One directed side as the writer provides it. */
export interface EdgeSideValue {
  readonly capacity: bigint;
  readonly scheduleId: number;
}

/** Scratch for splitting values below 2^64 without BigInt shifts. */
const SPLIT64 = new BigUint64Array(1);
const SPLIT32 = new Uint32Array(SPLIT64.buffer);

/** Writes `value` as 8 little-endian words; `shadow` is Number(value). */
function writeWords(words: Uint32Array, at: number, value: bigint, shadow: number): void {
  if (shadow < 9007199254740992) {
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

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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

/**
 * Typed-array views of fixed length over the (growable) buffers. Length-tracking views of
 * growable buffers are about 8x slower to index in V8 11, so both sides keep fixed-length
 * views and re-create them when the buffers have grown.
 */
class Views {
  slots = 0;
  version: Int32Array<ArrayBufferLike> = new Int32Array(0);
  shadow: Float64Array<ArrayBufferLike> = new Float64Array(0);
  words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  schedule: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  refresh(handle: EdgeStoreHandle): void {
    // The usable slot count is the smallest any of the buffers can hold.
    const slots = Math.min(
      Math.floor(handle.version.byteLength / 4),
      Math.floor(handle.capacityShadow.byteLength / 16),
      Math.floor(handle.capacityWords.byteLength / (2 * CAPACITY_WORDS * 4)),
      Math.floor(handle.schedule.byteLength / 8),
    );
    this.slots = slots;
    this.version = new Int32Array(handle.version, 0, slots);
    this.shadow = new Float64Array(handle.capacityShadow, 0, 2 * slots);
    this.words = new Uint32Array(handle.capacityWords, 0, 2 * slots * CAPACITY_WORDS);
    this.schedule = new Uint32Array(handle.schedule, 0, 2 * slots);
  }
}

/** The writer side, owned by the shard. */
export class EdgeStoreWriter {
  readonly handle: EdgeStoreHandle;
  private readonly views = new Views();

  constructor() {
    this.handle = {
      version: growableBuffer(4096, MAX_CHANNEL_SLOTS * 4),
      capacityShadow: growableBuffer(4096, MAX_CHANNEL_SLOTS * 16),
      capacityWords: growableBuffer(4096, MAX_CHANNEL_SLOTS * 2 * CAPACITY_WORDS * 4),
      schedule: growableBuffer(4096, MAX_CHANNEL_SLOTS * 8),
    };
    this.views.refresh(this.handle);
  }

  /** Makes room for slots [0, slots). Grows the data buffers before the version buffer,
   * whose size readers use to learn how many slots exist. */
  ensureSlots(slots: number): void {
    if (slots <= this.views.slots) return;
    if (slots > MAX_CHANNEL_SLOTS) throw new Error(`more than ${MAX_CHANNEL_SLOTS} channel slots`);
    const target = Math.max(slots, this.views.slots * 2, 1024);
    ensureBytes(this.handle.capacityShadow, target * 16);
    ensureBytes(this.handle.capacityWords, target * 2 * CAPACITY_WORDS * 4);
    ensureBytes(this.handle.schedule, target * 8);
    ensureBytes(this.handle.version, target * 4);
    this.views.refresh(this.handle);
  }

  /** Publishes both directions of channel slot `slot` atomically for readers. */
  write(slot: number, side0: EdgeSideValue, side1: EdgeSideValue): void {
    this.writeSides(slot, side0.capacity, side0.scheduleId, side1.capacity, side1.scheduleId);
  }

  /** write() without the side objects (the snapshot writer's bulk path). */
  writeSides(slot: number, capacity0: bigint, scheduleId0: number, capacity1: bigint, scheduleId1: number): void {
    if (slot >= this.views.slots) this.ensureSlots(slot + 1);
    if (slot >= this.views.slots) throw new Error(`invariant: slot ${slot} not allocated`);
    const { version, shadow, words, schedule } = this.views;
    const v = Atomics.load(version, slot);
    Atomics.store(version, slot, v + 1);
    const s0 = Number(capacity0);
    const s1 = Number(capacity1);
    shadow[2 * slot] = s0;
    shadow[2 * slot + 1] = s1;
    writeWords(words, 2 * slot * CAPACITY_WORDS, capacity0, s0);
    writeWords(words, (2 * slot + 1) * CAPACITY_WORDS, capacity1, s1);
    schedule[2 * slot] = scheduleId0;
    schedule[2 * slot + 1] = scheduleId1;
    Atomics.store(version, slot, v + 2);
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
    if (this.handle.version.byteLength / 4 > this.views.slots) this.views.refresh(this.handle);
    return this.views.slots;
  }

  /** Throws if `slot` is not readable (a writer wrote beyond what it published). */
  private check(slot: number): void {
    if (slot >= this.views.slots) this.views.refresh(this.handle);
    if (slot >= this.views.slots) throw new Error(`channel slot ${slot} beyond the shared buffers`);
  }

  /**
   * Copies slot `slot` into the destination arrays at directed index 2*slot (shadows,
   * schedules) and word index 2*slot*8, retrying until the copy is not torn.
   */
  readInto(slot: number, shadow: Float64Array, words: Uint32Array, schedule: Uint32Array): void {
    if (slot >= this.views.slots) this.check(slot);
    const v = this.views;
    const e = 2 * slot;
    const w = e * CAPACITY_WORDS;
    for (let attempt = 0; attempt < MAX_SEQLOCK_RETRIES; attempt++) {
      const before = Atomics.load(v.version, slot);
      if ((before & 1) !== 0) continue;
      const s0 = v.shadow[e]!;
      const s1 = v.shadow[e + 1]!;
      shadow[e] = s0;
      shadow[e + 1] = s1;
      schedule[e] = v.schedule[e]!;
      schedule[e + 1] = v.schedule[e + 1]!;
      // Below 2^95 (by the exactly rounded shadow) only the three low words can be set.
      const n0 = s0 < SMALL_CAPACITY ? 3 : CAPACITY_WORDS;
      const n1 = s1 < SMALL_CAPACITY ? 3 : CAPACITY_WORDS;
      for (let k = 0; k < n0; k++) words[w + k] = v.words[w + k]!;
      for (let k = n0; k < CAPACITY_WORDS; k++) words[w + k] = 0;
      for (let k = 0; k < n1; k++) words[w + CAPACITY_WORDS + k] = v.words[w + CAPACITY_WORDS + k]!;
      for (let k = n1; k < CAPACITY_WORDS; k++) words[w + CAPACITY_WORDS + k] = 0;
      if (Atomics.load(v.version, slot) === before) return;
    }
    throw new Error(`channel slot ${slot} stayed locked; its writer stopped mid-update`);
  }

  /**
   * Like readInto, into one request-cache record: shadows of both directions at
   * `f64[fAt]` and `f64[fAt + 1]`, schedule ids at `ids[iAt]` and `ids[iAt + 1]`, and the
   * 16 capacity words at `words[wAt]`.
   */
  readChannel(slot: number, f64: Float64Array, fAt: number, ids: Int32Array, iAt: number, words: Uint32Array, wAt: number): void {
    if (slot >= this.views.slots) this.check(slot);
    const v = this.views;
    const e = 2 * slot;
    const w = e * CAPACITY_WORDS;
    for (let attempt = 0; attempt < MAX_SEQLOCK_RETRIES; attempt++) {
      const before = Atomics.load(v.version, slot);
      if ((before & 1) !== 0) continue;
      const s0 = v.shadow[e]!;
      const s1 = v.shadow[e + 1]!;
      f64[fAt] = s0;
      f64[fAt + 1] = s1;
      ids[iAt] = v.schedule[e]!;
      ids[iAt + 1] = v.schedule[e + 1]!;
      // Below 2^95 (by the exactly rounded shadow) only the three low words can be set.
      if (s0 < SMALL_CAPACITY) {
        words[wAt] = v.words[w]!;
        words[wAt + 1] = v.words[w + 1]!;
        words[wAt + 2] = v.words[w + 2]!;
        for (let k = 3; k < CAPACITY_WORDS; k++) words[wAt + k] = 0;
      } else {
        for (let k = 0; k < CAPACITY_WORDS; k++) words[wAt + k] = v.words[w + k]!;
      }
      if (s1 < SMALL_CAPACITY) {
        words[wAt + 8] = v.words[w + 8]!;
        words[wAt + 9] = v.words[w + 9]!;
        words[wAt + 10] = v.words[w + 10]!;
        for (let k = 11; k < 2 * CAPACITY_WORDS; k++) words[wAt + k] = 0;
      } else {
        for (let k = CAPACITY_WORDS; k < 2 * CAPACITY_WORDS; k++) words[wAt + k] = v.words[w + k]!;
      }
      if (Atomics.load(v.version, slot) === before) return;
    }
    throw new Error(`channel slot ${slot} stayed locked; its writer stopped mid-update`);
  }
}
