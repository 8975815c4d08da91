import type { Address } from '../domain/index.ts';
import { type KeyPair, addressOfUserId } from '../protocol/index.ts';
import { type MatrixApi, MatrixCallError } from './matrix-api.ts';
import { PFS_DEVICE_ID, matrixDisplayname, matrixPassword, matrixUsername, serverNameOf } from './matrix-credentials.ts';
import { type PresenceEvent, type SyncBatch, type ToDeviceEvent, SYNC_FILTER, handlesPresenceOf, parseSync } from './matrix-sync.ts';
import type { ProfileCache, ProfileEntry } from './profile-cache.ts';
import { type SenderRateLimiter, pythonStrSize } from './rate-limiter.ts';

/**
 * One connection to one homeserver (spec §8): logs in as a Raiden service, keeps its
 * profile, joins the presence room when there is one, and long-polls `/sync`. Each sync
 * answer becomes event-log lines (spec/event-log.md: `presence` and `to_device`), which the
 * ingress applies through the same steps as the file source; the next sync, which tells the
 * homeserver that the to-device messages of this one were received, is only sent after the
 * ingress has committed them, so a crash in between gets them delivered again.
 *
 * Failures (server down, token gone, refused login) never end the loop: it waits 5, 10, 20,
 * 40, 60, 60, ... seconds (the reference's delays, §10.8) and tries again, from login when
 * the token is gone. Anything else (a bug, a lost shard) rejects `run`, which crashes the
 * ingress actor so the supervisor restarts it.
 */

/** The reference's retry delays (ms); the last one repeats. */
export const MATRIX_RETRY_DELAYS_MS: readonly number[] = Object.freeze([5000, 10_000, 20_000, 40_000, 60_000]);

/** Capabilities string the service advertises in its avatar URL (it only takes to-device messages). */
export const PFS_CAPABILITIES = 'mxc://raiden.network/cap?Delivery=0&Mediate=0&Receive=0&toDevice=1&webRTC=0';

/** A profile fetched less than this long ago is not fetched again on a presence change. */
const PROFILE_FRESH_MS = 60_000;
/** Profile fetches in flight per sync answer. */
const PROFILE_CONCURRENCY = 16;

/** What all connections of the service share. */
export interface ConnectionHost {
  readonly key: KeyPair;
  readonly profiles: ProfileCache;
  readonly limiter: SenderRateLimiter;
  /** Server names that have a connection (filled in at login; presence routing). */
  readonly connectedServers: Set<string>;
  /** Applies a sync answer's lines; resolves once they are committed. */
  deliver(source: string, lines: readonly string[]): Promise<void>;
  /** Called once, after the first sync answer was delivered; `covers` selects the users this connection confirms. */
  firstSync(source: string, covers: (userId: string) => boolean): Promise<void>;
  count(key: string, n?: number): void;
  log(level: 'info' | 'warning' | 'error', message: string, fields?: Record<string, unknown>): void;
  now(): number;
}

/** Settings of one connection. */
export interface ConnectionSettings {
  readonly serverUrl: string;
  /** The main connection also handles presence of servers without a connection (§8.2). */
  readonly isMain: boolean;
  readonly presenceRoom: string | null;
  /** Long-poll timeout of `/sync` (the reference: 60 s). */
  readonly syncTimeoutMs: number;
  readonly retryDelaysMs: readonly number[];
}

/** The source name of a server's connection (the ingress waits for each one's first sync). */
export function matrixSourceName(serverUrl: string): string {
  return `matrix:${serverUrl}`;
}

/** The presence line of a verified-to-be user, in event-log form. */
function presenceLine(userId: string, presence: string, displayname: string | null, avatarUrl: string | null): string {
  return JSON.stringify({ kind: 'presence', user_id: userId, presence, displayname, avatar_url: avatarUrl });
}

/** A homeserver connection; `run` until `stop`. */
export class MatrixConnection {
  /** The source name of this connection's input. */
  readonly source: string;
  private readonly api: MatrixApi;
  private readonly host: ConnectionHost;
  private readonly settings: ConnectionSettings;
  private readonly abort = new AbortController();
  private readonly filter = JSON.stringify(SYNC_FILTER);
  private userId: string | null = null;
  private ownServer: string | null = null;
  private since: string | null = null;
  private synced = false;
  private failures = 0;
  /** Presence per user as this connection last passed it on (decides profile refreshes). */
  private readonly lastPresence = new Map<string, string>();

  constructor(api: MatrixApi, host: ConnectionHost, settings: ConnectionSettings) {
    this.api = api;
    this.host = host;
    this.settings = settings;
    this.source = matrixSourceName(settings.serverUrl);
  }

  /** True once the first sync answer has been applied. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Ends `run` at its next await (an ongoing long poll is aborted). */
  stop(): void {
    this.abort.abort();
  }

