/**
 * The option table: every command-line option, its commands and its help line. Parsing
 * (argv.ts), the builders (serve.ts, claim.ts) and the help text all read this one table,
 * so an option cannot exist in one place and be missing from another.
 */

/** The commands of the `pfs` program (help is handled before a command is chosen). */
export const COMMANDS = ['serve', 'demo', 'claim-fees'] as const;

/** One of the program's commands. */
export type Command = (typeof COMMANDS)[number];

/** True when `word` names a command. */
export function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

/** How an option takes its value: `value` once, `flag` as a boolean, `list` repeatable. */
export type OptionKind = 'value' | 'flag' | 'list';

/** One option of the table. */
export interface OptionSpec {
  /** Name without the leading dashes, e.g. `data-dir`; env name is PFS_DATA_DIR. */
  readonly name: string;
  /** How the option takes its value. */
  readonly kind: OptionKind;
  /** Placeholder for the value in the help text (empty for flags). */
  readonly metavar: string;
  /** Commands that accept the option. */
  readonly commands: readonly Command[];
  /** Help section the option is listed under. */
  readonly section: string;
  /** One-line description, including the default. */
  readonly help: string;
}

const SERVICE: readonly Command[] = ['serve', 'demo'];
const ALL: readonly Command[] = ['serve', 'demo', 'claim-fees'];
const CLAIM: readonly Command[] = ['claim-fees'];

function opt(name: string, kind: OptionKind, metavar: string, commands: readonly Command[], section: string, help: string): OptionSpec {
  return Object.freeze({ name, kind, metavar, commands, section, help });
}

