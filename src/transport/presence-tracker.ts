import type { Address } from '../domain/index.ts';

/**
 * Matrix presence per user and reachability per address (spec §8.2-§8.4). An address is
 * REACHABLE when its best user presence is online or unavailable, UNREACHABLE when it is
 * offline, UNKNOWN otherwise (never seen). Users are kept per address in the order they
 * were first seen (the reference iterates a Python set, whose order is arbitrary).
 */

/** A user's presence as Matrix reports it. */
export type UserPresence = 'online' | 'unavailable' | 'offline' | 'unknown';

/** Reachability of an address (spec §8.2). */
export type Reachability = 'reachable' | 'unreachable' | 'unknown';

/** What the tracker knows about one user. */
export interface UserRecord {
  readonly userId: string;
  readonly address: Address;
  readonly presence: UserPresence;
  /** The displayname signature (0x + 130 hex), verified before it gets here. */
  readonly displayname: string | null;
  readonly avatarUrl: string | null;
}

/** What the tracker knows about one address. */
export interface AddressRecord {
  readonly reachability: Reachability;
  /** Capabilities string, per address (spec §8.3); "mxc://" by default. */
  readonly capabilities: string;
  /** Milliseconds since epoch of the last reachability change (suggest_partner uptime). */
  readonly since: number;
  /** Milliseconds since epoch when the address was last seen going offline, if ever. */
  readonly firstSeenOffline: number | null;
}

/** Transport metadata of an address as route answers show it (spec §8.4). */
export interface AddressMetadata {
  readonly user_id: string;
  readonly capabilities: string;
  readonly displayname: string | null;
}

/** A change the tracker reports, so listeners (registry, HTTP front, store) can follow. */
export interface PresenceChange {
  readonly address: Address;
  readonly record: AddressRecord;
  /** Metadata of the first online user, or null when none is online. */
  readonly metadata: AddressMetadata | null;
  readonly user: UserRecord;
}

/** Default capabilities string when a user has no avatar URL (spec §8.3). */
export const DEFAULT_CAPABILITIES = 'mxc://';

const RANK: Record<UserPresence, number> = { online: 3, unavailable: 2, offline: 1, unknown: 0 };

function reachabilityOf(best: UserPresence | null): Reachability {
  if (best === 'online' || best === 'unavailable') return 'reachable';
  if (best === 'offline') return 'unreachable';
  return 'unknown';
}

/**
 * The presence state. Single writer (the ingress).
 *
 * Presence restored from the store is only what was last known. With a live Matrix source
 * it is marked stale (`markStale`): every restored user counts as `unknown` (so no address
 * is reachable on stale information) until an event about it arrives or the first sync of
 * its homeserver is over (`confirmStale`), while user ids, verified displaynames,
 * capabilities and `firstSeenOffline` are kept. The stored records are not touched until
 * then, so a restart before the first sync still finds what was last known.
 */
export class PresenceTracker {
  private readonly users = new Map<string, UserRecord>();
  private readonly byAddress = new Map<Address, string[]>();
  private readonly addresses = new Map<Address, AddressRecord>();
  /** Stale users (restored, unconfirmed) with their last known presence. */
  private readonly stale = new Map<string, UserPresence>();

  /**
   * Marks every user stale: its presence counts as `unknown` until confirmed. Returns one
   * change per user (for the registry and the front), in first-seen order.
   */
  markStale(now: number): PresenceChange[] {
    const touched = new Set<Address>();
    for (const [id, u] of this.users) {
      if (!this.stale.has(id)) this.stale.set(id, u.presence);
      this.users.set(id, { ...u, presence: 'unknown' });
      touched.add(u.address);
    }
    for (const address of touched) {
      const old = this.addresses.get(address);
      if (old === undefined || old.reachability === 'unknown') continue;
      this.addresses.set(address, { ...old, reachability: 'unknown', since: now });
    }
    return [...this.users.values()].map((user) => ({ address: user.address, record: this.addresses.get(user.address)!, metadata: null, user }));
  }

  /**
   * Ends the stale state of the users `covers` selects (those whose homeserver finished its
   * first sync without an event about them): they stay `unknown`, now as confirmed
   * knowledge. Returns their changes (to persist).
   */
  confirmStale(covers: (userId: string) => boolean): PresenceChange[] {
    const changes: PresenceChange[] = [];
    for (const id of [...this.stale.keys()]) {
      if (!covers(id)) continue;
      this.stale.delete(id);
      const user = this.users.get(id)!;
      changes.push({ address: user.address, record: this.addresses.get(user.address)!, metadata: this.metadata(user.address), user });
    }
    return changes;
  }

  /** Users still waiting for a live confirmation. */
  get staleUsers(): number {
    return this.stale.size;
  }

  /** Applies a presence event of a verified user; returns the resulting change. */
  update(user: UserRecord, now: number): PresenceChange {
    this.stale.delete(user.userId);
    const previous = this.users.get(user.userId);
    this.users.set(user.userId, user);
    if (previous === undefined) {
      const list = this.byAddress.get(user.address);
      if (list === undefined) this.byAddress.set(user.address, [user.userId]);
      else list.push(user.userId);
    }
    const old = this.addresses.get(user.address);
    const reachability = reachabilityOf(this.best(user.address));
    const changed = old === undefined || old.reachability !== reachability;
    const record: AddressRecord = {
      reachability,
      capabilities: changed ? (user.avatarUrl ?? DEFAULT_CAPABILITIES) : old.capabilities,
      since: changed ? now : old.since,
      firstSeenOffline: changed && reachability === 'unreachable' ? now : (old?.firstSeenOffline ?? null),
    };
    this.addresses.set(user.address, record);
    return { address: user.address, record, metadata: this.metadata(user.address), user };
  }

  private best(address: Address): UserPresence | null {
    let best: UserPresence | null = null;
    for (const id of this.byAddress.get(address) ?? []) {
      const p = this.users.get(id)!.presence;
      if (best === null || RANK[p] > RANK[best]) best = p;
    }
    return best;
  }

  /** Reachability of an address (unknown if never seen). */
  reachability(address: Address): Reachability {
    return this.addresses.get(address)?.reachability ?? 'unknown';
  }

  /** The address record, if the address was ever seen. */
  address(address: Address): AddressRecord | undefined {
    return this.addresses.get(address);
  }

  /** Metadata of the first online or unavailable user of an address (spec §2.9, §8.4). */
  metadata(address: Address): AddressMetadata | null {
    for (const id of this.byAddress.get(address) ?? []) {
      const u = this.users.get(id)!;
      if (u.presence === 'online' || u.presence === 'unavailable') {
        return { user_id: u.userId, capabilities: this.addresses.get(address)?.capabilities ?? DEFAULT_CAPABILITIES, displayname: u.displayname };
      }
    }
    return null;
  }

  /** Every user, in first-seen order (for persisting). */
  allUsers(): IterableIterator<UserRecord> {
    return this.users.values();
  }

  /** Every address record (for persisting). */
  allAddresses(): IterableIterator<[Address, AddressRecord]> {
    return this.addresses.entries();
  }

  /** Restores users and address records saved earlier (users in their original order). */
  restore(users: readonly UserRecord[], addresses: ReadonlyMap<Address, AddressRecord>): void {
    for (const u of users) {
      this.users.set(u.userId, u);
      const list = this.byAddress.get(u.address);
      if (list === undefined) this.byAddress.set(u.address, [u.userId]);
      else list.push(u.userId);
    }
    for (const [a, r] of addresses) this.addresses.set(a, r);
  }
}
