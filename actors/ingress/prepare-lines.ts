import {
  decodeRaidenMessage,
  isUnpackable,
  packCapacityUpdate,
  packFeeUpdate,
  splitMessageBody,
} from '../../src/protocol/index.ts';
import { type LogInput, parseLogLine } from './log-line.ts';

/*
 * The first pass of the ingress over a chunk of lines (before the signatures are
 * recovered): parse each line, decode the messages of to-device bodies, pack their signed
 * bytes, and collect one recovery job per signed message.
 */

/** One signature to recover: the packed signed bytes and the 65-byte signature. */
export interface RecoverJob {
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Shard positions of the file source: line n is n * FILE_SUBPOSITIONS and the i-th message
 * of its to-device body n * FILE_SUBPOSITIONS + i (i from 1), so two updates in one body
 * are two events, not a replay of one. Exact in a double up to 2^37 lines.
 */
export const FILE_SUBPOSITIONS = 65_536;

/** The shard position of line `line` (sub 0) or of its `sub`-th message. */
export function filePosition(line: number, sub: number): number {
  return line * FILE_SUBPOSITIONS + sub;
}

/** A line prepared in the first pass: its parsed input and, for to-device bodies, the decoded messages. */
export interface Prepared {
  readonly line: number;
  /** The line's shard position (see filePosition for the file source). */
  readonly position: number;
  readonly text: string;
  readonly input: LogInput;
  /** `position`: each message's own shard position (a shard skips positions it holds). */
  readonly messages: readonly { readonly decoded: ReturnType<typeof decodeRaidenMessage>; readonly job: number; readonly packed: Uint8Array | null; readonly position: number }[];
}

/**
 * Prepares lines; `nextPosition` numbers the lines and messages of a live source (file
 * lines use filePosition). Bodies with more messages than a file line has positions are
 * cut, and the excess is counted.
 */
export function prepareLines(
  lines: readonly { text: string; number: number }[],
  count: (key: string, n: number) => void,
  nextPosition?: () => number,
): { items: Prepared[]; jobs: RecoverJob[] } {
  const items: Prepared[] = [];
  const jobs: RecoverJob[] = [];
  for (const l of lines) {
    const input = parseLogLine(l.text);
    const messages: { decoded: ReturnType<typeof decodeRaidenMessage>; job: number; packed: Uint8Array | null; position: number }[] = [];
    if (input.kind === 'to_device') {
      const bodies = splitMessageBody(input.body);
      if (nextPosition === undefined && bodies.length >= FILE_SUBPOSITIONS) {
        // a file line has FILE_SUBPOSITIONS - 1 message positions; the rest cannot be told apart
        count('message:rejected_too_many_in_body', bodies.length - FILE_SUBPOSITIONS + 1);
        bodies.length = FILE_SUBPOSITIONS - 1;
      }
      for (const body of bodies) {
        const decoded = decodeRaidenMessage(body);
        let job = -1;
        let bytes: Uint8Array | null = null;
        if (decoded.kind === 'capacity_update' || decoded.kind === 'fee_update') {
          const packed = decoded.kind === 'capacity_update' ? packCapacityUpdate(decoded) : packFeeUpdate(decoded);
          if (!isUnpackable(packed)) {
            bytes = packed;
            job = jobs.length;
            jobs.push({ data: packed, signature: decoded.signature });
          }
        }
        messages.push({ decoded, job, packed: bytes, position: nextPosition?.() ?? filePosition(l.number, messages.length + 1) });
      }
    }
    items.push({ line: l.number, position: nextPosition === undefined ? filePosition(l.number, 0) : l.number, text: l.text, input, messages });
  }
  return { items, jobs };
}
