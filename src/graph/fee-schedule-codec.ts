import type { FeeSchedule, PenaltyPoint } from './fee-schedule.ts';

/**
 * The canonical binary form of a fee schedule, used everywhere a schedule is stored: the
 * LMDB records, the shared-memory schedule table, and the dedupe key. Being canonical, two
 * schedules are equal exactly when their encodings are byte-equal.
 *
 * Layout: flags (1 byte: bit 0 cap_fees, bit 1 has a penalty curve), point count (u16 LE),
 * then flat, proportional and per point x and y, each a compact uint: one length byte
 * (0-32) followed by that many big-endian bytes.
 */

const chunks: number[] = [];

/** Writes a compact uint at `at`; returns the position after it. */
function writeCompact(bytes: Uint8Array, at: number, value: bigint): number {
  // split into 48-bit chunks (exact in doubles), least significant first
  chunks.length = 0;
  let v = value;
  while (v > 0xffffffffffffn) {
    chunks.push(Number(v & 0xffffffffffffn));
    v >>= 48n;
  }
  let top = Number(v);
  let topBytes = 0;
  for (let t = top; t > 0; t = Math.floor(t / 256)) topBytes++;
  bytes[at] = topBytes + 6 * chunks.length;
  let p = at + 1 + topBytes;
  for (let k = topBytes - 1; k >= 0; k--) {
    bytes[at + 1 + k] = top % 256;
    top = Math.floor(top / 256);
  }
  for (let c = chunks.length - 1; c >= 0; c--) {
    let chunk = chunks[c]!;
    for (let k = 5; k >= 0; k--) {
      bytes[p + k] = chunk % 256;
      chunk = Math.floor(chunk / 256);
    }
    p += 6;
  }
  return p;
}

/** Reads a compact uint at `at` into `out[0]`; returns the position after it. */
function readCompact(bytes: Uint8Array, at: number, out: bigint[]): number {
  const n = bytes[at]!;
  let v = 0n;
  let i = 0;
  for (; i + 6 <= n; i += 6) {
    let chunk = 0;
    for (let k = 0; k < 6; k++) chunk = chunk * 256 + bytes[at + 1 + i + k]!;
    v = (v << 48n) | BigInt(chunk);
  }
  if (i < n) {
    let chunk = 0;
    for (let k = i; k < n; k++) chunk = chunk * 256 + bytes[at + 1 + k]!;
    v = (v << BigInt(8 * (n - i))) | BigInt(chunk);
  }
  out[0] = v;
  return at + 1 + n;
}

let scratch = new Uint8Array(4096);

/** The canonical encoding of a schedule (a fresh copy). */
export function encodeFeeSchedule(s: FeeSchedule): Uint8Array {
  const points = s.imbalancePenalty ?? [];
  const worst = 3 + 33 * (2 + 2 * points.length);
  if (scratch.length < worst) scratch = new Uint8Array(worst * 2);
  const b = scratch;
  b[0] = (s.capFees ? 1 : 0) | (s.imbalancePenalty === null ? 0 : 2);
  b[1] = points.length & 0xff;
  b[2] = points.length >> 8;
  let p = writeCompact(b, 3, s.flat);
  p = writeCompact(b, p, s.proportional);
  for (let i = 0; i < points.length; i++) p = writeCompact(b, writeCompact(b, p, points[i]![0]), points[i]![1]);
  return b.slice(0, p);
}

/** Decodes an encoding produced by encodeFeeSchedule (trusted input). */
export function decodeFeeSchedule(a: Uint8Array, at = 0): FeeSchedule {
  const flags = a[at]!;
  const n = a[at + 1]! | (a[at + 2]! << 8);
  const v: bigint[] = [0n];
  let p = readCompact(a, at + 3, v);
  const flat = v[0]!;
  p = readCompact(a, p, v);
  const proportional = v[0]!;
  let penalty: PenaltyPoint[] | null = null;
  if ((flags & 2) !== 0) {
    penalty = [];
    for (let i = 0; i < n; i++) {
      p = readCompact(a, p, v);
      const x = v[0]!;
      p = readCompact(a, p, v);
      penalty.push([x, v[0]!]);
    }
  }
  return { capFees: (flags & 1) !== 0, flat, proportional, imbalancePenalty: penalty };
}

/** Length in bytes of the encoding starting at `at`. */
export function encodedLength(a: Uint8Array, at = 0): number {
  const n = a[at + 1]! | (a[at + 2]! << 8);
  let p = at + 3;
  const numbers = 2 + ((a[at]! & 2) !== 0 ? 2 * n : 0);
  for (let i = 0; i < numbers; i++) p += 1 + a[p]!;
  return p - at;
}
