/**
 * Turns argv and the PFS_* environment into raw strings per option, before any value is
 * interpreted. The command line wins over the environment option by option.
 */
import { type Command, type OptionSpec, COMMANDS, envName, findOption, findOptionByEnv, isCommand, suggestOption } from './options.ts';

/** The raw text of one option and where it came from. */
export interface RawSetting {
  /** How to name the setting in a message: `--port` or `PFS_PORT`. */
  readonly label: string;
  /** Where the value came from (`default` for the demo's built-in chain id and key). */
  readonly source: 'argv' | 'env' | 'default';
  /** One string for `value` and `flag` options (a flag given bare is "true"), any number for `list`. */
  readonly values: readonly string[];
}

/** The outcome of reading argv and env: help, or raw settings plus any errors found so far. */
export type Collected =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'settings';
      readonly command: Command;
      readonly settings: ReadonlyMap<string, RawSetting>;
      readonly errors: readonly string[];
      readonly warnings: readonly string[];
    }
  | { readonly kind: 'failed'; readonly errors: readonly string[] };

const HELP_WORDS = new Set(['-h', '--help']);

/** Splits a comma-separated list, trimming items and dropping empty ones. */
export function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function unknownOption(name: string, command: Command | null): string {
  const suggestion = suggestOption(name, command);
  return `unknown option --${name}` + (suggestion === null ? '' : ` (did you mean --${suggestion}?)`);
}

/**
 * Reads argv (without the node and script paths) and env. `-h`/`--help` anywhere an option
 * may stand wins over every error, so a broken command line still gets its help.
 */
export function collect(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Collected {
  const errors: string[] = [];
  const first = argv[0];
  if (first === undefined) {
    return { kind: 'failed', errors: [`missing command: expected one of ${COMMANDS.join(', ')} (see --help)`] };
  }
  if (first === 'help' || HELP_WORDS.has(first)) return { kind: 'help' };
  let command: Command | null = null;
  if (isCommand(first)) command = first;
  else if (first.startsWith('-')) errors.push(`missing command before ${first}: expected one of ${COMMANDS.join(', ')}`);
  else errors.push(`unknown command "${first}": expected one of ${COMMANDS.join(', ')}`);

  const fromArgv = new Map<string, { spec: OptionSpec; values: string[] }>();
  const rest = argv.slice(command === null && first.startsWith('-') ? 0 : 1);
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (HELP_WORDS.has(token)) return { kind: 'help' };
    if (token === '--') {
      for (const extra of rest.slice(i + 1)) errors.push(`unexpected argument "${extra}"`);
      break;
    }
    if (!token.startsWith('--')) {
      if (token.startsWith('-') && token.length > 1) {
        errors.push(`unknown option ${token} (options are spelt --name)`);
        if (rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('-')) i++;
      } else errors.push(`unexpected argument "${token}"`);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    let spec = findOption(name);
    let value: string | undefined;
    if (spec === undefined && name.startsWith('no-') && findOption(name.slice(3))?.kind === 'flag') {
      // `--no-FLAG` turns off a flag that the environment turned on.
      spec = findOption(name.slice(3))!;
      if (inline !== undefined) {
        errors.push(`--${name} takes no value`);
        continue;
      }
      value = 'false';
    }
    if (spec === undefined) {
      errors.push(unknownOption(name, command));
      // Its value, if it has one, is not a second error (no positional argument is valid).
      if (inline === undefined && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('-')) i++;
      continue;
    }
    if (command !== null && !spec.commands.includes(command)) {
      errors.push(`--${spec.name} is not an option of ${command} (it belongs to ${spec.commands.join(', ')})`);
      if (spec.kind !== 'flag' && inline === undefined && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('--')) i++;
      continue;
    }
    if (value === undefined) {
      if (spec.kind === 'flag') value = inline ?? 'true';
      else if (inline !== undefined) value = inline;
      else {
        const next = rest[i + 1];
        // A following `--word` is the next option, not a value; use --opt=--text for such text.
        if (next === undefined || next.startsWith('--')) {
          errors.push(`--${spec.name} needs a value`);
          continue;
        }
        value = next;
        i++;
      }
    }
    const seen = fromArgv.get(spec.name);
    if (seen === undefined) fromArgv.set(spec.name, { spec, values: spec.kind === 'list' ? splitList(value) : [value] });
    else if (spec.kind === 'list') seen.values.push(...splitList(value));
    else errors.push(`--${spec.name} given more than once`);
  }
  if (command === null) return { kind: 'failed', errors };

  const settings = new Map<string, RawSetting>();
  for (const [name, { values }] of fromArgv) settings.set(name, { label: `--${name}`, source: 'argv', values });
  const warnings: string[] = [];
  for (const [variable, text] of Object.entries(env)) {
    if (!variable.startsWith('PFS_') || text === undefined) continue;
    const spec = findOptionByEnv(variable);
    if (spec === undefined) {
      warnings.push(`ignoring unknown environment variable ${variable}`);
      continue;
    }
    // An empty variable counts as unset (compose files often write `PFS_X=`). Options of
    // other commands are ignored: one environment usually serves several commands.
    if (text === '' || !spec.commands.includes(command) || settings.has(spec.name)) continue;
    const values = spec.kind === 'list' ? splitList(text) : [text];
    settings.set(spec.name, { label: envName(spec.name), source: 'env', values });
  }
  return { kind: 'settings', command, settings, errors, warnings };
}

