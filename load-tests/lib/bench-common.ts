import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Shared plumbing of the benchmarks: arguments, the figures table, `-- --json FILE`. */

/** One command-line option of a benchmark: a number, a text, or a flag. */
export interface BenchOption {
  readonly help: string;
  /** Default of a numeric option (values must be positive numbers). */
  readonly number?: number;
  /** Marks a text option (no default: undefined when absent). */
  readonly text?: true;
  /** Marks a flag (no value). */
  readonly flag?: true;
}

/** The parsed options of a benchmark. */
export interface BenchArgs {
  num(name: string): number;
  text(name: string): string | undefined;
  flag(name: string): boolean;
}

/**
 * Parses `process.argv` against the benchmark's options (plus `--json FILE`, which
 * `report` reads): `--help` prints them and exits 0; an unknown option, a missing value or
 * a bad number is reported and exits 2, so a typo never silently runs the full default
 * benchmark for many minutes.
 */
export function benchArgs(usage: string, options: Readonly<Record<string, BenchOption>>): BenchArgs {
  // a benchmark may describe its own JSON (the routing one writes a list of cases)
  const all: Record<string, BenchOption> = { json: { help: 'also write the figures as one flat JSON object to FILE', text: true }, ...options };
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    const lines = [usage, '', 'Options:'];
    for (const [name, o] of Object.entries(all)) {
      const value = o.flag === true ? '' : o.text === true ? ' TEXT' : ' N';
      const dflt = o.number !== undefined ? ` (default ${o.number})` : '';
      lines.push(`  --${(name + value).padEnd(20)} ${o.help}${dflt}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
    process.exit(0);
  }
  const values = new Map<string, string | true>();
  const errors: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const o = arg.startsWith('--') ? all[arg.slice(2)] : undefined;
    if (o === undefined) {
      errors.push(`unknown argument ${JSON.stringify(arg)}`);
      // its value, if it has one, is not a second error
      if (arg.startsWith('--') && args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) i++;
      continue;
    }
    if (o.flag === true) {
      values.set(arg.slice(2), true);
      continue;
    }
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) {
      errors.push(`${arg} needs a value`);
      continue;
    }
    i++;
    if (o.number !== undefined && !(Number.isFinite(Number(v)) && Number(v) > 0)) errors.push(`${arg} must be a positive number, got ${JSON.stringify(v)}`);
    values.set(arg.slice(2), v);
  }
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`error: ${e}\n`);
    process.stderr.write('(--help lists the options)\n');
    process.exit(2);
  }
  return {
    num: (name) => {
      const v = values.get(name);
      return typeof v === 'string' ? Number(v) : (all[name]?.number ?? NaN);
    },
    text: (name) => {
      const v = values.get(name);
      return typeof v === 'string' ? v : undefined;
    },
    flag: (name) => values.get(name) === true,
  };
}

/** Reads a parsed option after `benchArgs` ran (for shared code such as `report`). */
export function argValue(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The machine, noted next to every figure (figures are only comparable on one machine). */
export function machine(): string {
  const c = cpus();
  return `${c.length} x ${c[0]?.model ?? 'cpu'}, Node ${process.version}`;
}

/** Prints the figures as a table and writes them as one flat JSON object when asked. */
export function report(title: string, figures: Record<string, number>, notes: readonly string[] = []): void {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  const lines = [`${title}  (${machine()})`, ...Object.entries(figures).map(([k, v]) => `  ${k.padEnd(width)}  ${format(v)}`), ...notes.map((n) => `  ${n}`)];
  process.stdout.write(lines.join('\n') + '\n');
  const json = argValue('json');
  if (json !== undefined) writeFileSync(json, JSON.stringify(figures, null, 2) + '\n');
}

function format(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Peak and current resident memory of a process, in MB (Linux /proc). */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}
