/**
 * The file-system and machine facts the configuration depends on, behind a small interface
 * so tests can substitute them. Defaults use node:fs and node:os synchronously: parsing
 * happens once at start-up, before anything else runs.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** What a path names: a regular file, a directory, something else (fifo, device) or nothing. */
export type PathKind = 'file' | 'directory' | 'other' | 'missing';

/** Injectable environment of the parser; every member is optional in `parseConfig`. */
export interface ConfigDeps {
  /** Reads a whole UTF-8 file; throws like fs.readFileSync when it cannot. */
  readonly readFile: (path: string) => string;
  /** What a path names (following symlinks). */
  readonly pathKind: (path: string) => PathKind;
  /** True when the process may read the path. */
  readonly isReadable: (path: string) => boolean;
  /** Cores available to this process (default for the thread counts). */
  readonly cpuCount: () => number;
  /** The user's home directory (default data dir, `~` expansion). */
  readonly homeDir: () => string;
  /** Directory that relative paths are resolved against. */
  readonly cwd: () => string;
}

/** The real machine: node:fs, node:os and process.cwd(). */
export const DEFAULT_DEPS: ConfigDeps = Object.freeze({
  readFile: (path: string) => readFileSync(path, 'utf8'),
  pathKind: (path: string): PathKind => {
    try {
      const st = statSync(path);
      return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
    } catch {
      return 'missing';
    }
  },
  isReadable: (path: string) => {
    try {
      accessSync(path, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  },
  cpuCount: () => availableParallelism(),
  homeDir: () => homedir(),
  cwd: () => process.cwd(),
});

/** An absolute path: `~/` expanded to the home directory, relative paths resolved against cwd. */
export function absolutePath(input: string, deps: ConfigDeps): string {
  const expanded = input === '~' ? deps.homeDir() : input.startsWith('~/') ? join(deps.homeDir(), input.slice(2)) : input;
  return resolve(deps.cwd(), expanded);
}

/**
 * The per-user base of the default data dir: $XDG_DATA_HOME/raiden-pfs when that variable
 * holds an absolute path (the XDG rule), else ~/.local/share/raiden-pfs. The chain id is
 * appended below it once known (see dataDirFor).
 */
export function defaultDataDirBase(env: Readonly<Record<string, string | undefined>>, deps: ConfigDeps): string {
  const xdg = env['XDG_DATA_HOME'];
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(deps.homeDir(), '.local', 'share');
  return join(base, 'raiden-pfs');
}

/** Why `path` cannot be read as an input file, or null when it can. */
export function checkReadableFile(path: string, deps: ConfigDeps): string | null {
  const kind = deps.pathKind(path);
  if (kind === 'missing') return `file ${path} does not exist`;
  if (kind === 'directory') return `${path} is a directory, not a file`;
  if (!deps.isReadable(path)) return `file ${path} is not readable`;
  return null;
}

/** Why `path` cannot be created or appended to as an output file, or null when it can. */
export function checkWritableTarget(path: string, deps: ConfigDeps): string | null {
  const kind = deps.pathKind(path);
  if (kind === 'directory') return `${path} is a directory, not a file`;
  const parent = dirname(path);
  const parentKind = deps.pathKind(parent);
  if (parentKind === 'missing') return `directory ${parent} does not exist`;
  if (parentKind !== 'directory') return `${parent} is not a directory`;
  return null;
}

/** Reads a text file, or returns why it could not be read. */
export function readText(path: string, deps: ConfigDeps): { ok: true; text: string } | { ok: false; message: string } {
  const problem = checkReadableFile(path, deps);
  if (problem !== null) return { ok: false, message: problem };
  try {
    return { ok: true, text: deps.readFile(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: `cannot read ${path}${code === undefined ? '' : ` (${code})`}` };
  }
}
