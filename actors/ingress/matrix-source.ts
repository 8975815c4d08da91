import { readlinkSync } from 'node:fs';
import { keyPair } from '../../src/protocol/index.ts';
import { MATRIX_RETRY_DELAYS_MS, MatrixConnection, type ConnectionHost } from '../../src/transport/matrix-connection.ts';
import { ProfileCache } from '../../src/transport/profile-cache.ts';
import { RATE_LIMIT_WINDOW_MS, SenderRateLimiter } from '../../src/transport/rate-limiter.ts';
import type { IngressCore, IngressNotice } from './ingress-core.ts';
import { SdkMatrixApi } from './matrix-sdk-api.ts';

/**
 * The live Matrix source of the ingress: one connection per server chosen at start-up
 * (actors/matrix-servers.ts; the first is the main one, spec §8.1), sharing the profile
 * cache and the per-sender rate limit. Their sync answers go into the ingress core as
 * event-log lines (`applyLive`), the same path as the file source.
 */

/** What the ingress worker needs to run the Matrix source. */
export interface MatrixSourceSettings {
  /** Homeserver URLs; the first is the main connection. */
  readonly servers: readonly string[];
  readonly presenceRoom: string | null;
  /** Bytes per sender per 5 minutes (--matrix-rate-limit). */
  readonly rateLimitBytes: number;
  /** The service key as 0x hex (login password and displayname are signatures). */
  readonly privateKey: string;
  /** `/sync` long-poll timeout (ms). */
  readonly syncTimeoutMs: number;
}

/**
 * The OS thread id of the calling thread (Linux: /proc/thread-self), or null: logged so the
 * ingress thread's CPU can be read per thread (`top -H`, /proc/<pid>/task/<tid>/stat).
 */
function osThreadId(): number | null {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    return Number.isSafeInteger(tid) ? tid : null;
  } catch {
    return null;
  }
}

/** How often counters of the Matrix source are sent to the main thread at most. */
const COUNT_FLUSH_MS = 250;

/** A running Matrix source. */
export interface MatrixSource {
  /** Settles when every connection has stopped (rejects on a bug, to crash the ingress). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the connections; they run until `stop`. */
export function startMatrixSource(core: IngressCore, settings: MatrixSourceSettings, notify: (n: IngressNotice) => void): MatrixSource {
  const now = () => Date.now();
  const profiles = new ProfileCache();
  // what the store knew: displaynames need no fetch and no second verification
  for (const user of core.knownUsers()) profiles.set(user.userId, user.displayname, user.avatarUrl, now());
  let counts: Record<string, number> = {};
  let flush: NodeJS.Timeout | null = null;
  const host: ConnectionHost = {
    key: keyPair(Buffer.from(settings.privateKey.slice(2), 'hex')),
    profiles,
    limiter: new SenderRateLimiter(settings.rateLimitBytes, RATE_LIMIT_WINDOW_MS, now),
    connectedServers: new Set(),
    deliver: (source, lines) => core.applyLive(source, lines),
    firstSync: (source, covers) => core.liveSynced(source, covers),
    count: (key, n = 1) => {
      counts[key] = (counts[key] ?? 0) + n;
      flush ??= setTimeout(() => {
        flush = null;
        notify({ type: 'counts', counts });
        counts = {};
      }, COUNT_FLUSH_MS);
    },
    log: (level, message, fields) => notify({ type: 'log', level, message, ...(fields === undefined ? {} : { fields }) }),
    now,
  };
  const connections = settings.servers.map(
    (serverUrl, i) =>
      new MatrixConnection(new SdkMatrixApi(serverUrl), host, {
        serverUrl,
        isMain: i === 0,
        presenceRoom: settings.presenceRoom,
        syncTimeoutMs: settings.syncTimeoutMs,
        retryDelaysMs: MATRIX_RETRY_DELAYS_MS,
      }),
  );
  host.log('info', 'Matrix source started', { servers: settings.servers, presenceRoom: settings.presenceRoom, ingressThread: osThreadId() });
  const done = Promise.all(connections.map((c) => c.run())).then(() => undefined);
  return {
    done,
    async stop() {
      for (const c of connections) c.stop();
      await done.catch(() => undefined);
      if (flush !== null) {
        clearTimeout(flush);
        notify({ type: 'counts', counts });
      }
    },
  };
}
