/**
 * Reads typed settings out of the raw strings, collecting every error instead of stopping
 * at the first, so that one run names every bad setting.
 */
import type { RawSetting } from './argv.ts';
import type { ConfigDeps } from './files.ts';
import { type Parsed, parseBool } from './values.ts';

/** Typed access to the raw settings of one command, with an error and warning list. */
export class SettingsReader {
  /** Every problem found so far, in a user-facing form. */
  readonly errors: string[] = [];
  /** Hints that do not stop the program. */
  readonly warnings: string[] = [];
  /** File system and machine facts. */
  readonly deps: ConfigDeps;
  /** The process environment (for XDG_DATA_HOME). */
  readonly env: Readonly<Record<string, string | undefined>>;
  private readonly settings: ReadonlyMap<string, RawSetting>;

  constructor(settings: ReadonlyMap<string, RawSetting>, deps: ConfigDeps, env: Readonly<Record<string, string | undefined>>) {
    this.settings = settings;
    this.deps = deps;
    this.env = env;
  }

  /** True when the option was set on the command line or in the environment (valid or not). */
  given(name: string): boolean {
    return this.settings.has(name);
  }

  /** How to name the option in a message: where it was set, or `--name` when it was not. */
  label(name: string): string {
    return this.settings.get(name)?.label ?? `--${name}`;
  }

  /** Where the option was set, or null when it was not. */
  source(name: string): 'argv' | 'env' | 'default' | null {
    return this.settings.get(name)?.source ?? null;
  }

  /** Records a problem with an option: "<label>: <message>". */
  fail(name: string, message: string): void {
    this.errors.push(`${this.label(name)}: ${message}`);
  }

  /** The raw text of a single-valued option, or null when not set. */
  text(name: string): string | null {
    return this.settings.get(name)?.values[0] ?? null;
  }

  /** The raw items of a list option (empty when not set). */
  list(name: string): readonly string[] {
    return this.settings.get(name)?.values ?? [];
  }

  /** Parses a single-valued option; null when it is absent or invalid (the error is recorded). */
  parse<T>(name: string, parser: (text: string) => Parsed<T>): T | null {
    const text = this.text(name);
    if (text === null) return null;
    const parsed = parser(text);
    if (parsed.ok) return parsed.value;
    this.fail(name, parsed.message);
    return null;
  }

  /** Parses every item of a list option, recording each bad item. */
  parseList<T>(name: string, parser: (text: string) => Parsed<T>): T[] {
    const out: T[] = [];
    for (const item of this.list(name)) {
      const parsed = parser(item);
      if (parsed.ok) out.push(parsed.value);
      else this.fail(name, parsed.message);
    }
    return out;
  }

  /** A flag's value; false when not set. */
  flag(name: string): boolean {
    return this.parse(name, parseBool) ?? false;
  }
}