  /** Logs in and syncs until stopped; rejects only on a bug. */
  async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if (this.userId === null) await this.login();
        const answer = await this.api.sync(this.since, this.synced ? this.settings.syncTimeoutMs : 0, this.filter, signal);
        const batch = parseSync(answer);
        if (batch === null) throw new MatrixCallError('server', 'the sync answer has no next_batch');
        await this.handle(batch);
        if (!this.synced) {
          this.synced = true;
          this.host.log('info', 'Matrix first sync applied', { server: this.settings.serverUrl, userId: this.userId });
          await this.host.firstSync(this.source, (userId) => this.handlesPresence(userId));
        }
        this.since = batch.nextBatch;
        if (this.failures > 0) this.host.log('info', 'Matrix connection restored', { server: this.settings.serverUrl });
        this.failures = 0;
      } catch (e) {
        if (!(e instanceof MatrixCallError)) throw e;
        if (signal.aborted) break;
        if (e.kind === 'unknown_token') this.userId = null;
        const delays = this.settings.retryDelaysMs;
        const delay = Math.max(delays[Math.min(this.failures, delays.length - 1)] ?? 0, e.retryAfterMs ?? 0);
        this.failures++;
        this.host.count(`matrix_sync:failed_${e.kind}`);
        this.host.log('warning', 'Matrix connection failed; retrying', { server: this.settings.serverUrl, kind: e.kind, error: e.message, retryInMs: delay });
        await sleep(delay, signal);
      }
    }
  }

  private async login(): Promise<void> {
    const { key } = this.host;
    const username = matrixUsername(key.address);
    const password = matrixPassword(key, this.settings.serverUrl);
    let login;
    try {
      login = await this.api.login(username, password, PFS_DEVICE_ID);
    } catch (e) {
      if (!(e instanceof MatrixCallError) || e.kind !== 'forbidden') throw e;
      // a new homeserver without Raiden's auth provider: register (refused where registration is closed)
      try {
        login = await this.api.register(username, password, PFS_DEVICE_ID);
      } catch (r) {
        if (r instanceof MatrixCallError && r.kind !== 'aborted') throw e;
        throw r;
      }
    }
    const server = serverNameOf(login.userId);
    if (server === null || addressOfUserId(login.userId) !== key.address) {
      throw new MatrixCallError('forbidden', `the homeserver logged us in as ${login.userId}, not as ${key.address}`);
    }
    this.host.connectedServers.add(server);
    const displayname = matrixDisplayname(key, login.userId);
    let profile = { displayname: null as string | null, avatarUrl: null as string | null };
    try {
      profile = await this.api.profile(login.userId);
    } catch (e) {
      if (!(e instanceof MatrixCallError) || e.kind !== 'not_found') throw e;
    }
    if (profile.displayname !== displayname) await this.api.setDisplayname(displayname);
    if (profile.avatarUrl !== PFS_CAPABILITIES) await this.api.setAvatarUrl(PFS_CAPABILITIES);
    if (this.settings.presenceRoom !== null) {
      try {
        await this.joinPresenceRoom(this.settings.presenceRoom, server);
      } catch (e) {
        // a room this server cannot reach (no federation, a typo) must not cost the
        // to-device messages and routed presence it still delivers
        if (!(e instanceof MatrixCallError) || e.kind === 'unreachable' || e.kind === 'aborted' || e.kind === 'unknown_token') throw e;
        this.host.count(`matrix_presence_room:failed_${e.kind}`);
        this.host.log('warning', 'cannot join the presence room; presence comes only from shared rooms and presence routing', {
          server: this.settings.serverUrl,
          room: this.settings.presenceRoom,
          error: e.message,
        });
      }
    }
    // only a complete login counts: a failure above starts over from the login call
    this.userId = login.userId;
    this.ownServer = server;
    this.host.count('matrix_login:ok');
    this.host.log('info', 'logged in to Matrix', { server: this.settings.serverUrl, userId: login.userId, deviceId: login.deviceId });
  }

  /** Joins the presence room; an alias of our own server that does not exist yet is created. */
  private async joinPresenceRoom(room: string, ownServer: string): Promise<void> {
    try {
      await this.api.joinRoom(room);
    } catch (e) {
      const alias = /^#([^:]+):(.+)$/.exec(room);
      if (!(e instanceof MatrixCallError) || e.kind !== 'not_found' || alias === null || alias[2] !== ownServer) throw e;
      try {
        await this.api.createRoom(alias[1]!);
      } catch (c) {
        // another service created it meanwhile: join that one
        if (!(c instanceof MatrixCallError) || c.kind === 'aborted' || c.kind === 'unreachable') throw c;
        await this.api.joinRoom(room);
      }
      this.host.log('info', 'created the presence room', { room });
    }
  }

  /** Whether this connection handles the presence of `userId` (§8.2). */
  private handlesPresence(userId: string): boolean {
    const server = serverNameOf(userId);
    return server !== null && this.ownServer !== null && handlesPresenceOf(server, this.ownServer, this.settings.isMain, this.host.connectedServers);
  }

  /** Turns a sync answer into event-log lines and delivers them. */
  private async handle(batch: SyncBatch): Promise<void> {
    const { host } = this;
    if (batch.malformed > 0) host.count('matrix_sync:ignored_malformed_event', batch.malformed);
    const presence = batch.presence.filter((e) => this.wantsPresence(e));
    const toDevice = batch.toDevice.filter((e) => this.wantsToDevice(e));
    await this.fetchProfiles([
      ...presence.filter((e) => this.presenceNeedsProfile(e)).map((e) => e.userId),
      ...toDevice.filter((e) => this.senderNeedsProfile(e.sender)).map((e) => e.sender),
    ]);
    const lines: string[] = [];
    for (const e of presence) {
      const entry = host.profiles.get(e.userId);
      const displayname = e.displayname ?? entry?.displayname ?? null;
      if (displayname === null) {
        host.count('matrix_presence:rejected_profile_unavailable');
        continue;
      }
      this.lastPresence.set(e.userId, e.presence!);
      lines.push(presenceLine(e.userId, e.presence!, displayname, e.avatarUrl ?? entry?.avatarUrl ?? null));
    }
    for (const e of toDevice) {
      const sender = this.verifiedSender(e.sender);
      if (sender === null) {
        host.count('matrix_to_device:rejected_sender_displayname');
        continue;
      }
      if (!host.limiter.allow(sender, pythonStrSize(e.body!))) {
        host.count('matrix_to_device:rejected_rate_limited');
        host.log('info', 'Sender is rate limited', { sender: e.sender });
        continue;
      }
      lines.push(JSON.stringify({ kind: 'to_device', sender: e.sender, body: e.body }));
    }
    if (lines.length > 0) await host.deliver(this.source, lines);
  }

  private wantsPresence(e: PresenceEvent): boolean {
    if (e.userId === this.userId || !this.handlesPresence(e.userId)) return false;
    if (addressOfUserId(e.userId) === null) {
      this.host.count('matrix_presence:ignored_not_a_raiden_user');
      return false;
    }
    if (e.presence === null) {
      this.host.count('matrix_presence:ignored_unknown_state');
      return false;
    }
    return true;
  }

  private wantsToDevice(e: ToDeviceEvent): boolean {
    if (e.type !== 'm.room.message' || e.msgtype !== 'm.text') {
      this.host.count('matrix_to_device:ignored_not_text');
      return false;
    }
    if (e.body === null) {
      this.host.count('matrix_to_device:rejected_body_not_a_string');
      return false;
    }
    return true;
  }

  /**
   * A presence event needs the user's profile when there is no displayname to check, and,
   * for the capabilities, when the user becomes reachable (the reference fetches the avatar
   * URL on reachability changes, §8.3) unless the profile is fresh.
   */
  private presenceNeedsProfile(e: PresenceEvent): boolean {
    const entry = this.host.profiles.get(e.userId);
    if (e.displayname === null && entry === undefined) return true;
    const reachable = e.presence === 'online' || e.presence === 'unavailable';
    const before = this.lastPresence.get(e.userId);
    const wasReachable = before === 'online' || before === 'unavailable';
    return reachable && !wasReachable && e.avatarUrl === null && (entry === undefined || this.host.now() - entry.fetchedAt > PROFILE_FRESH_MS);
  }

  /** A to-device sender needs its profile when none is cached, or when the cached one fails and is old. */
  private senderNeedsProfile(userId: string): boolean {
    const entry = this.host.profiles.get(userId);
    if (entry === undefined) return true;
    return this.host.profiles.verifiedAddress(userId, entry) === null && this.host.now() - entry.fetchedAt > PROFILE_FRESH_MS;
  }

  /** The address a sender's displayname proves (§8.5), or null. */
  private verifiedSender(userId: string): Address | null {
    const entry: ProfileEntry | undefined = this.host.profiles.get(userId);
    return entry === undefined ? null : this.host.profiles.verifiedAddress(userId, entry);
  }

  /** Fetches profiles, a few at a time; a user whose profile cannot be fetched keeps its cached one. */
  private async fetchProfiles(userIds: readonly string[]): Promise<void> {
    const queue = [...new Set(userIds)];
    const worker = async () => {
      for (let userId = queue.pop(); userId !== undefined; userId = queue.pop()) {
        try {
          const p = await this.api.profile(userId);
          this.host.profiles.set(userId, p.displayname, p.avatarUrl, this.host.now());
          this.host.count('matrix_profile:fetched');
        } catch (e) {
          if (!(e instanceof MatrixCallError)) throw e;
          // the whole sync is retried when the server itself is gone
          if (e.kind === 'unreachable' || e.kind === 'aborted' || e.kind === 'unknown_token') throw e;
          this.host.count(`matrix_profile:failed_${e.kind}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PROFILE_CONCURRENCY, queue.length) }, worker));
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
