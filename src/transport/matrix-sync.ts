/**
 * The parts of a Matrix `/sync` answer the service reads (spec §8.1, §8.5): presence events
 * and to-device events, plus the token of the next sync. Everything else (rooms, account
 * data) is filtered out on the server already. A homeserver is trusted to speak the
 * protocol but not to be well-formed: each event is checked for shape, and what does not
 * fit is reported instead of thrown.
 */

/**
 * The sync filter: presence and to-device only. Rooms are excluded (the service reads no
 * timeline, not even of the presence room: sharing the room is what makes presence
 * visible, its events are of no interest), and so is account data.
 */
export const SYNC_FILTER = Object.freeze({
  account_data: { not_types: ['*'] },
  presence: { types: ['m.presence'] },
  room: {
    rooms: [],
    account_data: { not_types: ['*'] },
    ephemeral: { not_types: ['*'] },
    state: { not_types: ['*'] },
    timeline: { not_types: ['*'], limit: 0 },
  },
});

/** A presence value the service understands. */
export type MatrixPresence = 'online' | 'unavailable' | 'offline';

/** One `m.presence` event. */
export interface PresenceEvent {
  readonly userId: string;
  /** null for a state this service does not know (e.g. `busy`). */
  readonly presence: MatrixPresence | null;
  /** From the event content when the server includes it (Synapse does not). */
  readonly displayname: string | null;
  readonly avatarUrl: string | null;
}

/** One to-device event, reduced to what §8.5 looks at. */
export interface ToDeviceEvent {
  readonly sender: string;
  readonly type: string;
  /** `content.msgtype`, or null. */
  readonly msgtype: string | null;
  /** `content.body` when it is a string, else null. */
  readonly body: string | null;
}

/** The useful part of a sync answer. */
export interface SyncBatch {
  readonly nextBatch: string;
  readonly presence: readonly PresenceEvent[];
  readonly toDevice: readonly ToDeviceEvent[];
  /** Events skipped because they were not objects of the expected shape. */
  readonly malformed: number;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function events(section: unknown): unknown[] {
  const s = record(section);
  return s !== null && Array.isArray(s.events) ? s.events : [];
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Reads a sync answer; null when it has no `next_batch` (not a sync answer at all). */
export function parseSync(answer: unknown): SyncBatch | null {
  const a = record(answer);
  const nextBatch = a === null ? null : str(a.next_batch);
  if (a === null || nextBatch === null) return null;
  let malformed = 0;
  const presence: PresenceEvent[] = [];
  for (const raw of events(a.presence)) {
    const e = record(raw);
    const content = record(e?.content);
    const userId = str(e?.sender);
    if (e === null || content === null || userId === null || e.type !== 'm.presence') {
      malformed++;
      continue;
    }
    const p = content.presence;
    presence.push({
      userId,
      presence: p === 'online' || p === 'unavailable' || p === 'offline' ? p : null,
      displayname: str(content.displayname),
      avatarUrl: str(content.avatar_url),
    });
  }
  const toDevice: ToDeviceEvent[] = [];
  for (const raw of events(a.to_device)) {
    const e = record(raw);
    const sender = str(e?.sender);
    const type = str(e?.type);
    if (e === null || sender === null || type === null) {
      malformed++;
      continue;
    }
    const content = record(e.content);
    toDevice.push({ sender, type, msgtype: str(content?.msgtype), body: str(content?.body) });
  }
  return { nextBatch, presence, toDevice, malformed };
}

/**
 * Which connection handles a user's presence (spec §8.2): the connection to the user's own
 * homeserver, or the main connection when no connection serves that homeserver. Every
 * event is thus handled exactly once, whichever connections can see it.
 */
export function handlesPresenceOf(userServer: string, ownServer: string, isMain: boolean, connectedServers: ReadonlySet<string>): boolean {
  return userServer === ownServer || (isMain && !connectedServers.has(userServer));
}
