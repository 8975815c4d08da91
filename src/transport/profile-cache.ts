import type { Address } from '../domain/index.ts';
import { verifyDisplayname } from '../protocol/index.ts';

/**
 * Matrix profiles (displayname, avatar URL) per user id, with the outcome of the
 * displayname check (spec §8.2) cached: a verification is a signature recovery, and a
 * profile fetch a homeserver round trip. Entries restored from the store count as fresh,
 * so the first sync after a restart does not fetch thousands of profiles again (the
 * reference's W4, raiden #5261). Bounded: the least recently used entries go first.
 */

/** One cached profile. */
export interface ProfileEntry {
  readonly displayname: string | null;
  readonly avatarUrl: string | null;
  /** When it was fetched (ms); restored entries carry their restore time. */
  readonly fetchedAt: number;
  /** The address the displayname proves; undefined until checked, null when it proves none. */
  verified?: Address | null;
}

/** The profile cache shared by all connections. */
export class ProfileCache {
  private readonly entries = new Map<string, ProfileEntry>();
  private readonly limit: number;

  constructor(limit = 200_000) {
    this.limit = limit;
  }

  /** The entry of a user (and marks it recently used). */
  get(userId: string): ProfileEntry | undefined {
    const e = this.entries.get(userId);
    if (e !== undefined) {
      this.entries.delete(userId);
      this.entries.set(userId, e);
    }
    return e;
  }

  /** Stores a fetched (or restored) profile. */
  set(userId: string, displayname: string | null, avatarUrl: string | null, fetchedAt: number): ProfileEntry {
    const old = this.entries.get(userId);
    const entry: ProfileEntry = { displayname, avatarUrl, fetchedAt };
    // a known verdict stays valid while the displayname is the same
    if (old !== undefined && old.displayname === displayname && old.verified !== undefined) entry.verified = old.verified;
    this.entries.delete(userId);
    this.entries.set(userId, entry);
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  /** The address an entry's displayname proves for `userId`, or null (checked once). */
  verifiedAddress(userId: string, entry: ProfileEntry): Address | null {
    if (entry.verified === undefined) {
      const r = verifyDisplayname(userId, entry.displayname);
      entry.verified = r.ok ? r.address : null;
    }
    return entry.verified;
  }

  /** Cached users. */
  get size(): number {
    return this.entries.size;
  }
}
