import { type Address, addressFromBytes } from '../../domain/index.ts';
import { ensureBytes, growableBuffer } from './shared-memory.ts';

/**
 * Every address the service knows, with a dense global index and a reachability byte
 * (spec §8.2), in shared memory. The ingress is the only writer: it registers an address
 * before any event naming it reaches a shard, so shards, path workers and the HTTP front
 * can look addresses up and read reachability directly, without messages. Index 0 is a
 * sentinel that is never reachable.
 *
 * The hash table has a fixed capacity chosen at start (readers must agree on its size);
 * the address list and the reachability bytes grow in place.
 */

/** Handles a reader needs (structured-clone safe). */
export interface AddressRegistryHandle {
  /** Int32 [count, seed]. */
  readonly header: SharedArrayBuffer;
  /** Open addressing: index + 1 per slot, 0 = empty. */
  readonly table: SharedArrayBuffer;
  /** 20 bytes per index (growable). */
  readonly addresses: SharedArrayBuffer;
  /** 1 byte per index: 1 reachable (growable). */
  readonly reach: SharedArrayBuffer;
}

/** Default capacity: 2^21 table slots, about a million addresses at half load. */
export const DEFAULT_REGISTRY_SLOTS = 1 << 21;

function hash(bytes: Uint8Array, at: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < 20; i++) h = Math.imul(h ^ bytes[at + i]!, 0x01000193) >>> 0;
  return h;
}

/** Read access; also the base of the writer. */
export class AddressRegistry {
  readonly handle: AddressRegistryHandle;
  protected readonly header: Int32Array;
  protected readonly table: Int32Array;
  protected addressView: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  protected reachView: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private readonly key = Buffer.alloc(20);

  constructor(handle: AddressRegistryHandle) {
    this.handle = handle;
    this.header = new Int32Array(handle.header);
    this.table = new Int32Array(handle.table);
    this.refresh();
  }

  /** Number of indices in use (including the sentinel 0). */
  get count(): number {
    return Atomics.load(this.header, 0);
  }

  protected refresh(): void {
    this.addressView = new Uint8Array(this.handle.addresses, 0, this.handle.addresses.byteLength);
    this.reachView = new Uint8Array(this.handle.reach, 0, this.handle.reach.byteLength);
  }

  /** Index of an address, or -1 if it was never registered. */
  lookup(address: Address): number {
    const bytes = this.key;
    bytes.write(address.slice(2), 'hex');
    return this.lookupBytes(bytes, 0);
  }

  /** lookup() of the 20 address bytes at `bytes[at]`. */
  lookupBytes(bytes: Uint8Array, at: number): number {
    const mask = this.table.length - 1;
    let slot = hash(bytes, at, this.header[1]!) & mask;
    for (;;) {
      const entry = Atomics.load(this.table, slot);
      if (entry === 0) return -1;
      const index = entry - 1;
      if ((index + 1) * 20 > this.addressView.length) this.refresh();
      let equal = true;
      for (let i = 0; i < 20; i++) {
        if (this.addressView[index * 20 + i] !== bytes[at + i]) {
          equal = false;
          break;
        }
      }
      if (equal) return index;
      slot = (slot + 1) & mask;
    }
  }

  /** Address at an index. */
  address(index: number): Address {
    if ((index + 1) * 20 > this.addressView.length) this.refresh();
    return addressFromBytes(this.addressView.subarray(index * 20, index * 20 + 20));
  }

  /** Whether the address at an index is reachable. */
  isReachable(index: number): boolean {
    if (index >= this.reachView.length) this.refresh();
    return this.reachView[index] === 1;
  }

  /** Whether an address is reachable (unknown addresses are not). */
  isAddressReachable(address: Address): boolean {
    const index = this.lookup(address);
    return index > 0 && this.isReachable(index);
  }

  /** A fixed-length view of the reachability bytes (the same object until they grow). */
  reachBytes(): Uint8Array {
    if (this.reachView.length !== this.handle.reach.byteLength) this.refresh();
    return this.reachView as Uint8Array;
  }
}

/** The writer side, owned by the ingress. */
export class AddressRegistryWriter extends AddressRegistry {
  /**
   * Attaches to existing buffers (a restarted ingress keeps the registry the other threads
   * read), or creates new ones.
   */
  constructor(handle: AddressRegistryHandle = AddressRegistryWriter.allocate(DEFAULT_REGISTRY_SLOTS)) {
    super(handle);
    if (this.count === 0) {
      this.header[1] = (Math.random() * 0x7fffffff) | 0;
      Atomics.store(this.header, 0, 1); // index 0: the never-reachable sentinel
    }
  }

  /** New empty registry buffers with `slots` hash slots (a power of two). */
  static allocate(slots: number): AddressRegistryHandle {
    if ((slots & (slots - 1)) !== 0) throw new Error('registry slots must be a power of two');
    return {
      header: new SharedArrayBuffer(8),
      table: new SharedArrayBuffer(slots * 4),
      addresses: growableBuffer(20 * 1024, 20 * (slots >> 1)),
      reach: growableBuffer(1024, slots >> 1),
    };
  }

  /** Capacity in addresses (half the table). */
  get capacity(): number {
    return this.table.length >> 1;
  }

  /** The index of an address, registering it if new; null when the registry is full. */
  register(address: Address): number | null {
    const bytes = this.scratch;
    bytes.write(address.slice(2), 'hex');
    return this.registerBytes(bytes, 0);
  }

  /**
   * register() of the 20 address bytes at `bytes[at]`: no strings, for loading hundreds of
   * thousands of stored addresses at start (that code runs once, before the JIT helps).
   */
  registerBytes(bytes: Uint8Array, at: number): number | null {
    const existing = this.lookupBytes(bytes, at);
    if (existing >= 0) return existing;
    const index = this.count;
    if (index >= this.capacity) return null;
    if ((index + 1) * 20 > this.addressView.length || index + 1 > this.reachView.length) {
      // grown in steps, so the views are not re-created for every address
      const room = Math.min(this.capacity, Math.max(index + 1, 2 * index, 1024));
      ensureBytes(this.handle.addresses, room * 20);
      ensureBytes(this.handle.reach, room);
      this.refresh();
    }
    const view = this.addressView;
    for (let i = 0; i < 20; i++) view[index * 20 + i] = bytes[at + i]!;
    this.reachView[index] = 0;
    const mask = this.table.length - 1;
    let slot = hash(bytes, at, this.header[1]!) & mask;
    while (Atomics.load(this.table, slot) !== 0) slot = (slot + 1) & mask;
    // publish: the address bytes are written before the slot points at them
    Atomics.store(this.table, slot, index + 1);
    Atomics.store(this.header, 0, index + 1);
    return index;
  }

  private readonly scratch = Buffer.alloc(20);

  /** Sets reachability of an index (a byte write is atomic for readers). */
  setReachable(index: number, reachable: boolean): void {
    if (index <= 0) return;
    if (index >= this.reachView.length) this.refresh();
    this.reachView[index] = reachable ? 1 : 0;
  }
}
