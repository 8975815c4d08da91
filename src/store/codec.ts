/**
 * Explicit binary encodings for stored records. Every amount is written as a compact
 * uint (length byte + big-endian bytes); nothing goes through an implicit codec, so a
 * bigint can never be silently truncated or turned into a float.
 */

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
    let hex = v === 0n ? '' : v.toString(16);
    if (hex.length % 2 === 1) hex = '0' + hex;
    const n = hex.length / 2;
    if (n > 255) throw new Error('uint field longer than 255 bytes');
    this.ensure(1 + n);
    this.buf[this.at] = n;
    if (n > 0) this.buf.write(hex, this.at + 1, 'hex');
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
    const v = n === 0 ? 0n : BigInt('0x' + this.buf.toString('hex', this.at, this.at + n));
    this.at += n;
    return v;
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

  string(): string {
    return this.bytes().toString('utf8');
  }

  /** True when everything has been read. */
  get finished(): boolean {
    return this.at === this.buf.length;
  }
}
