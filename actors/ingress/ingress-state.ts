import { type Address, addressToBytes } from '../../src/domain/index.ts';
import type { AddressRegistryWriter } from '../../src/graph/index.ts';
import { Reader, RepeatedText, Writer } from '../../src/store/codec.ts';
import type { Store } from '../../src/store/environment.ts';
import { listNetworks } from '../../src/store/network-store.ts';
import type { AddressRecord, PresenceTracker, Reachability, UserPresence, UserRecord } from '../../src/transport/presence-tracker.ts';

/**
 * What the ingress persists itself (its own key ranges): the address registry, presence,
 * and source cursors. Queued writes land in the ingress's next LMDB transaction, together
 * with the cursor that covers them.
 */

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

/** A source cursor: how much of an input is applied everywhere. */
export interface Cursor {
  readonly line: number;
  readonly offset: number;
  readonly block: number;
}

/** Reads a source cursor (zero if the source is new). */
export function readCursor(store: Store, source: string): Cursor {
  const b = store.dbs.cursors.get(Buffer.from(source, 'utf8'));
  if (b === undefined) return { line: 0, offset: 0, block: 0 };
  const r = new Reader(b);
  return { line: r.u53(), offset: r.u53(), block: r.u53() };
}

/** Queues a source cursor. */
export function writeCursor(store: Store, source: string, c: Cursor): void {
  void store.dbs.cursors.put(Buffer.from(source, 'utf8'), new Writer().u53(c.line).u53(c.offset).u53(c.block).done());
}

/** Cursor of the live (Matrix) input: `line` is the end of the reserved shard positions. */
export const LIVE_CURSOR = 'live-reserved';

/** Cursor key of the --record file's committed length (not a source cursor). */
export const RECORD_CURSOR = 'record';

/** The highest confirmed block any source has committed (the block /info reports after a restart). */
export function storedConfirmedBlock(store: Store): number {
  let block = 0;
  for (const { key, value } of store.dbs.cursors.getRange()) {
    if (key.toString('utf8') === RECORD_CURSOR) continue;
    const r = new Reader(value as Uint8Array);
    r.u53();
    r.u53();
    block = Math.max(block, r.u53());
  }
  return block;
}

/**
 * Loads the registry from the store, then registers every stored network node missing from
 * it (a shard may have committed nodes of events the ingress had not committed yet when the
 * process stopped). Idempotent: loading into a registry that was loaded already (the
 * supervisor preloads it so shards can restore before the ingress runs) changes nothing.
 * Returns how many indices are stored (entries from there on must be persisted).
 */
export function loadRegistry(store: Store, registry: AddressRegistryWriter): { persisted: number } {
  // byte-level: this runs once per start on up to a million addresses, before the JIT has
  // warmed up, so no strings are made (a 20,000-address registry took ~0.4 s with them)
  let expected = 1;
  for (const { key, value } of store.dbs.addresses.getRange({})) {
    const index = key.readUInt32BE(0);
    if (index !== expected) throw new Error(`address registry has a gap at ${expected}`);
    if (value.length !== 20) throw new Error(`address registry entry ${index} is not 20 bytes`);
    if (registry.registerBytes(value, 0) !== index) throw new Error(`address registry out of step at ${index}`);
    expected++;
  }
  for (const n of listNetworks(store)) {
    const prefix = Buffer.from(addressToBytes(n.address));
    for (const { value } of store.dbs.nodes.getRange({ start: prefix, end: Buffer.concat([prefix, Buffer.alloc(64, 0xff)]) })) {
      if (value.length !== 20) throw new Error(`node record of ${n.address} is not 20 bytes`);
      registry.registerBytes(value, 0);
    }
  }
  return { persisted: expected };
}

/**
 * How many registry indices are stored (the `persisted` of loadRegistry) without loading
 * them: for a registry the supervisor has loaded already, where a second pass would only
 * look up 40,000 addresses again (a third of a second of a 100,000-channel restart).
 */
export function storedRegistryLength(store: Store): number {
  for (const key of store.dbs.addresses.getKeys({ reverse: true, limit: 1 })) return Math.max(1, key.readUInt32BE(0) + 1);
  return 1;
}

/** Queues registry entries from index `from` on. */
export function persistRegistry(store: Store, registry: AddressRegistryWriter, from: number): void {
  for (let index = Math.max(1, from); index < registry.count; index++) {
    void store.dbs.addresses.put(u32(index), Buffer.from(addressToBytes(registry.address(index))));
  }
}

const PRESENCE: UserPresence[] = ['online', 'unavailable', 'offline', 'unknown'];
const REACH: Reachability[] = ['reachable', 'unreachable', 'unknown'];

/** One user record's stored bytes. */
function encodeUser(u: UserRecord): Buffer {
  return new Writer()
    .string(u.userId)
    .fixed(addressToBytes(u.address))
    .u8(PRESENCE.indexOf(u.presence))
    .string(u.displayname ?? '')
    .string(u.avatarUrl ?? '')
    .u8((u.displayname === null ? 0 : 1) | (u.avatarUrl === null ? 0 : 2))
    .done();
}

/** One address record's stored bytes. */
function encodeAddressRecord(a: AddressRecord): Buffer {
  return new Writer()
    .u8(REACH.indexOf(a.reachability))
    .string(a.capabilities)
    .u53(a.since)
    .u8(a.firstSeenOffline === null ? 0 : 1)
    .u53(a.firstSeenOffline ?? 0)
    .done();
}

/** Strings most records share, decoded once per load (see Reader.repeatedString). */
interface SharedTexts {
  readonly avatars: RepeatedText;
  readonly capabilities: RepeatedText;
}

