import type { JsonValue } from './json.ts';

/*
 * The reference is Python: some of its answers embed Python's text form of a value
 * (`"Not a checksummed address: " + str(value)`, `datetime.isoformat()`, float `repr`).
 * These functions reproduce those forms for the JSON values a request can carry.
 */

/**
 * Python's `repr(float)`: the shortest round-trip digits (the same digits JavaScript picks),
 * laid out as Python does: plain notation with a trailing `.0` when the decimal point sits
 * in (-4, 16], otherwise `d.ddde+XX` with at least two exponent digits.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const { digits, decpt } = shortestDigits(Math.abs(x));
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  const e = decpt - 1;
  const eAbs = String(Math.abs(e)).padStart(2, '0');
  return `${sign}${mantissa}e${e < 0 ? '-' : '+'}${eAbs}`;
}

/**
 * Shortest digits of a positive finite double and the decimal point position:
 * value = 0.d1d2d3... x 10^decpt. Derived from `String(x)`, which the language pins to
 * the shortest digits closest to the value (the same choice as Python's repr).
 */
function shortestDigits(x: number): { digits: string; decpt: number } {
  const text = String(x);
  const eAt = text.indexOf('e');
  const mantissa = eAt < 0 ? text : text.slice(0, eAt);
  const exp = eAt < 0 ? 0 : Number(text.slice(eAt + 1));
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const fracPart = dot < 0 ? '' : mantissa.slice(dot + 1);
  let all = intPart + fracPart;
  let decpt = intPart.length + exp;
  let lead = 0;
  while (lead < all.length - 1 && all[lead] === '0') lead++;
  all = all.slice(lead);
  decpt -= lead;
  let end = all.length;
  while (end > 1 && all[end - 1] === '0') end--;
  return { digits: all.slice(0, end), decpt };
}

// Python's str.isprintable() is false for these general categories (space excepted).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr(str)`: quote choice, backslash escapes, non-printables as \x/\u/\U. */
export function pythonStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (!NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += '\\x' + hex(cp, 2);
    else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + quote;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Python's `repr()` of a parsed JSON value (dict, list, str, int, float, bool, None). */
export function pythonRepr(value: JsonValue): string {
  if (typeof value === 'string') return pythonStrRepr(value);
  return pythonStr(value);
}

/**
 * Python's `str()` of a parsed JSON value: strings verbatim, containers with their items
 * in repr form, `True`/`False`/`None`, integers exactly, floats as `repr(float)`.
 */
export function pythonStr(value: JsonValue): string {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'True' : 'False';
    case 'bigint':
      return value.toString();
    case 'number':
      return pythonFloatRepr(value);
    default:
      break;
  }
  if (Array.isArray(value)) return '[' + value.map(pythonRepr).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, v] of value as ReadonlyMap<string, JsonValue>) parts.push(`${pythonStrRepr(k)}: ${pythonRepr(v)}`);
  return '{' + parts.join(', ') + '}';
}

const MICROS_PER_DAY = 86_400_000_000n;

/**
 * Python's `datetime.isoformat()` of a naive UTC datetime given as microseconds since the
 * Unix epoch: `YYYY-MM-DDTHH:MM:SS`, plus `.ffffff` only when the microseconds are not zero.
 */
export function pythonUtcIsoformat(epochMicros: bigint): string {
  let days = epochMicros / MICROS_PER_DAY;
  let rem = epochMicros % MICROS_PER_DAY;
  if (rem < 0n) {
    rem += MICROS_PER_DAY;
    days -= 1n;
  }
  const { year, month, day } = civilFromDays(Number(days));
  const micros = Number(rem % 1_000_000n);
  const secs = Number(rem / 1_000_000n);
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  const ss = secs % 60;
  const base =
    `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}` + `T${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
  return micros === 0 ? base : `${base}.${String(micros).padStart(6, '0')}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm). */
export function civilFromDays(z0: number): { year: number; month: number; day: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Day count since 1970-01-01 of a proleptic Gregorian date (inverse of civilFromDays). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
