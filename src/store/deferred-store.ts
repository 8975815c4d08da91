import { type Address, addressFromBytes, addressToBytes, writeAddressBytes } from '../domain/index.ts';
import { type CapacityUpdate, type FeeUpdate, decodeFeeSchedule, encodeFeeSchedule } from '../graph/index.ts';
import { Reader, Writer, writeUint256BE } from './codec.ts';
import type { Store } from './environment.ts';

/**
 * Updates for channels not (yet) opened (spec §6.4), kept per token network and replayed in
 * arrival order when the channel opens. Unlike the reference (weakness W8) the table is
 * bounded: at most `maxEntries` per network (the oldest go first) and entries older than
 * `expirySeconds` are dropped, so a signed sender cannot fill the disk with updates for
 * channels that never open.
 *
 * Key: network (20) ‖ channel id (32) ‖ arrival sequence (8), so one range scan finds a
 * channel's updates in order.
 */

/** A deferred, already verified update. */
export type DeferredUpdate =
  | { readonly kind: 'capacity'; readonly update: CapacityUpdate }
  | { readonly kind: 'fee'; readonly update: FeeUpdate };

/** Limits of the deferred table. */
export interface DeferralLimits {
  readonly maxEntries: number;
  readonly expirySeconds: number;
}

interface Entry {
  readonly key: Buffer;
  readonly addedAt: number;
}

function encode(d: DeferredUpdate, addedAt: number): Buffer {
  const w = new Writer().u8(1).u53(addedAt);
  if (d.kind === 'capacity') {
    const u = d.update;
    w.u8(1)
      .fixed(addressToBytes(u.updating))
      .fixed(addressToBytes(u.other))
      .uint(u.updatingNonce)
      .uint(u.otherNonce)
      .uint(u.updatingCapacity)
      .uint(u.otherCapacity)
      .uint(u.revealTimeout);
  } else {
    const u = d.update;
    w.u8(2).fixed(addressToBytes(u.updating)).bytes(encodeFeeSchedule(u.schedule)).string(u.timestamp);
  }
  return w.done();
}

function decode(channelId: bigint, b: Buffer): { update: DeferredUpdate; addedAt: number } {
  const r = new Reader(b);
  if (r.u8() !== 1) throw new Error('unknown deferred record version');
  const addedAt = r.u53();
  if (r.u8() === 1) {
    const updating = addressFromBytes(r.fixed(20));
    const other = addressFromBytes(r.fixed(20));
    const update: CapacityUpdate = {
      channelId,
      updating,
      other,
      updatingNonce: r.uint(),
      otherNonce: r.uint(),
      updatingCapacity: r.uint(),
      otherCapacity: r.uint(),
      revealTimeout: r.uint(),
    };
    return { update: { kind: 'capacity', update }, addedAt };
  }
  const updating = addressFromBytes(r.fixed(20));
  const schedule = decodeFeeSchedule(r.bytes());
  const timestamp = r.string();
  return { update: { kind: 'fee', update: { channelId, updating, schedule, timestamp } }, addedAt };
}

function key(network: Address, channelId: bigint, seq: number): Buffer {
  const k = Buffer.allocUnsafe(60);
  writeAddressBytes(network, k, 0);
  writeUint256BE(k, 20, channelId);
  k.writeUInt32BE(Math.floor(seq / 4294967296), 52);
  k.writeUInt32BE(seq % 4294967296, 56);
  return k;
}

/** The deferred updates of one token network. Single writer (the shard actor). */
export class DeferredStore {
  private expiredInTake = 0;
  private readonly store: Store;
  private readonly network: Address;
  private readonly limits: DeferralLimits;
  /** Entries in arrival order (oldest first), for the size bound and the expiry. */
  private readonly order: Entry[] = [];
  private readonly live = new Set<string>();
  /** Entries added since the last commit: range reads see committed data only. */
  private readonly uncommitted = new Map<string, { readonly channelId: bigint; readonly seq: number; readonly update: DeferredUpdate }>();
  private nextSeq = 0;

