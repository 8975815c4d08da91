/**
 * The homeserver calls the Matrix transport makes, as an interface: the actor side
 * implements it with matrix-js-sdk (actors/ingress/matrix-sdk-api.ts); the connection
 * logic here stays free of threads and network code.
 */

/** Why a call failed, as far as the connection logic cares. */
export type MatrixFailureKind =
  /** The access token is no longer valid: log in again. */
  | 'unknown_token'
  /** Refused (wrong password, not allowed). */
  | 'forbidden'
  /** The user, room or alias does not exist. */
  | 'not_found'
  /** M_LIMIT_EXCEEDED. */
  | 'rate_limited'
  /** No answer: connection refused or reset, timeout. */
  | 'unreachable'
  /** Any other error answer. */
  | 'server'
  /** The call was aborted because the connection is stopping. */
  | 'aborted';

/** A failed homeserver call. */
export class MatrixCallError extends Error {
  readonly kind: MatrixFailureKind;
  /** The server's `retry_after_ms`, when it asked for a pause. */
  readonly retryAfterMs: number | null;

  constructor(kind: MatrixFailureKind, message: string, retryAfterMs: number | null = null) {
    super(message);
    this.name = 'MatrixCallError';
    this.kind = kind;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A logged-in session. */
export interface MatrixLogin {
  readonly userId: string;
  readonly deviceId: string;
}

/** A user's public profile. */
export interface MatrixProfile {
  readonly displayname: string | null;
  readonly avatarUrl: string | null;
}

/** The calls of one connection to one homeserver. Failures reject with MatrixCallError. */
export interface MatrixApi {
  /** Password login with a fixed device id; later calls use the session's token. */
  login(username: string, password: string, deviceId: string): Promise<MatrixLogin>;
  /** Registration (for homeservers that allow it), then as `login`. */
  register(username: string, password: string, deviceId: string): Promise<MatrixLogin>;
  profile(userId: string): Promise<MatrixProfile>;
  setDisplayname(name: string): Promise<void>;
  setAvatarUrl(url: string): Promise<void>;
  /** Joins a room by id or alias. */
  joinRoom(roomIdOrAlias: string): Promise<void>;
  /** Creates a public room with the alias `#<localpart>:<own server>`. */
  createRoom(aliasLocalpart: string): Promise<void>;
  /** One `/sync` long poll with the transport's filter; the raw JSON answer. */
  sync(since: string | null, timeoutMs: number, filter: string, signal: AbortSignal): Promise<unknown>;
}
