import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Shared plumbing of the benchmarks: arguments, the figures table, `-- --json FILE`. */

export function argValue(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export function argNumber(name: string, fallback: number): number {
  const v = argValue(name);
  return v === undefined ? fallback : Number(v);
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