  constructor(store: Store, network: Address, limits: DeferralLimits) {
    this.store = store;
    this.network = network;
    this.limits = limits;
    const prefix = Buffer.from(addressToBytes(network));
    const all: { key: Buffer; seq: number; addedAt: number }[] = [];
    for (const { key: k, value } of store.dbs.deferred.getRange({ start: prefix, end: Buffer.concat([prefix, Buffer.alloc(64, 0xff)]) })) {
      const seq = k.readUInt32BE(52) * 4294967296 + k.readUInt32BE(56);
      const r = new Reader(value);
      if (r.u8() !== 1) throw new Error('unknown deferred record version');
      all.push({ key: Buffer.from(k), seq, addedAt: r.u53() });
    }
    all.sort((a, b) => a.seq - b.seq);
    for (const e of all) {
      this.order.push({ key: e.key, addedAt: e.addedAt });
      this.live.add(e.key.toString('hex'));
      this.nextSeq = Math.max(this.nextSeq, e.seq + 1);
    }
  }

  /** Number of deferred updates held. */
  get size(): number {
    return this.live.size;
  }

  /** Queues an update for a channel not open yet; returns how many updates were dropped (expired, evicted to make room, or this one when the bound is 0). */
  add(update: DeferredUpdate, now: number): number {
    const dropped = this.expire(now);
    // a bound of 0 (--deferred-max 0) means nothing waits: the update itself is dropped
    if (this.limits.maxEntries <= 0) return dropped + 1;
    let evicted = 0;
    while (this.live.size >= this.limits.maxEntries && this.order.length > 0) {
      const oldest = this.order.shift()!;
      if (this.drop(oldest.key)) evicted++;
    }
    const seq = this.nextSeq++;
    const k = key(this.network, update.update.channelId, seq);
    void this.store.dbs.deferred.put(k, encode(update, now));
    this.order.push({ key: k, addedAt: now });
    const hex = k.toString('hex');
    this.live.add(hex);
    this.uncommitted.set(hex, { channelId: update.update.channelId, seq, update });
    return dropped + evicted;
  }

  /** Called after the transaction carrying the queued writes committed. */
  committed(): void {
    this.uncommitted.clear();
  }

  /** Updates dropped by expiry inside `take` since the last call (for the counters). */
  takeExpired(): number {
    const n = this.expiredInTake;
    this.expiredInTake = 0;
    return n;
  }

  /** Removes and returns a channel's deferred updates in arrival order (skipping expired ones). */
  take(channelId: bigint, now: number): DeferredUpdate[] {
    this.expiredInTake += this.expire(now);
    const start = key(this.network, channelId, 0);
    const end = key(this.network, channelId, Number.MAX_SAFE_INTEGER);
    const found: { seq: number; key: Buffer; update: DeferredUpdate }[] = [];
    for (const { key: k, value } of this.store.dbs.deferred.getRange({ start, end: Buffer.concat([end, Buffer.from([0xff])]) })) {
      const b = Buffer.from(k);
      if (!this.live.has(b.toString('hex')) || this.uncommitted.has(b.toString('hex'))) continue;
      found.push({ seq: b.readUInt32BE(52) * 4294967296 + b.readUInt32BE(56), key: b, update: decode(channelId, value).update });
    }
    for (const [hex, e] of this.uncommitted) {
      if (e.channelId === channelId && this.live.has(hex)) found.push({ seq: e.seq, key: Buffer.from(hex, 'hex'), update: e.update });
    }
    found.sort((a, b) => a.seq - b.seq);
    const out: DeferredUpdate[] = [];
    for (const f of found) {
      out.push(f.update);
      this.drop(f.key);
    }
    // taken entries stay in `order` until they reach its front; compact when they pile up
    if (this.order.length > 2 * this.live.size + 1024) {
      const kept = this.order.filter((e) => this.live.has(e.key.toString('hex')));
      this.order.length = 0;
      this.order.push(...kept);
    }
    return out;
  }

  /** Drops entries older than the expiry; returns how many. */
  private expire(now: number): number {
    let n = 0;
    const limit = now - this.limits.expirySeconds * 1000;
    while (this.order.length > 0 && this.order[0]!.addedAt < limit) {
      if (this.drop(this.order.shift()!.key)) n++;
    }
    return n;
  }

  private drop(k: Buffer): boolean {
    const hex = k.toString('hex');
    if (!this.live.delete(hex)) return false;
    this.uncommitted.delete(hex);
    void this.store.dbs.deferred.remove(k);
    return true;
  }
}
