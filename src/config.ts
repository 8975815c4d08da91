/**
 * The program's configuration: the only reader of argv and PFS_* environment variables
 * (DESIGN.md). `parseConfig` is pure apart from the file checks it makes through `deps`;
 * it reports every invalid setting at once, and the caller prints them and exits with 2.
 *
 * Sources, highest priority first: the command line (`--opt VALUE`, `--opt=VALUE`,
 * `--flag`, `--flag=BOOL`, `--no-flag`), then PFS_<NAME> environment variables (upper
 * case, dashes as underscores; empty counts as unset; lists comma-separated), then the
 * defaults in SERVE_DEFAULTS / CLAIM_DEFAULTS and the machine-dependent ones:
 * workers = available cores, shard workers = 2 x cores, queue limit = 256 x workers,
 * data dir = $XDG_DATA_HOME/raiden-pfs/<chain id> or ~/.local/share/raiden-pfs/<chain id>.
 */
import { collect, type RawSetting } from './config/argv.ts';
import { buildClaimConfig } from './config/claim.ts';
import { type ConfigDeps, DEFAULT_DEPS } from './config/files.ts';
import { describeKeySource, Secret } from './config/key.ts';
import { type Command, COMMANDS, OPTIONS } from './config/options.ts';
import { SettingsReader } from './config/reader.ts';
import { buildServeConfig } from './config/serve.ts';
import type { ClaimConfig, Config } from './config/types.ts';

export { CLAIM_DEFAULTS, parseGasPrice } from './config/claim.ts';
export { ARBITRUM_CHAIN_IDS, confirmationsFor, dataDirFor, DEFAULT_CONFIRMATIONS } from './config/common.ts';
export { type ConfigDeps, type PathKind, DEFAULT_DEPS } from './config/files.ts';
export { type KeySource, type ResolvedKey, describeKeySource, parsePrivateKeyHex, resolveKey, Secret } from './config/key.ts';
export { type Command, type OptionKind, type OptionSpec, COMMANDS, envName, OPTIONS } from './config/options.ts';
export { SERVE_DEFAULTS } from './config/serve.ts';
export type { ClaimConfig, Config, ConfirmationsSetting, ContractAddresses, DataDirSetting, GasPrice, KnownServersSetting, LogLevel } from './config/types.ts';
export { LOG_LEVELS } from './config/types.ts';
export type { Ratio } from './config/values.ts';

/** The outcome of parsing: a command with its frozen configuration, help, or every error. */
export type ParseResult =
  | { readonly ok: true; readonly command: 'serve' | 'demo'; readonly config: Config; readonly warnings: readonly string[] }
  | { readonly ok: true; readonly command: 'claim-fees'; readonly config: ClaimConfig; readonly warnings: readonly string[] }
  | { readonly ok: true; readonly command: 'help'; readonly text: string; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Freezes an object graph (plain objects and arrays; Secrets are frozen but not entered). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (!(value instanceof Secret)) for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Parses the command line (without the node and script paths) and the environment.
 * `deps` replaces file-system and machine facts (tests); missing members use node:fs/os.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  deps: Partial<ConfigDeps> = {},
): ParseResult {
  const collected = collect(argv, env);
  if (collected.kind === 'help') return { ok: true, command: 'help', text: helpText(), warnings: [] };
  if (collected.kind === 'failed') return { ok: false, errors: [...collected.errors] };
  const settings = collected.command === 'demo' ? withDemoDefaults(collected.settings) : collected.settings;
  const reader = new SettingsReader(settings, { ...DEFAULT_DEPS, ...deps }, env);
  reader.errors.push(...collected.errors);
  reader.warnings.push(...collected.warnings);
  const { command } = collected;
  if (command === 'claim-fees') {
    const config = buildClaimConfig(reader);
    if (config === null || reader.errors.length > 0) return { ok: false, errors: reader.errors };
    return { ok: true, command, config: deepFreeze(config), warnings: reader.warnings };
  }
  const config = buildServeConfig(reader);
  if (config === null || reader.errors.length > 0) return { ok: false, errors: reader.errors };
  return { ok: true, command, config: deepFreeze(config), warnings: reader.warnings };
}

