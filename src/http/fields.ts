import { parseChecksummedAddress, type Address } from '../domain/index.ts';
import type { ValidationErrors, ValidationNode } from './errors.ts';
import type { JsonValue } from './json.ts';
import { daysFromCivil, pythonStr } from './python-text.ts';

/*
 * Field deserialisers with the exact semantics and messages of marshmallow 3.18.0 (the
 * reference's pin) and the reference's custom fields. Verified by running marshmallow
 * 3.18.0 + marshmallow-dataclass 8.5.9 on the reference's schema definitions
 * (raiden-services 2.0.1 `pathfinding_service/api.py`, `model/iou.py`,
 * `raiden_libs/marshmallow.py`); the cases are pinned in test/http/fields.test.ts.
 *
 * Where Python accepts non-ASCII input (int("٥") == 5: Unicode decimal digits; the regex
 * `\d` of marshmallow's datetime parser matches them too) we take the safe reading and
 * accept ASCII digits only. Non-ASCII *whitespace* around numbers is accepted, as Python's
 * int()/float() do, because that set is small and fixed.
 */

/** Result of deserialising one field: the value, or marshmallow's message(s) for it. */
export type FieldOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ValidationNode };

/** marshmallow's messages, verbatim. */
export const MESSAGES = {
  missing: 'Missing data for required field.',
  null: 'Field may not be null.',
  unknown: 'Unknown field.',
  schemaType: 'Invalid input type.',
  integer: 'Not a valid integer.',
  number: 'Not a valid number.',
  tooLarge: 'Number too large.',
  special: 'Special numeric values (nan or infinity) are not permitted.',
  boolean: 'Not a valid boolean.',
  uuid: 'Not a valid UUID.',
  list: 'Not a valid list.',
  datetime: 'Not a valid datetime.',
  naiveDatetime: 'Not a valid naive datetime.',
  /** Ours: the reference's HexedBytes field crashes (HTTP 500) on such input. */
  hex: 'Not a valid hex string.',
} as const;

function ok<T>(value: T): FieldOutcome<T> {
  return { ok: true, value };
}

function bad<T>(message: string): FieldOutcome<T> {
  return { ok: false, error: [message] };
}

/** marshmallow's `validate.Range` message (inclusive bounds). */
export function rangeMessage(min: bigint | number | null, max: bigint | number | null): string {
  if (min !== null && max !== null) return `Must be greater than or equal to ${min} and less than or equal to ${max}.`;
  if (min !== null) return `Must be greater than or equal to ${min}.`;
  return `Must be less than or equal to ${max}.`;
}

// ASCII whitespace that Python's int()/float() strip (\x1c-\x1f are NOT stripped: verified),
// plus the non-ASCII characters for which str.isspace() is true.
const PY_SPACE = '[ \\t\\n\\v\\f\\r\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*';
const PY_INT_10 = new RegExp(`^${PY_SPACE}([+-]?)([0-9](?:_?[0-9])*)${PY_SPACE}$`);
const PY_INT_16 = new RegExp(`^${PY_SPACE}([+-]?)(?:0[xX]_?)?([0-9a-fA-F](?:_?[0-9a-fA-F])*)${PY_SPACE}$`);
const PY_FLOAT = new RegExp(
  `^${PY_SPACE}([+-]?(?:[0-9](?:_?[0-9])*(?:\\.(?:[0-9](?:_?[0-9])*)?)?|\\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?)${PY_SPACE}$`,
);
const PY_FLOAT_SPECIAL = new RegExp(`^${PY_SPACE}([+-]?)(inf|infinity|nan)${PY_SPACE}$`, 'i');

/** Python limits int() on decimal strings to 4300 digits (3.9.14+, CVE-2020-10735). */
const PY_INT_MAX_DIGITS = 4300;

