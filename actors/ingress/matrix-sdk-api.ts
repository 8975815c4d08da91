import { ClientEvent, ConnectionError, type IRequestOpts, MatrixError, Method, Preset, Visibility, createClient, type MatrixClient } from 'matrix-js-sdk';
import type { Logger as SdkLogger } from 'matrix-js-sdk/lib/logger.js';
import { type MatrixApi, MatrixCallError, type MatrixLogin, type MatrixProfile } from '../../src/transport/matrix-api.ts';

/**
 * The homeserver calls of one Matrix connection, made with matrix-js-sdk's client and its
 * HTTP layer (authentication, error decoding). The SDK's own sync loop (`startClient`) is
 * not used: it acknowledges to-device messages with the next sync as soon as its event
 * handlers returned, before the ingress has committed them, and keeps a room and user
 * model the service does not need. The connection logic drives `/sync` itself instead.
 */

/** Extra time a long poll may take beyond its timeout before the call counts as lost. */
const SYNC_LATENCY_ALLOWANCE_MS = 15_000;
/** Deadline of every other call. */
const CALL_TIMEOUT_MS = 40_000;

const quiet: SdkLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  getChild: () => quiet,
};

/** Maps an SDK failure to the transport's kinds; anything unexpected is rethrown. */
function failure(e: unknown): MatrixCallError {
  if (e instanceof MatrixCallError) return e;
  if (e instanceof MatrixError) {
    const retry = typeof e.data.retry_after_ms === 'number' ? e.data.retry_after_ms : null;
    const message = `${e.errcode ?? e.httpStatus}: ${e.data.error ?? e.message}`;
    if (e.errcode === 'M_UNKNOWN_TOKEN' || e.errcode === 'M_MISSING_TOKEN') return new MatrixCallError('unknown_token', message);
    if (e.errcode === 'M_LIMIT_EXCEEDED' || e.httpStatus === 429) return new MatrixCallError('rate_limited', message, retry);
    if (e.errcode === 'M_FORBIDDEN' || e.httpStatus === 403) return new MatrixCallError('forbidden', message);
    if (e.errcode === 'M_NOT_FOUND' || e.httpStatus === 404) return new MatrixCallError('not_found', message);
    return new MatrixCallError('server', message);
  }
  if (e instanceof ConnectionError) return new MatrixCallError('unreachable', e.message);
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) return new MatrixCallError(e.name === 'AbortError' ? 'aborted' : 'unreachable', e.message);
  // The HTTP layer reports a non-JSON error answer (a proxy's 502 page) as a plain HTTPError.
  if (e instanceof Error && typeof (e as { httpStatus?: unknown }).httpStatus === 'number') return new MatrixCallError('server', e.message);
  throw e;
}

/**
 * Options of an authed request. (The SDK types them as `Pick<RequestInit, "priority">`,
 * which Node's RequestInit lacks, so the key shows up as required.)
 */
function requestOptions(localTimeoutMs: number, abortSignal: AbortSignal): IRequestOpts {
  return { localTimeoutMs, abortSignal } as IRequestOpts;
}

async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    throw failure(e);
  }
}

/** matrix-js-sdk behind the transport's MatrixApi. */
export class SdkMatrixApi implements MatrixApi {
  private readonly client: MatrixClient;
  private userId = '';

  constructor(baseUrl: string) {
    this.client = createClient({ baseUrl, logger: quiet, localTimeoutMs: CALL_TIMEOUT_MS });
    // the SDK reports sync states only for its own loop; nothing listens here
    this.client.removeAllListeners(ClientEvent.Sync);
  }

  private session(r: { user_id: string; access_token?: string; device_id?: string }, deviceId: string): MatrixLogin {
    if (r.access_token === undefined) throw new MatrixCallError('server', 'the homeserver returned no access token');
    this.client.setAccessToken(r.access_token);
    this.userId = r.user_id;
    return { userId: r.user_id, deviceId: r.device_id ?? deviceId };
  }

  login(username: string, password: string, deviceId: string): Promise<MatrixLogin> {
    return call(async () =>
      this.session(
        await this.client.loginRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: username }, password, device_id: deviceId }),
        deviceId,
      ),
    );
  }

  register(username: string, password: string, deviceId: string): Promise<MatrixLogin> {
    return call(async () => {
      const body = { username, password, device_id: deviceId, initial_device_display_name: deviceId };
      try {
        return this.session(await this.client.registerRequest(body), deviceId);
      } catch (e) {
        // user-interactive auth: a 401 names the session; the dummy stage completes it
        const session = e instanceof MatrixError && e.httpStatus === 401 ? e.data.session : undefined;
        if (typeof session !== 'string') throw e;
        return this.session(await this.client.registerRequest({ ...body, auth: { type: 'm.login.dummy', session } }), deviceId);
      }
    });
  }

  profile(userId: string): Promise<MatrixProfile> {
    return call(async () => {
      const p = await this.client.getProfileInfo(userId);
      return { displayname: typeof p.displayname === 'string' ? p.displayname : null, avatarUrl: typeof p.avatar_url === 'string' ? p.avatar_url : null };
    });
  }

  setDisplayname(name: string): Promise<void> {
    return this.setProfileField('displayname', name);
  }

  setAvatarUrl(url: string): Promise<void> {
    return this.setProfileField('avatar_url', url);
  }

  private setProfileField(field: 'displayname' | 'avatar_url', value: string): Promise<void> {
    // the plain endpoint: the SDK's setters need the credentials object its own login fills in
    const path = `/profile/${encodeURIComponent(this.userId)}/${field}`;
    return call(async () => void (await this.client.http.authedRequest(Method.Put, path, undefined, { [field]: value })));
  }

  joinRoom(roomIdOrAlias: string): Promise<void> {
    // the plain join endpoint: the SDK's joinRoom also builds a room model, which needs its sync loop
    return call(async () => void (await this.client.http.authedRequest(Method.Post, `/join/${encodeURIComponent(roomIdOrAlias)}`, undefined, {})));
  }

  createRoom(aliasLocalpart: string): Promise<void> {
    return call(async () => void (await this.client.createRoom({ room_alias_name: aliasLocalpart, visibility: Visibility.Public, preset: Preset.PublicChat })));
  }

  sync(since: string | null, timeoutMs: number, filter: string, signal: AbortSignal): Promise<unknown> {
    const query: Record<string, string> = { filter, timeout: String(timeoutMs), set_presence: 'online' };
    if (since !== null) query.since = since;
    return call(() => this.client.http.authedRequest<unknown>(Method.Get, '/sync', query, undefined, requestOptions(timeoutMs + SYNC_LATENCY_ALLOWANCE_MS, signal)));
  }
}
