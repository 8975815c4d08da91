/**
 * Explicit binary encodings for stored records. Every amount is written as a compact
 * uint (length byte + big-endian bytes); nothing goes through an implicit codec, so a
 * bigint can never be silently truncated or turned into a float.
 */

/**
 * Writes `v` as exactly 32 big-endian bytes at `at` (keys that must sort by value), without
 * a hex string. Throws outside [0, 2^256).
 */
export function writeUint256BE(out: Buffer, at: number, v: bigint): void {
  if (v < 0n || v >= 1n << 256n) throw new Error('value outside uint256 in a key');
  if (v <= 0xffffffffffffn) {
    out.fill(0, at, at + 26);
    out.writeUIntBE(Number(v), at + 26, 6);
    return;
  }
  let rest = v;
  for (let i = 3; i >= 0; i--) {
    out.writeBigUInt64BE(BigInt.asUintN(64, rest), at + 8 * i);
    rest >>= 64n;
  }
}

/** Appends bytes to a growing buffer. */
export class Writer {
  private buf: Buffer;
  private at = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  /** One byte. */
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.at++] = v;
    return this;
  }

  /** Unsigned 32-bit big-endian. */
  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.at);
    this.at += 4;
    return this;
  }

  /** A non-negative safe integer as 8 bytes big-endian (sequence numbers, times). */
  u53(v: number): this {
    this.ensure(8);
    this.buf.writeUInt32BE(Math.floor(v / 4294967296), this.at);
    this.buf.writeUInt32BE(v % 4294967296, this.at + 4);
    this.at += 8;
    return this;
  }

  /** A non-negative bigint as length byte + big-endian bytes (up to 255 bytes). */
  uint(v: bigint): this {
    if (v < 0n) throw new Error('negative value in uint field');
    if (v <= 0xffffffffffffn) {
      // up to 6 bytes: one number write, no string conversion (ids, nonces, most amounts' words)
      const x = Number(v);
      const n = x === 0 ? 0 : x < 0x100 ? 1 : x < 0x10000 ? 2 : x < 0x1000000 ? 3 : x < 0x100000000 ? 4 : x < 0x10000000000 ? 5 : 6;
      this.ensure(1 + n);
      this.buf[this.at] = n;
      if (n > 0) this.buf.writeUIntBE(x, this.at + 1, n);
      this.at += 1 + n;
      return this;
    }
    let words = 0;
    for (let rest = v; rest !== 0n; rest >>= 64n) words++;
    // 32 words hold every value of up to 255 bytes; the exact length is checked below
    if (words > 32) throw new Error('uint field longer than 255 bytes');
    // write whole 64-bit words, then drop the leading zero bytes
    const scratch = Buffer.allocUnsafe(words * 8);
    let rest = v;
    for (let i = words - 1; i >= 0; i--) {
      scratch.writeBigUInt64BE(BigInt.asUintN(64, rest), i * 8);
      rest >>= 64n;
    }
    let skip = 0;
    while (scratch[skip] === 0) skip++;
    const n = scratch.length - skip;
    if (n > 255) throw new Error('uint field longer than 255 bytes');
    this.ensure(1 + n);
    this.buf[this.at] = n;
    scratch.copy(this.buf, this.at + 1, skip);
    this.at += 1 + n;
    return this;
  }

  /** Raw bytes with a 16-bit length prefix. */
  bytes(b: Uint8Array): this {
    if (b.length > 0xffff) throw new Error('byte field longer than 65535 bytes');
    this.ensure(2 + b.length);
    this.buf.writeUInt16BE(b.length, this.at);
    this.buf.set(b, this.at + 2);
    this.at += 2 + b.length;
    return this;
  }

  /** Raw bytes without a length prefix (fixed-size fields). */
  fixed(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  /** A string as UTF-8 bytes with a length prefix. */
  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  /** The written bytes (a copy). */
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.at));
  }
}

/** The last string one field decoded (see Reader.repeatedString). */
export class RepeatedText {
  bytes: Buffer = Buffer.alloc(0);
  text = '';
}

/** Reads what Writer wrote; throws on truncated input (stored data is trusted). */
export class Reader {
  private readonly buf: Buffer;
  private at = 0;

  constructor(buf: Uint8Array) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new Error('stored record is truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  u53(): number {
    this.need(8);
    const v = this.buf.readUInt32BE(this.at) * 4294967296 + this.buf.readUInt32BE(this.at + 4);
    this.at += 8;
    return v;
  }

  uint(): bigint {
    const n = this.u8();
    this.need(n);
    const b = this.buf;
    let at = this.at;
    const end = at + n;
    this.at = end;
    // no hex strings on the restore path: up to 6 bytes as one number, then 64-bit words
    const head = n % 8;
    let v = 0n;
    if (head > 6) {
      v = BigInt(b[at]!);
      at += 1;
    }
    if (head > 0) {
      const k = end - at - Math.floor(n / 8) * 8;
      if (k > 0) v = (v << BigInt(8 * k)) | BigInt(b.readUIntBE(at, k));
      at += k;
    }
    for (; at < end; at += 8) v = (v << 64n) | b.readBigUInt64BE(at);
    return v;
  }

  /** A 20-byte address written with `fixed`, as lower-case 0x hex (no intermediate copy). */
  address(): string {
    this.need(20);
    const hex = this.buf.toString('hex', this.at, this.at + 20);
    this.at += 20;
    return '0x' + hex;
  }

  bytes(): Buffer {
    this.need(2);
    const n = this.buf.readUInt16BE(this.at);
    this.need(2 + n);
    const b = Buffer.from(this.buf.subarray(this.at + 2, this.at + 2 + n));
    this.at += 2 + n;
    return b;
  }

  fixed(n: number): Buffer {
    this.need(n);
    const b = Buffer.from(this.buf.subarray(this.at, this.at + n));
    this.at += n;
    return b;
  }

  /**
   * string(), reusing the string of `cache` when the bytes equal the last ones it decoded:
   * for fields most records share (capabilities, avatar URLs), which a restart would
   * otherwise decode, and keep in memory, once per user.
   */
  repeatedString(cache: RepeatedText): string {
    this.need(2);
    const n = this.buf.readUInt16BE(this.at);
    this.need(2 + n);
    const start = this.at + 2;
    this.at = start + n;
    if (n === cache.bytes.length && this.buf.compare(cache.bytes, 0, n, start, start + n) === 0) return cache.text;
    cache.bytes = Buffer.from(this.buf.subarray(start, start + n));
    cache.text = cache.bytes.toString('utf8');
    return cache.text;
  }

  string(): string {
    this.need(2);
    const n = this.buf.readUInt16BE(this.at);
    this.need(2 + n);
    const text = this.buf.toString('utf8', this.at + 2, this.at + 2 + n);
    this.at += 2 + n;
    return text;
  }

  /** True when everything has been read. */
  get finished(): boolean {
    return this.at === this.buf.length;
  }
}