/** Python's `int(s)` for a str (base 10), ASCII digits only; null where Python raises. */
export function pythonIntFromString(s: string): bigint | null {
  const m = PY_INT_10.exec(s);
  if (m === null) return null;
  const digits = m[2]!.replaceAll('_', '');
  if (digits.length > PY_INT_MAX_DIGITS) return null;
  const v = BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/** Python's `int(s, 16)` (optional 0x prefix, underscores between digits); null where it raises. */
export function pythonHexIntFromString(s: string): bigint | null {
  const m = PY_INT_16.exec(s);
  if (m === null) return null;
  const v = BigInt('0x' + m[2]!.replaceAll('_', ''));
  return m[1] === '-' ? -v : v;
}

/** Python's `float(s)`; null where it raises. `inf`/`nan` spellings give non-finite values. */
export function pythonFloatFromString(s: string): number | null {
  const special = PY_FLOAT_SPECIAL.exec(s);
  if (special !== null) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const m = PY_FLOAT.exec(s);
  if (m === null) return null;
  // The grammar above is a subset of what Number() reads, and Number() rounds correctly.
  return Number(m[1]!.replaceAll('_', ''));
}

/**
 * marshmallow `fields.Integer()` (not strict): a JSON integer; a float truncated toward zero
 * (`int(1.9) == 1`, `int(1e30)` is the double's exact value); a decimal string as Python's
 * int() reads it (surrounding whitespace, sign, underscores between digits, leading zeros;
 * not "1e3", "5.0" or "0x5"). Booleans, lists and objects are "Not a valid integer.";
 * NaN too, while ±Infinity is "Number too large." (int(inf) raises OverflowError).
 */
export function integerField(v: JsonValue): FieldOutcome<bigint> {
  switch (typeof v) {
    case 'bigint':
      return ok(v);
    case 'number':
      if (Number.isNaN(v)) return bad(MESSAGES.integer);
      if (!Number.isFinite(v)) return bad(MESSAGES.tooLarge);
      return ok(BigInt(Math.trunc(v)));
    case 'string': {
      const parsed = pythonIntFromString(v);
      return parsed === null ? bad(MESSAGES.integer) : ok(parsed);
    }
    default:
      return bad(MESSAGES.integer);
  }
}

/**
 * marshmallow `fields.Float()` (allow_nan False): a JSON number, an integer converted with
 * correct rounding ("Number too large." beyond the double range), or a string as Python's
 * float() reads it ("1e3", ".5", "5.", " 1_0.5 ", "inf", "nan"). Non-finite results are
 * "Special numeric values (nan or infinity) are not permitted."
 */
export function floatField(v: JsonValue): FieldOutcome<number> {
  let x: number;
  switch (typeof v) {
    case 'number':
      x = v;
      break;
    case 'bigint':
      x = Number(v);
      if (!Number.isFinite(x)) return bad(MESSAGES.tooLarge);
      break;
    case 'string': {
      const parsed = pythonFloatFromString(v);
      if (parsed === null) return bad(MESSAGES.number);
      x = parsed;
      break;
    }
    default:
      return bad(MESSAGES.number);
  }
  if (!Number.isFinite(x)) return bad(MESSAGES.special);
  return ok(x);
}

const TRUTHY = new Set(['t', 'T', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'y', 'Y', 'yes', 'Yes', 'YES', '1']);
const FALSY = new Set(['f', 'F', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', 'n', 'N', 'no', 'No', 'NO', '0']);

/**
 * marshmallow `fields.Boolean()`: true/false, the strings of its truthy/falsy sets, and the
 * numbers 1 and 0 (1.0, 0.0 and -0.0 too, since Python compares them equal to 1 and 0).
 */
export function booleanField(v: JsonValue): FieldOutcome<boolean> {
  switch (typeof v) {
    case 'boolean':
      return ok(v);
    case 'string':
      if (TRUTHY.has(v)) return ok(true);
      if (FALSY.has(v)) return ok(false);
      return bad(MESSAGES.boolean);
    case 'bigint':
      if (v === 1n) return ok(true);
      if (v === 0n) return ok(false);
      return bad(MESSAGES.boolean);
    case 'number':
      if (v === 1) return ok(true);
      if (v === 0) return ok(false);
      return bad(MESSAGES.boolean);
    default:
      return bad(MESSAGES.boolean);
  }
}

/**
 * marshmallow `fields.UUID()`, i.e. Python's `uuid.UUID(s)`: remove every "urn:" and
 * "uuid:", strip "{" / "}" from both ends, remove every "-", require 32 characters, read
 * them with int(s, 16) (so whitespace, a sign, a 0x prefix and underscores slip through),
 * and require 0 <= value < 2^128. The value is returned as 32 lower-case hex digits
 * (`uuid.hex`), the form the feedback tokens are stored in.
 */
export function uuidField(v: JsonValue): FieldOutcome<string> {
  if (typeof v !== 'string') return bad(MESSAGES.uuid);
  const hex = v.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
  // Python's len() counts code points.
  let length = 0;
  for (const _ of hex) length++;
  if (length !== 32) return bad(MESSAGES.uuid);
  const value = pythonHexIntFromString(hex);
  if (value === null || value < 0n || value >= 1n << 128n) return bad(MESSAGES.uuid);
  return ok(value.toString(16).padStart(32, '0'));
}

/**
 * The reference's `ChecksumAddress` field: an EIP-55 checksummed `0x` address (all-digit
 * addresses count as checksummed). The message quotes the input as Python's str() does.
 */
export function checksumAddressField(v: JsonValue): FieldOutcome<Address> {
  const address = parseChecksummedAddress(v);
  if (address !== null) return ok(address);
  return bad(`Not a checksummed address: ${pythonStr(v)}`);
}

const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/**
 * The reference's `HexedBytes` field (eth_utils.decode_hex): optional "0x"/"0X" prefix, then
 * an even number of hex digits, possibly none. Length is not checked here ("0x" is valid
 * input; a bad signature length is a 2001 later, as in the reference). Anything else makes
 * the reference crash (500); here it is "Not a valid hex string.".
 */
export function hexBytesField(v: JsonValue): FieldOutcome<Uint8Array> {
  if (typeof v !== 'string') return bad(MESSAGES.hex);
  const body = v.startsWith('0x') || v.startsWith('0X') ? v.slice(2) : v;
  if (body.length % 2 !== 0 || !HEX_DIGITS.test(body)) return bad(MESSAGES.hex);
  return ok(Buffer.from(body, 'hex'));
}

/** A naive datetime as sent (the exact text is signed) and its instant, read as UTC. */
export interface NaiveDateTime {
  readonly text: string;
  /** Microseconds since 1970-01-01T00:00:00, the datetime taken as UTC (as utcnow() compares). */
  readonly epochMicros: bigint;
}

// marshmallow 3.18 utils._iso8601_datetime_re (with ASCII digits; see the file comment).
const ISO_DATETIME =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]{1,6})[0-9]{0,6})?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;

