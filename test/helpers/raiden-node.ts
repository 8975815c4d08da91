import { FULL_CAPABILITIES } from '../../src/demo/event-lines.ts';
import { type KeyPair } from '../../src/protocol/index.ts';
import { PFS_DEVICE_ID, matrixDisplayname, matrixPassword, matrixUsername } from '../../src/transport/matrix-credentials.ts';
import type { MatrixSession, Synapse } from './synapse.ts';

/**
 * A Raiden node on a real homeserver, as far as a pathfinding service sees one: a user
 * `@0x<address>:<server>` with the password and displayname signatures Raiden uses, its
 * capabilities as avatar URL, a sync loop that keeps it online (Synapse turns a user that
 * stops syncing offline after 30 s), and to-device messages to the service's
 * `PATH_FINDING` device. Talks plain client-server HTTP.
 */

/** Matrix user name and password of a Raiden account on a homeserver. */
export function raidenCredentials(key: KeyPair, synapse: Synapse): { username: string; password: string } {
  return { username: matrixUsername(key.address), password: matrixPassword(key, synapse.url) };
}

/** Options of a node. */
export interface NodeOptions {
  /** User name to register instead of the address (e.g. `0x….deadbeef`). */
  readonly username?: string;
  /** Displayname to set instead of the valid signature. */
  readonly displayname?: string;
  readonly capabilities?: string;
  /** Room to join (the presence room of a plain Synapse). */
  readonly room?: string;
}

/** A Raiden node's Matrix side. */
export class RaidenNode {
  readonly key: KeyPair;
  readonly synapse: Synapse;
  session!: MatrixSession;
  private readonly options: NodeOptions;
  private syncing = false;
  private loop: Promise<void> = Promise.resolve();
  private abort = new AbortController();
  private txn = 0;

  constructor(synapse: Synapse, key: KeyPair, options: NodeOptions = {}) {
    this.synapse = synapse;
    this.key = key;
    this.options = options;
  }

  get userId(): string {
    return this.session.userId;
  }

  /** Registers, logs in, sets displayname and capabilities, joins the room, starts syncing (online). */
  async start(): Promise<void> {
    const { username, password } = raidenCredentials(this.key, this.synapse);
    const name = this.options.username ?? username;
    await this.synapse.register(name, password);
    this.session = await this.synapse.login(name, password, 'RAIDEN');
    const token = this.session.accessToken;
    const userId = encodeURIComponent(this.userId);
    await this.synapse.api('PUT', `/profile/${userId}/displayname`, token, { displayname: this.options.displayname ?? matrixDisplayname(this.key, this.userId) });
    await this.synapse.api('PUT', `/profile/${userId}/avatar_url`, token, { avatar_url: this.options.capabilities ?? FULL_CAPABILITIES });
    if (this.options.room !== undefined) await this.synapse.api('POST', `/join/${encodeURIComponent(this.options.room)}`, token, {});
    await this.online();
  }

  /** Sets presence online and keeps syncing. */
  async online(): Promise<void> {
    await this.synapse.api('PUT', `/presence/${encodeURIComponent(this.userId)}/status`, this.session.accessToken, { presence: 'online' });
    if (this.syncing) return;
    this.syncing = true;
    this.abort = new AbortController();
    this.loop = this.syncLoop(this.abort.signal);
  }

  /** Stops syncing and sets presence offline. */
  async offline(): Promise<void> {
    await this.stopSyncing();
    await this.synapse.api('PUT', `/presence/${encodeURIComponent(this.userId)}/status`, this.session.accessToken, { presence: 'offline' });
  }

  /** Stops the sync loop (without a presence change). */
  async stopSyncing(): Promise<void> {
    this.syncing = false;
    this.abort.abort();
    await this.loop;
  }

  private async syncLoop(signal: AbortSignal): Promise<void> {
    let since: string | null = null;
    while (!signal.aborted) {
      try {
        const query = `timeout=10000&set_presence=online${since === null ? '' : `&since=${encodeURIComponent(since)}`}`;
        const r = await fetch(`${this.synapse.url}/_matrix/client/v3/sync?${query}`, {
          headers: { Authorization: `Bearer ${this.session.accessToken}` },
          signal,
        });
        const body = (await r.json()) as { next_batch?: string };
        if (r.ok && body.next_batch !== undefined) since = body.next_batch;
        else await new Promise((resolve) => setTimeout(resolve, 500));
      } catch {
        // server gone for a while (a restart test), or aborted
        if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Sends one to-device `m.text` message with `body` to a service user's PATH_FINDING device. */
  async sendRaw(serviceUserId: string, content: Record<string, unknown>, type = 'm.room.message'): Promise<void> {
    const txn = `${Date.now()}-${++this.txn}`;
    await this.synapse.api('PUT', `/sendToDevice/${encodeURIComponent(type)}/${txn}`, this.session.accessToken, {
      messages: { [serviceUserId]: { [PFS_DEVICE_ID]: content } },
    });
  }

  /** Sends Raiden messages (one per line) to a service. */
  send(serviceUserId: string, ...messages: readonly (Record<string, unknown> | string)[]): Promise<void> {
    const body = messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join('\n');
    return this.sendRaw(serviceUserId, { msgtype: 'm.text', body });
  }
}
