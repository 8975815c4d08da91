/**
 * Logging with the reference's levels (spec §11), as text or JSON lines on stderr. Worker
 * threads do not log themselves: they send log notices that the main thread writes here.
 */

/** Log levels, most severe first. */
export type Level = 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO' | 'DEBUG';

const RANK: Record<Level, number> = { CRITICAL: 50, ERROR: 40, WARNING: 30, INFO: 20, DEBUG: 10 };

/** A logger writing at or above a level. */
export class Logger {
  private readonly min: number;
  private readonly json: boolean;
  private readonly write: (line: string) => void;

  constructor(level: Level, json: boolean, write: (line: string) => void = (l) => process.stderr.write(l + '\n')) {
    this.min = RANK[level];
    this.json = json;
    this.write = write;
  }

  /** Writes one event. */
  log(level: Level, message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (RANK[level] < this.min) return;
    const time = new Date().toISOString();
    if (this.json) {
      this.write(JSON.stringify({ time, level, message, ...fields }, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
      return;
    }
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x))}`)
      .join(' ');
    this.write(`${time} ${level.padEnd(8)} ${message}${extra === '' ? '' : ' ' + extra}`);
  }

  /** Shorthands. */
  error(message: string, fields?: Readonly<Record<string, unknown>>): void {
    this.log('ERROR', message, fields);
  }
  warning(message: string, fields?: Readonly<Record<string, unknown>>): void {
    this.log('WARNING', message, fields);
  }
  info(message: string, fields?: Readonly<Record<string, unknown>>): void {
    this.log('INFO', message, fields);
  }
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void {
    this.log('DEBUG', message, fields);
  }
}