/**
 * marshmallow `fields.NaiveDateTime()` with format "iso": `YYYY-M-D[T ]H:M[:S[.ffffff]]`
 * with 1-2 digit parts, up to 12 fraction digits (the 7th-12th ignored), optionally one
 * trailing "\n" (Python's `$` matches before it). Out-of-range parts, a zone offset of 24 h
 * or more, or an empty string are "Not a valid datetime."; a valid zone suffix ("Z",
 * "+00:00", "-05", "+0530") is "Not a valid naive datetime.".
 */
export function naiveDateTimeField(v: JsonValue): FieldOutcome<NaiveDateTime> {
  if (typeof v !== 'string' || v.length === 0) return bad(MESSAGES.datetime);
  const m = ISO_DATETIME.exec(v.endsWith('\n') ? v.slice(0, -1) : v);
  if (m === null) return bad(MESSAGES.datetime);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const micro = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return bad(MESSAGES.datetime);
  if (hour > 23 || minute > 59 || second > 59) return bad(MESSAGES.datetime);
  const zone = m[8];
  if (zone !== undefined) {
    // Python's timezone() refuses offsets of 24 h or more before awareness is checked.
    if (zone !== 'Z') {
      const hours = Number(zone.slice(1, 3));
      const minutes = zone.length > 3 ? Number(zone.slice(-2)) : 0;
      if (hours * 60 + minutes >= 24 * 60) return bad(MESSAGES.datetime);
    }
    return bad(MESSAGES.naiveDatetime);
  }
  const days = BigInt(daysFromCivil(year, month, day));
  const secs = BigInt(hour * 3600 + minute * 60 + second);
  return ok({ text: v, epochMicros: (days * 86_400n + secs) * 1_000_000n + BigInt(micro) });
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * marshmallow `fields.List(ChecksumAddress)`: a JSON array; element errors are keyed by
 * index ("0", "2", ...), a null element is "Field may not be null.".
 */
export function addressListField(v: JsonValue): FieldOutcome<Address[]> {
  if (!Array.isArray(v)) return bad(MESSAGES.list);
  const out: Address[] = [];
  const errors = new Map<string, ValidationNode>();
  (v as readonly JsonValue[]).forEach((item, index) => {
    if (item === null) {
      errors.set(String(index), [MESSAGES.null]);
      return;
    }
    const r = checksumAddressField(item);
    if (r.ok) out.push(r.value);
    else errors.set(String(index), r.error);
  });
  if (errors.size > 0) return { ok: false, error: errors as ValidationErrors };
  return ok(out);
}
