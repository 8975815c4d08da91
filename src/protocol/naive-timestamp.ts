/**
 * Fee-update timestamps (spec §6.1, §6.2, §6.3 step 7).
 *
 * Raiden declares `PFSFeeUpdate.timestamp` as `marshmallow.fields.NaiveDateTime()`; with
 * marshmallow 3.18 that parses with `utils.from_iso_datetime`, i.e. the Django-derived regex
 *
 *   (\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})
 *   (?::(\d{1,2})(?:\.(\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$
 *
 * applied with `re.match`, then builds `datetime(...)`, and NaiveDateTime refuses any
 * result that carries a timezone. We reproduce that acceptance rule exactly:
 *
 * - seconds are optional, the separator is `T` or a space, fields have 1-2 digits;
 * - a fraction has 1-12 digits, of which only the first 6 count (right-padded with 0);
 * - `Z`, `±HH`, `±HHMM`, `±HH:MM` mean "aware" and are refused (reason `timezone`);
 * - Python's `$` also matches before one final `\n`, so a trailing newline is accepted;
 * - Python's `\d` on str is any Unicode decimal digit (category Nd) and `int()` reads
 *   them, so e.g. Arabic-Indic digits are accepted. Python 3.9 ships Unicode 13.0; the
 *   digit table below is exactly its Nd set, independent of Node's ICU version;
 * - the fields must form a real datetime (year 1-9999, Gregorian leap years, hour < 24,
 *   minute and second < 60), else `datetime()` raises and the message is invalid.
 *
 * What is signed is not the wire text but `isoformat()` of the parsed value, so each
 * accepted timestamp yields its canonical `iso` form (`YYYY-MM-DDTHH:MM:SS`, plus
 * `.ffffff` only when microseconds are non-zero) and a `sortable` form that always has
 * six fraction digits; string order of `sortable` equals datetime order, which is how the
 * token network state stores and compares fee timestamps.
 */

/** A parsed naive timestamp in the two string forms the service needs. */
export interface NaiveTimestamp {
  /** Python `isoformat()` of the parsed value: the exact text inside the signed bytes. */
  readonly iso: string;
  /** `YYYY-MM-DDTHH:MM:SS.ffffff`, always 6 fraction digits; orders like the datetime. */
  readonly sortable: string;
}

/** Why a timestamp was refused. */
export type NaiveTimestampError = 'not_a_string' | 'format' | 'timezone' | 'out_of_range';

/** Tolerance of the "Timestamp is in the future" rule (spec §6.3 step 7): one hour. */
export const FEE_TIMESTAMP_FUTURE_TOLERANCE_MS = 3_600_000;

// Longest accepted text is about 40 characters; anything much longer is refused before
// any other work so hostile input stays cheap.
const MAX_TIMESTAMP_CHARS = 64;

const ISO_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?\n?$/;

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * Code points of the digit zero of every Unicode 13.0 Nd run (each run is 0-9; the
 * mathematical digits 1D7CE-1D7FF are five runs). 65 runs, 650 digits.
 */
const UNICODE13_DIGIT_ZEROS: readonly number[] = [
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50,
  0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40,
  0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066,
  0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950,
  0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140,
  0x1e2f0, 0x1e950, 0x1fbf0,
];

/** Value 0-9 of a Unicode 13.0 decimal digit, or -1. */
function digitValue(codePoint: number): number {
  for (const zero of UNICODE13_DIGIT_ZEROS) {
    if (codePoint < zero) return -1;
    if (codePoint <= zero + 9) return codePoint - zero;
  }
  return -1;
}

/**
 * Replaces every non-ASCII decimal digit by its ASCII digit. The pattern's other
 * characters are all ASCII, so matching the result with an ASCII `\d` pattern accepts
 * exactly what Python's Unicode `\d` accepts on the original.
 */
function asciiDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const d = cp < 0x80 ? -1 : digitValue(cp);
    out += d >= 0 ? String.fromCharCode(48 + d) : ch;
  }
  return out;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Both string forms of a valid naive datetime given by its fields. */
function forms(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micro: number,
): NaiveTimestamp {
  const base = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
  const fraction = pad(micro, 6);
  return { iso: micro === 0 ? base : `${base}.${fraction}`, sortable: `${base}.${fraction}` };
}

/**
 * Parses a fee-update timestamp exactly as raiden's NaiveDateTime field does (see the
 * module comment). Expected refusals are values, not exceptions.
 */
export function parseNaiveTimestamp(input: unknown): NaiveTimestamp | NaiveTimestampError {
  if (typeof input !== 'string') return 'not_a_string';
  if (input.length === 0 || input.length > MAX_TIMESTAMP_CHARS) return 'format';
  const text = ASCII_ONLY.test(input) ? input : asciiDigits(input);
  const m = ISO_DATETIME.exec(text);
  if (m === null) return 'format';
  if (m[8] !== undefined) return 'timezone';
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  // Python: kw["microsecond"].ljust(6, "0"), so ".5" is 500000 microseconds.
  const micro = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  if (year < 1 || month < 1 || month > 12 || day < 1) return 'out_of_range';
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > monthDays || hour > 23 || minute > 59 || second > 59) return 'out_of_range';
  return forms(year, month, day, hour, minute, second, micro);
}

/** The sortable form of a UTC instant given in milliseconds since the epoch. */
export function sortableFromEpochMs(epochMs: number): string {
  const d = new Date(epochMs);
  return forms(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds() * 1000,
  ).sortable;
}

/** Python `isoformat()` of a UTC instant: what a Raiden node signs for "now". */
export function isoFromEpochMs(epochMs: number): string {
  const s = sortableFromEpochMs(epochMs);
  return s.endsWith('.000000') ? s.slice(0, -7) : s;
}

/**
 * The reference's `timestamp > datetime.utcnow() + timedelta(hours=1)` (spec §6.3 step 7),
 * on sortable forms. `nowMs` is injected so callers and tests control the clock.
 */
export function isFeeTimestampInFuture(sortable: string, nowMs: number): boolean {
  return sortable > sortableFromEpochMs(nowMs + FEE_TIMESTAMP_FUTURE_TOLERANCE_MS);
}
