import type { AddressRegistry } from '../../src/graph/index.ts';
import type { PresenceChange, UserPresence } from '../../src/transport/presence-tracker.ts';

/**
 * What the HTTP front derives from the ingress's presence changes beyond the per-address
 * view the supervisor keeps: the number of ONLINE Matrix users (debug stats, spec §2.10:
 * users, not addresses) and, per address-registry index, when a REACHABLE address last
 * changed reachability (suggest_partner's uptime, spec §8.2), in the array form a pool task
 * takes. Both are updated in O(1) per change, so a request never scans the presence.
 */
export class PresenceIndex {
  private readonly registry: AddressRegistry;
  private readonly users = new Map<string, UserPresence>();
  private online = 0;
  /** Milliseconds of the last reachability change by registry index; NaN when not REACHABLE. */
  private since = new Float64Array(1024).fill(NaN);

  constructor(registry: AddressRegistry) {
    this.registry = registry;
  }

  /** Applies presence changes in the order the ingress made them. */
  apply(changes: readonly PresenceChange[]): void {
    for (const c of changes) {
      const before = this.users.get(c.user.userId);
      if (before === 'online') this.online--;
      if (c.user.presence === 'online') this.online++;
      this.users.set(c.user.userId, c.user.presence);
      // the ingress registers an address before announcing its presence
      const index = this.registry.lookup(c.address);
      if (index <= 0) continue;
      if (index >= this.since.length) {
        let size = this.since.length;
        while (size <= index) size *= 2;
        const grown = new Float64Array(size).fill(NaN);
        grown.set(this.since);
        this.since = grown;
      }
      this.since[index] = c.record.reachability === 'reachable' ? c.record.since : NaN;
    }
  }

  /** Matrix users whose presence is ONLINE (not UNAVAILABLE), as the reference counts them. */
  onlineUsers(): number {
    return this.online;
  }

  /** A copy of the reachability-change times, indexed by registry index (for a pool task). */
  sinceByIndex(): Float64Array {
    return this.since.slice(0, Math.max(1, this.registry.count));
  }
}