/** Every option of every command, in help order. */
export const OPTIONS: readonly OptionSpec[] = Object.freeze([
  // HTTP front.
  opt('host', 'value', 'HOST', SERVICE, 'HTTP', 'address to listen on (default 127.0.0.1; "localhost" may bind IPv6 only)'),
  opt('port', 'value', 'PORT', SERVICE, 'HTTP', 'port to listen on, 1..65535 (default 6000)'),
  opt('enable-debug', 'flag', '', SERVICE, 'HTTP', 'enable the /v1/_debug routes (default off)'),
  opt('operator', 'value', 'TEXT', SERVICE, 'HTTP', 'operator name shown in /info (default "John Doe")'),
  opt('info-message', 'value', 'TEXT', SERVICE, 'HTTP', 'message shown in /info (default "This is your favorite PFS.")'),
  opt('max-body-bytes', 'value', 'BYTES', SERVICE, 'HTTP', 'largest accepted request body (default 65536)'),
  opt('queue-limit', 'value', 'N', SERVICE, 'HTTP', 'pending path requests before answering 503 (default 256 x --workers)'),
  opt('request-timeout-ms', 'value', 'MS', SERVICE, 'HTTP', 'hard deadline for answering a path request (default 2000)'),
  opt('body-timeout-s', 'value', 'SECONDS', SERVICE, 'HTTP', 'seconds a client has to send a whole request body before the connection is closed (default 10); idle connections, and clients slow to send headers, are closed after 10 s by uWebSockets.js (fixed)'),
  // Payments.
  opt('service-fee', 'value', 'AMOUNT', SERVICE, 'Payments', 'price per path request in service token units, an integer (default 0; > 0 needs --eth-rpc)'),
  // Key.
  opt('private-key', 'value', 'HEX', ALL, 'Key (exactly one source)', 'service private key, 32 bytes of hex with or without 0x (visible in the process list; prefer the env or a file)'),
  opt('private-key-file', 'value', 'FILE', ALL, 'Key (exactly one source)', 'file holding the hex private key (surrounding whitespace ignored)'),
  opt('keystore-file', 'value', 'FILE', ALL, 'Key (exactly one source)', 'Ethereum JSON keystore holding the key; needs --password or --password-file'),
  opt('password', 'value', 'TEXT', ALL, 'Key (exactly one source)', 'password of the keystore'),
  opt('password-file', 'value', 'FILE', ALL, 'Key (exactly one source)', 'file holding the keystore password (trailing line break ignored)'),
  // Storage and inputs.
  opt('data-dir', 'value', 'DIR', ALL, 'Storage and inputs', 'LMDB data directory (default $XDG_DATA_HOME/raiden-pfs/<chain id>, or ~/.local/share/raiden-pfs/<chain id>)'),
  opt('lmdb-map-size', 'value', 'BYTES', ALL, 'Storage and inputs', 'LMDB map size (default: LMDB library default, grown as needed)'),
  opt('events', 'value', 'FILE', SERVICE, 'Storage and inputs', 'event log (NDJSON) to apply; must exist and be readable'),
  opt('record', 'value', 'FILE', SERVICE, 'Storage and inputs', 'append every accepted input to FILE in event-log format; its directory must exist'),
  opt('deferred-max', 'value', 'N', SERVICE, 'Storage and inputs', 'most updates kept waiting for their channel, per token network (default 10000)'),
  opt('deferred-expiry-s', 'value', 'SECONDS', SERVICE, 'Storage and inputs', 'drop waiting updates after this many seconds (default 3600)'),
  // Chain.
  opt('chain-id', 'value', 'ID', ALL, 'Chain', 'chain id, a positive integer; required without --eth-rpc, must match the node with it'),
  opt('eth-rpc', 'value', 'URL', ALL, 'Chain', 'Ethereum JSON-RPC URL, http(s); without it serve runs in file-only mode (claim-fees: required)'),
  opt('registry', 'value', 'ADDRESS', ALL, 'Chain', 'TokenNetworkRegistry address, EIP-55 (required with --eth-rpc for serve)'),
  opt('user-deposit', 'value', 'ADDRESS', ALL, 'Chain', 'UserDeposit address, EIP-55 (required when --service-fee > 0)'),
  opt('one-to-n', 'value', 'ADDRESS', ALL, 'Chain', 'OneToN address, EIP-55 (required when --service-fee > 0, and by claim-fees)'),
  opt('service-registry', 'value', 'ADDRESS', SERVICE, 'Chain', 'ServiceRegistry address, EIP-55 (optional)'),
  opt('confirmations', 'value', 'BLOCKS', SERVICE, 'Chain', 'blocks to wait before an event counts (default 5, 0 on Arbitrum; an explicit 0 is honoured)'),
  opt('start-block', 'value', 'BLOCK', SERVICE, 'Chain', 'first block to read when the data dir is new (default 0)'),
  opt('poll-interval-ms', 'value', 'MS', SERVICE, 'Chain', 'pause between polls of the node once at the confirmed head (default 2000)'),
  // Matrix.
  opt('matrix-server', 'list', 'URL', SERVICE, 'Matrix', 'Matrix homeserver URL with scheme; repeatable, comma-separated allowed (default none: no live Matrix)'),
  opt('known-servers-url', 'value', 'URL', SERVICE, 'Matrix', 'known-servers list ({"active_servers": [hosts]}) whose servers are connected too; "none" fetches none (default: with --eth-rpc on chain ids 1, 3, 4, 5 and 42, the reference\'s raiden-service-bundle list; $URL_KNOWN_FEDERATION_SERVERS overrides that default)'),
  opt('presence-room', 'value', 'ROOM', SERVICE, 'Matrix', 'presence room alias (#name:server) or id (!id:server)'),
  opt('matrix-rate-limit', 'value', 'BYTES', SERVICE, 'Matrix', 'bytes accepted per sender per 5 minutes (default 5000000)'),
  // Threads and search.
  opt('workers', 'value', 'N', SERVICE, 'Threads and search', 'path-finding pool threads (default: available cores)'),
  opt('shard-workers', 'value', 'N', SERVICE, 'Threads and search', 'most dedicated shard threads, beyond that token networks share (default 2 x available cores)'),
  opt('search-max-candidates', 'value', 'N', SERVICE, 'Threads and search', 'candidate paths examined per request before giving up (default 5000)'),
  opt('search-max-relaxations', 'value', 'N', SERVICE, 'Threads and search', 'edge relaxations per request before giving up (default 2000000)'),
  // Claiming.
  opt('rdn-per-eth', 'value', 'DECIMAL', CLAIM, 'Claiming', 'rate converting the claim gas cost: cost in RDN = cost in ETH / this value (default 0.0025)'),
  opt('expire-within', 'value', 'SECONDS', CLAIM, 'Claiming', 'claim IOUs that expire within this many seconds (default 604800)'),
  opt('gas-price', 'value', 'PRICE', CLAIM, 'Claiming', 'gas price: "fast", "normal" or an integer in wei (default fast)'),
  // Logging.
  opt('log-level', 'value', 'LEVEL', ALL, 'Logging', 'CRITICAL, ERROR, WARNING, INFO or DEBUG, any case (default INFO)'),
  opt('log-json', 'flag', '', ALL, 'Logging', 'log JSON lines instead of text (default off)'),
]);

const BY_NAME = new Map(OPTIONS.map((o) => [o.name, o]));

/** The option called `name` (without dashes), or undefined. */
export function findOption(name: string): OptionSpec | undefined {
  return BY_NAME.get(name);
}

/** The environment variable of an option: PFS_ + upper case, dashes as underscores. */
export function envName(name: string): string {
  return 'PFS_' + name.toUpperCase().replaceAll('-', '_');
}

const BY_ENV = new Map(OPTIONS.map((o) => [envName(o.name), o]));

/** The option whose environment variable is `variable`, or undefined. */
export function findOptionByEnv(variable: string): OptionSpec | undefined {
  return BY_ENV.get(variable);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest option name to a misspelt one (within 2 edits), for "did you mean". */
export function suggestOption(name: string, command: Command | null): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const o of OPTIONS) {
    if (command !== null && !o.commands.includes(command)) continue;
    const d = editDistance(name, o.name);
    if (d < bestDistance) [best, bestDistance] = [o.name, d];
  }
  return best;
}
