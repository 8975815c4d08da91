import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, freePort } from './service-process.ts';
import { tempDir } from './temp-dir.ts';

/**
 * A real Synapse homeserver for the Matrix tests. `matrix-synapse` is installed from PyPI
 * into a project-local virtualenv (`.venv-synapse/`, git-ignored, reused when present), so
 * a second run starts in seconds. Each `Synapse.start()` writes a fresh configuration for
 * 127.0.0.1 on a free port with SQLite and a registration shared secret, starts the
 * server and waits until it answers. Every server started here is killed when the test
 * process exits, whatever happens to the test.
 */

const run = promisify(execFile);

/** The pinned homeserver version (a newer one is fine; the pin keeps CI reproducible). */
export const SYNAPSE_VERSION = '1.163.2';
const VENV = join(PROJECT_ROOT, '.venv-synapse');
const PYTHON = join(VENV, 'bin', 'python');
const INSTALL_LOCK = join(PROJECT_ROOT, '.venv-synapse.lock');

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function synapseInstalled(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  try {
    const { stdout } = await run(PYTHON, ['-c', "import importlib.metadata as m; print(m.version('matrix-synapse'))"]);
    return stdout.trim() === SYNAPSE_VERSION;
  } catch {
    return false;
  }
}

/** The Python interpreter to build the virtualenv with (3.9 or newer). */
async function basePython(): Promise<string> {
  for (const candidate of [process.env.PFS_TEST_PYTHON, 'python3.11', 'python3.12', 'python3.10', 'python3'].filter((c): c is string => !!c)) {
    try {
      const { stdout } = await run(candidate, ['-c', 'import sys; print(sys.version_info >= (3, 9))']);
      if (stdout.trim() === 'True') return candidate;
    } catch {
      // not installed
    }
  }
  throw new Error('no Python 3.9+ found to install Synapse (set PFS_TEST_PYTHON)');
}

/**
 * Installs Synapse into `.venv-synapse/` unless it is there already. Test files run in
 * parallel, so the install holds a lock directory (a stale lock, older than 15 minutes, is
 * taken over).
 */
export async function ensureSynapse(): Promise<void> {
  if (await synapseInstalled()) return;
  for (;;) {
    try {
      mkdirSync(INSTALL_LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(INSTALL_LOCK).mtimeMs > 15 * 60_000) rmSync(INSTALL_LOCK, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      await new Promise((r) => setTimeout(r, 1000));
      if (await synapseInstalled()) return;
    }
  }
  try {
    if (await synapseInstalled()) return;
    if (!existsSync(PYTHON)) await run(await basePython(), ['-m', 'venv', VENV]);
    await run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `matrix-synapse==${SYNAPSE_VERSION}`], {
      maxBuffer: 64 << 20,
      timeout: 20 * 60_000,
    });
    if (!(await synapseInstalled())) throw new Error(`matrix-synapse ${SYNAPSE_VERSION} did not install into ${VENV}`);
  } finally {
    rmSync(INSTALL_LOCK, { recursive: true, force: true });
  }
}

/** Options of a homeserver. */
export interface SynapseOptions {
  /** The Matrix server name (user ids end in `:<name>`); default `localhost`. */
  readonly serverName?: string;
  /**
   * A Synapse presence-router module to load, as `module.Class` importable from
   * `pythonPath`, with its config: how Raiden's homeservers push every user's presence to
   * service users.
   */
  readonly presenceRouter?: { readonly module: string; readonly config: Readonly<Record<string, unknown>>; readonly pythonPath: string };
  /** Lets anyone register through the client API, without verification (default closed). */
  readonly openRegistration?: boolean;
}

/** A logged-in Matrix user. */
export interface MatrixSession {
  readonly userId: string;
  readonly accessToken: string;
  readonly deviceId: string;
}

/** A running Synapse. */
export class Synapse {
  readonly url: string;
  readonly serverName: string;
  readonly port: number;
  readonly dir: string;
  private readonly secret: string;
  private readonly options: SynapseOptions;
  private readonly cleanupDir: () => void;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(dir: { path: string; cleanup: () => void }, port: number, options: SynapseOptions) {
    this.dir = dir.path;
    this.cleanupDir = dir.cleanup;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.serverName = options.serverName ?? 'localhost';
    this.secret = randomBytes(24).toString('hex');
    this.options = options;
  }

  /** Installs (if needed), configures and starts a homeserver; resolves once it answers. */
  static async start(options: SynapseOptions = {}): Promise<Synapse> {
    await ensureSynapse();
    const server = new Synapse(tempDir('pfs-synapse-'), await freePort(), options);
    server.writeConfig();
    await run(PYTHON, ['-m', 'synapse.app.homeserver', '--config-path', server.configPath, '--generate-keys'], { cwd: server.dir });
    await server.resume();
    return server;
  }

  private get configPath(): string {
    return join(this.dir, 'homeserver.yaml');
  }

  /** The process id of the running server, or null when stopped (benchmarks read its CPU). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** The server's log so far (for failure messages). */
  get log(): string {
    try {
      return readFileSync(join(this.dir, 'synapse.out'), 'utf8');
    } catch {
      return '';
    }
  }