/** Chain id of the embedded demo network (no chain behind it). */
export const DEMO_CHAIN_ID = 4321n;
/**
 * The demo's service key: publicly known and worthless (the demo takes no payments), so a
 * newcomer needs no key to try the service.
 */
export const DEMO_PRIVATE_KEY = '0x' + 'de'.repeat(32);

const KEY_OPTIONS = ['private-key', 'private-key-file', 'keystore-file'];

/** `demo` works with no options at all: it supplies a chain id and a key when none is given. */
function withDemoDefaults(settings: ReadonlyMap<string, RawSetting>): ReadonlyMap<string, RawSetting> {
  const out = new Map(settings);
  const fallback = (values: string[]): RawSetting => ({ label: 'the demo default', source: 'default', values });
  if (!out.has('chain-id') && !out.has('eth-rpc')) out.set('chain-id', fallback([DEMO_CHAIN_ID.toString()]));
  if (!KEY_OPTIONS.some((name) => out.has(name))) out.set('private-key', fallback([DEMO_PRIVATE_KEY]));
  return out;
}

/** `parseConfig` on this process's argv and environment. */
export function parseProcessConfig(): ParseResult {
  return parseConfig(process.argv.slice(2), process.env);
}

const COMMAND_HELP: Record<Command, string> = {
  serve: 'run the pathfinding service',
  demo: 'run the embedded demo (same options as serve)',
  'claim-fees': 'claim the collected IOU payments on chain',
};

function commandsNote(commands: readonly Command[]): string {
  if (commands.length === COMMANDS.length) return ' [all commands]';
  if (commands.length === 1) return ` [${commands[0]} only]`;
  return '';
}

const HELP_WIDTH = 100;
const HELP_INDENT = 32;

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  out.push(line);
  return out;
}

/** The usage text printed for `--help` / `-h`; it names every option. */
export function helpText(): string {
  const lines = [
    'pfs: Raiden Pathfinding Service',
    '',
    'Usage:',
    ...COMMANDS.map((c) => `  pfs ${(c + ' [options]').padEnd(24)}${COMMAND_HELP[c]}`),
    `  pfs ${'--help | -h'.padEnd(24)}show this help`,
    '',
    'Every option can also be set as an environment variable PFS_<NAME> (upper case, dashes',
    'as underscores, e.g. PFS_DATA_DIR); the command line wins, an empty variable counts as',
    'unset. Values: --opt VALUE or --opt=VALUE. Flags: --flag, --flag=BOOL or --no-flag, and',
    '1/0, true/false, yes/no in the environment. Repeatable options take several --opt or a',
    'comma-separated list. Options are for serve and demo unless marked. Every invalid',
    'setting is reported at once, with exit code 2.',
  ];
  let section = '';
  for (const option of OPTIONS) {
    if (option.section !== section) {
      section = option.section;
      lines.push('', `${section}:`);
    }
    const left = `  --${option.name}${option.metavar === '' ? '' : ' ' + option.metavar}`;
    const text = wrap(`${option.help}${commandsNote(option.commands)}`, HELP_WIDTH - HELP_INDENT);
    const indent = ' '.repeat(HELP_INDENT);
    lines.push(left.padEnd(HELP_INDENT) + text.map((line, n) => (n === 0 ? line : indent + line)).join('\n'));
  }
  return lines.join('\n') + '\n';
}

/** A JSON-safe, secret-free picture of a configuration for the start-up log. */
export function configSummary(config: Config | ClaimConfig): Record<string, unknown> {
  const plain = (value: unknown): unknown => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Secret) return '[secret]';
    if (Array.isArray(value)) return value.map(plain);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    }
    return value;
  };
  const { key, ...rest } = config;
  return { ...(plain(rest) as Record<string, unknown>), key: describeKeySource(key) };
}
