/**
 * Shared-memory helpers. Per-edge state lives in growable SharedArrayBuffers: they grow in
 * place and every length-tracking typed-array view, in every worker, sees the new length,
 * so readers never need a new handle when the writer adds channels. Growth only reserves
 * address space up front; memory is committed as the buffer grows.
 */

/** Creates a growable shared buffer with `initial` bytes, able to grow to `max` bytes. */
export function growableBuffer(initial: number, max: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.min(initial, max), { maxByteLength: max });
}

/** Grows `buffer` to at least `bytes` (doubling, capped at its maximum). */
export function ensureBytes(buffer: SharedArrayBuffer, bytes: number): void {
  if (buffer.byteLength >= bytes) return;
  if (bytes > buffer.maxByteLength) {
    throw new Error(`shared buffer limit reached: need ${bytes} bytes, maximum ${buffer.maxByteLength}`);
  }
  let next = Math.max(buffer.byteLength * 2, 4096);
  while (next < bytes) next *= 2;
  buffer.grow(Math.min(next, buffer.maxByteLength));
}

/** Lays out several typed arrays in one fixed-size shared buffer (8-byte aligned). */
export class Layout {
  private size = 0;
  private readonly fields: { name: string; offset: number; bytes: number }[] = [];

  /** Reserves `bytes` bytes under `name` and returns this layout. */
  add(name: string, bytes: number): this {
    this.size = (this.size + 7) & ~7;
    this.fields.push({ name, offset: this.size, bytes });
    this.size += bytes;
    return this;
  }

  /** Allocates the buffer and returns it with the byte offset of every field. */
  allocate(): { buffer: SharedArrayBuffer; offsets: Record<string, number> } {
    const buffer = new SharedArrayBuffer(Math.max(8, (this.size + 7) & ~7));
    const offsets: Record<string, number> = {};
    for (const f of this.fields) offsets[f.name] = f.offset;
    return { buffer, offsets };
  }
}
