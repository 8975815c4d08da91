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

/** Gives up on a seqlock after this many retries: only a writer that died mid-write can cause it. */
const MAX_SEQLOCK_RETRIES = 1_000_000;

/** One directed side as the writer provides it. */
export interface EdgeSideValue {
  readonly capacity: bigint;
  readonly scheduleId: number;
}

function writeWords(words: Uint32Array, at: number, value: bigint): void {
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

/** The writer side, owned by the shard. */
export class EdgeStoreWriter {
  readonly handle: EdgeStoreHandle;

  constructor() {
    this.handle = {
      version: growableBuffer(4096, MAX_CHANNEL_SLOTS * 4),
      capacityShadow: growableBuffer(4096, MAX_CHANNEL_SLOTS * 16),
      capacityWords: growableBuffer(4096, MAX_CHANNEL_SLOTS * 2 * CAPACITY_WORDS * 4),
      schedule: growableBuffer(4096, MAX_CHANNEL_SLOTS * 8),
    };
  }

  /** Makes room for slots [0, slots). */
  ensureSlots(slots: number): void {
    if (slots > MAX_CHANNEL_SLOTS) throw new Error(`more than ${MAX_CHANNEL_SLOTS} channel slots`);
    ensureBytes(this.handle.version, slots * 4);
    ensureBytes(this.handle.capacityShadow, slots * 16);
    ensureBytes(this.handle.capacityWords, slots * 2 * CAPACITY_WORDS * 4);
    ensureBytes(this.handle.schedule, slots * 8);
  }

  /** Publishes both directions of channel slot `slot` atomically for readers. */
  write(slot: number, side0: EdgeSideValue, side1: EdgeSideValue): void {
    this.ensureSlots(slot + 1);
    const version = new Int32Array(this.handle.version);
    const shadow = new Float64Array(this.handle.capacityShadow);
    const words = new Uint32Array(this.handle.capacityWords);
    const schedule = new Uint32Array(this.handle.schedule);
    const v = Atomics.load(version, slot);
    Atomics.store(version, slot, v + 1);
    shadow[2 * slot] = Number(side0.capacity);
    shadow[2 * slot + 1] = Number(side1.capacity);
    writeWords(words, 2 * slot * CAPACITY_WORDS, side0.capacity);
    writeWords(words, (2 * slot + 1) * CAPACITY_WORDS, side1.capacity);
    schedule[2 * slot] = side0.scheduleId;
    schedule[2 * slot + 1] = side1.scheduleId;
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
  private readonly version: Int32Array;
  readonly shadow: Float64Array;
  readonly words: Uint32Array;
  readonly schedule: Uint32Array;

  constructor(handle: EdgeStoreHandle) {
    this.version = new Int32Array(handle.version);
    this.shadow = new Float64Array(handle.capacityShadow);
    this.words = new Uint32Array(handle.capacityWords);
    this.schedule = new Uint32Array(handle.schedule);
  }

  /**
   * Copies slot `slot` into the destination arrays at directed index 2*slot (shadows,
   * schedules) and word index 2*slot*8, retrying until the copy is not torn.
   */
  readInto(slot: number, shadow: Float64Array, words: Uint32Array, schedule: Uint32Array): void {
    const e = 2 * slot;
    const w = e * CAPACITY_WORDS;
    for (let attempt = 0; attempt < MAX_SEQLOCK_RETRIES; attempt++) {
      const before = Atomics.load(this.version, slot);
      if ((before & 1) !== 0) continue;
      shadow[e] = this.shadow[e]!;
      shadow[e + 1] = this.shadow[e + 1]!;
      for (let k = 0; k < 2 * CAPACITY_WORDS; k++) words[w + k] = this.words[w + k]!;
      schedule[e] = this.schedule[e]!;
      schedule[e + 1] = this.schedule[e + 1]!;
      if (Atomics.load(this.version, slot) === before) return;
    }
    throw new Error(`channel slot ${slot} stayed locked; its writer stopped mid-update`);
  }
}