  private writeConfig(): void {
    const d = this.dir;
    const generous = { per_second: 100_000, burst_count: 1_000_000 };
    // JSON is YAML: the configuration is written as one JSON object
    const config: Record<string, unknown> = {
      server_name: this.serverName,
      pid_file: join(d, 'homeserver.pid'),
      listeners: [{ port: this.port, bind_addresses: ['127.0.0.1'], type: 'http', tls: false, x_forwarded: false, resources: [{ names: ['client'], compress: false }] }],
      database: { name: 'sqlite3', args: { database: join(d, 'homeserver.db') } },
      log_config: join(d, 'log.yaml'),
      media_store_path: join(d, 'media'),
      signing_key_path: join(d, 'signing.key'),
      registration_shared_secret: this.secret,
      macaroon_secret_key: randomBytes(24).toString('hex'),
      form_secret: randomBytes(24).toString('hex'),
      report_stats: false,
      trusted_key_servers: [],
      suppress_key_server_warning: true,
      enable_registration: this.options.openRegistration === true,
      ...(this.options.openRegistration === true ? { enable_registration_without_verification: true } : {}),
      presence: {
        enabled: true,
        ...(this.options.presenceRouter === undefined
          ? {}
          : { presence_router: { module: this.options.presenceRouter.module, config: this.options.presenceRouter.config } }),
      },
      // many test users log in from one address within seconds
      rc_login: { address: generous, account: generous, failed_attempts: generous },
      rc_registration: generous,
      rc_message: generous,
      rc_joins: { local: generous, remote: generous },
      rc_presence: { per_user: generous },
      rc_admin_redaction: generous,
      rc_key_requests: generous,
      rc_3pid_validation: generous,
      rc_invites: { per_room: generous, per_user: generous, per_issuer: generous },
      rc_delayed_event_mgmt: generous,
    };
    writeFileSync(this.configPath, JSON.stringify(config, null, 1));
    writeFileSync(
      join(d, 'log.yaml'),
      JSON.stringify({
        version: 1,
        formatters: { plain: { format: '%(asctime)s %(levelname)s %(name)s %(message)s' } },
        handlers: { console: { class: 'logging.StreamHandler', formatter: 'plain' } },
        root: { level: 'WARNING', handlers: ['console'] },
        disable_existing_loggers: false,
      }),
    );
  }

  /** Starts the (stopped) server again on the same port and data; resolves once it answers. */
  async resume(): Promise<void> {
    if (this.child !== null) throw new Error('synapse is running');
    const out = openSync(join(this.dir, 'synapse.out'), 'a');
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
    if (this.options.presenceRouter !== undefined) env.PYTHONPATH = this.options.presenceRouter.pythonPath;
    const child = spawn(PYTHON, ['-m', 'synapse.app.homeserver', '--config-path', this.configPath], { cwd: this.dir, env, stdio: ['ignore', out, out] });
    running.add(child);
    this.child = child;
    let gone = false;
    this.exited = new Promise((resolve) =>
      child.on('exit', () => {
        gone = true;
        running.delete(child);
        resolve();
      }),
    );
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      if (gone) throw new Error(`synapse exited while starting:\n${this.log}`);
      try {
        const r = await fetch(`${this.url}/_matrix/client/versions`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`synapse did not answer within 120 s:\n${this.log}`);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s); its data stays for `resume`. */
  async pause(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    this.child = null;
  }

  /** Stops the server for good and removes its data. */
  async stop(): Promise<void> {
    await this.pause();
    this.cleanupDir();
  }

  /** Registers a user through the admin shared-secret API (`/_synapse/admin/v1/register`). */
  async register(username: string, password: string, admin = false): Promise<MatrixSession> {
    const endpoint = `${this.url}/_synapse/admin/v1/register`;
    const { nonce } = (await (await fetch(endpoint)).json()) as { nonce: string };
    const mac = createHmac('sha1', this.secret)
      .update(`${nonce}\0${username}\0${password}\0${admin ? 'admin' : 'notadmin'}`)
      .digest('hex');
    const r = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nonce, username, password, admin, mac }),
    });
    const body = (await r.json()) as { user_id?: string; access_token?: string; device_id?: string; error?: string };
    if (!r.ok || body.user_id === undefined) throw new Error(`register ${username}: ${r.status} ${JSON.stringify(body)}`);
    return { userId: body.user_id, accessToken: body.access_token!, deviceId: body.device_id! };
  }

  /** A client-server API call; throws with the server's answer on a non-2xx status. */
  async api<T = Record<string, unknown>>(method: string, path: string, accessToken: string | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (accessToken !== null) headers.Authorization = `Bearer ${accessToken}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(`${this.url}/_matrix/client/v3${path}`, init);
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Logs a user in with a password (and a device id, as Raiden nodes and services do). */
  async login(username: string, password: string, deviceId?: string): Promise<MatrixSession> {
    const body = await this.api<{ user_id: string; access_token: string; device_id: string }>('POST', '/login', null, {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: username },
      password,
      ...(deviceId === undefined ? {} : { device_id: deviceId }),
    });
    return { userId: body.user_id, accessToken: body.access_token, deviceId: body.device_id };
  }
}