function decodeUser(r: Reader, texts: SharedTexts): UserRecord {
  const userId = r.string();
  const address = r.address() as Address;
  const presence = PRESENCE[r.u8()]!;
  const displayname = r.string();
  const avatarUrl = r.repeatedString(texts.avatars);
  const flags = r.u8();
  return { userId, address, presence, displayname: flags & 1 ? displayname : null, avatarUrl: flags & 2 ? avatarUrl : null };
}

function decodeAddressRecord(r: Reader, texts: SharedTexts): AddressRecord {
  const reachability = REACH[r.u8()]!;
  const capabilities = r.repeatedString(texts.capabilities);
  const since = r.u53();
  const hasOffline = r.u8() === 1;
  const offline = r.u53();
  return { reachability, capabilities, since, firstSeenOffline: hasOffline ? offline : null };
}

/** Queues one user (key: 'U' ‖ first-seen sequence). */
export function persistUser(store: Store, seq: number, u: UserRecord): void {
  void store.dbs.presence.put(Buffer.concat([Buffer.from('U'), u32(seq)]), encodeUser(u));
}

/** Queues one address record (key: 'A' ‖ address). */
export function persistAddress(store: Store, address: Address, a: AddressRecord): void {
  void store.dbs.presence.put(Buffer.concat([Buffer.from('A'), Buffer.from(addressToBytes(address))]), encodeAddressRecord(a));
}

/*
 * The presence image: every user and address record in one value, written at a clean stop
 * and removed with the first presence change after it, so the next start reads one value
 * instead of iterating 2 records per user (at 20,000 users the iteration alone took
 * ~0.2 s of a restart). Layout: "PFSP", version, u32 users (in first-seen order), each
 * user record, u32 addresses, each 20 address bytes and its address record: the bytes of
 * the per-record values, which delimit themselves.
 */
export const PRESENCE_IMAGE_KEY = Buffer.from('presence', 'latin1');
const PRESENCE_IMAGE_MAGIC = 'PFSP';
const PRESENCE_IMAGE_VERSION = 1;

/**
 * Stores the presence image of the committed presence records (not of memory: a stop may
 * come between a chunk's presence changes and their commit). Call once nothing writes.
 */
export async function writePresenceImage(store: Store): Promise<void> {
  await store.env.committed;
  const users: Buffer[] = [];
  for (const { value } of store.dbs.presence.getRange({ start: Buffer.from('U'), end: Buffer.from('V') })) users.push(value);
  const addresses: Buffer[] = [];
  for (const { key, value } of store.dbs.presence.getRange({ start: Buffer.from('A'), end: Buffer.from('B') })) {
    addresses.push(key.subarray(1, 21), value);
  }
  const w = new Writer().fixed(Buffer.from(PRESENCE_IMAGE_MAGIC, 'latin1')).u8(PRESENCE_IMAGE_VERSION).u32(users.length);
  for (const u of users) w.fixed(u);
  w.u32(addresses.length / 2);
  for (const part of addresses) w.fixed(part);
  await store.dbs.images.put(PRESENCE_IMAGE_KEY, w.done());
}

/** Users and address records of a presence image, or null when it is not one of this version. */
function readPresenceImage(bytes: Buffer): { users: UserRecord[]; addresses: Map<Address, AddressRecord> } | null {
  if (bytes.length < 9 || bytes.toString('latin1', 0, 4) !== PRESENCE_IMAGE_MAGIC || bytes[4] !== PRESENCE_IMAGE_VERSION) return null;
  try {
    const r = new Reader(bytes.subarray(5));
    const texts: SharedTexts = { avatars: new RepeatedText(), capabilities: new RepeatedText() };
    const users: UserRecord[] = [];
    for (let n = r.u32(); n > 0; n--) users.push(decodeUser(r, texts));
    const addresses = new Map<Address, AddressRecord>();
    for (let n = r.u32(); n > 0; n--) {
      const address = r.address() as Address;
      addresses.set(address, decodeAddressRecord(r, texts));
    }
    return r.finished ? { users, addresses } : null;
  } catch {
    return null; // truncated
  }
}

/**
 * Restores presence, from the presence image when there is a usable one (an unusable one
 * is removed, so the next clean stop writes a fresh one); returns the user ids in
 * first-seen order and whether an image is stored now.
 */
export function loadPresence(store: Store, tracker: PresenceTracker): { userIds: string[]; imageStored: boolean } {
  const stored = store.dbs.images.get(PRESENCE_IMAGE_KEY);
  if (stored !== undefined) {
    const image = readPresenceImage(stored);
    if (image !== null) {
      tracker.restore(image.users, image.addresses);
      return { userIds: image.users.map((u) => u.userId), imageStored: true };
    }
    store.dbs.images.removeSync(PRESENCE_IMAGE_KEY);
  }
  const texts: SharedTexts = { avatars: new RepeatedText(), capabilities: new RepeatedText() };
  const users: UserRecord[] = [];
  for (const { value } of store.dbs.presence.getRange({ start: Buffer.from('U'), end: Buffer.from('V') })) users.push(decodeUser(new Reader(value), texts));
  const addresses = new Map<Address, AddressRecord>();
  for (const { key, value } of store.dbs.presence.getRange({ start: Buffer.from('A'), end: Buffer.from('B') })) {
    addresses.set(('0x' + key.toString('hex', 1, 21)) as Address, decodeAddressRecord(new Reader(value), texts));
  }
  tracker.restore(users, addresses);
  return { userIds: users.map((u) => u.userId), imageStored: false };
}
