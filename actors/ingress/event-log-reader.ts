import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** One line of the event log with its 1-based number and the byte offset after it. */
export interface LogLine {
  readonly text: string;
  readonly number: number;
  readonly endOffset: number;
}

/** Bytes hashed to identify a file: a log that only grew keeps its identity. */
const IDENTITY_BYTES = 64 * 1024;

/**
 * The identity of an event log, "keyed by the file's content" (event-log spec): a hash of
 * its first 64 KiB. A recorded log that grew since the last run keeps its key, so the
 * service resumes where it stopped instead of replaying the start again.
 */
export function fileKey(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(IDENTITY_BYTES);
    const n = readSync(fd, buf, 0, IDENTITY_BYTES, 0);
    return createHash('sha256').update(buf.subarray(0, n)).digest('hex').slice(0, 32);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads an NDJSON file in chunks of lines from a byte offset, without loading it whole.
 * A final line without a newline is returned too (a log being written may end mid-line:
 * such a line is only returned once the file is read to its end).
 */
export class EventLogReader {
  private readonly fd: number;
  private offset: number;
  private lineNumber: number;
  private carry = Buffer.alloc(0);
  private eof = false;
  private readonly buffer = Buffer.allocUnsafe(1 << 20);

  constructor(path: string, startOffset: number, startLine: number) {
    this.fd = openSync(path, 'r');
    this.offset = startOffset;
    this.lineNumber = startLine;
  }

  /** Up to `maxLines` next lines; an empty array at the end of the file. */
  next(maxLines: number): LogLine[] {
    const out: LogLine[] = [];
    let carryStart = this.offset - this.carry.length;
    while (out.length < maxLines) {
      const nl = this.carry.indexOf(10);
      if (nl >= 0) {
        const raw = this.carry.subarray(0, nl);
        carryStart += nl + 1;
        this.carry = this.carry.subarray(nl + 1);
        this.lineNumber++;
        out.push({ text: raw.toString('utf8').replace(/\r$/, ''), number: this.lineNumber, endOffset: carryStart });
        continue;
      }
      if (this.eof) {
        if (this.carry.length > 0) {
          carryStart += this.carry.length;
          this.lineNumber++;
          out.push({ text: this.carry.toString('utf8'), number: this.lineNumber, endOffset: carryStart });
          this.carry = Buffer.alloc(0);
        }
        break;
      }
      const n = readSync(this.fd, this.buffer, 0, this.buffer.length, this.offset);
      if (n === 0) {
        this.eof = true;
        continue;
      }
      this.offset += n;
      this.carry = this.carry.length === 0 ? Buffer.from(this.buffer.subarray(0, n)) : Buffer.concat([this.carry, this.buffer.subarray(0, n)]);
    }
    return out;
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.fd);
  }
}
