import { pythonFloatRepr } from './python-text.ts';

/*
 * The JSON writer of the HTTP API: amounts (bigint) as bare exact integers, Python-style
 * floats where the reference computes floats, and a `python` style byte-identical to the
 * reference's `json.dumps` (the parser is json.ts).
 */

/**
 * A number the reference computes as a Python float, written as Python writes floats:
 * `1.0` rather than `1` (a plain `number` that happens to be integral is written as an
 * integer, which is right for the reference's ints but not for its floats: centralities,
 * uptimes and scores of suggest_partner, seconds in error details). Non-finite values come
 * out as `NaN` / `Infinity` / `-Infinity`, as `json.dumps` writes them.
 */
export class JsonFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}

/** A value the serializer can write: parsed values, plain records, Maps, bigint amounts, floats. */
export type JsonOut =
  | null
  | boolean
  | string
  | bigint
  | number
  | JsonFloat
  | readonly JsonOut[]
  | ReadonlyMap<string, JsonOut>
  | JsonOutRecord;

/** A plain object to serialise; members whose value is `undefined` are left out. */
export interface JsonOutRecord {
  readonly [key: string]: JsonOut | undefined;
}

/**
 * Output style. `compact`: no spaces, non-ASCII written as is. `python`: byte-identical to
 * the reference's `json.dumps` (separators `", "` and `": "`, every non-ASCII character
 * escaped as `\uXXXX`, floats in Python's repr form), for differential testing and for
 * clients that compare bytes.
 */
export type JsonStyle = 'compact' | 'python';

/**
 * Serialises a value. bigint is written as a bare JSON integer, exactly. A `number` that is
 * an integer of at most 2^53 is written as an integer; other numbers as floats. A
 * non-finite number cannot be represented in JSON and is a programming error here (no
 * answer of the API contains one), so it throws.
 */
export function stringifyJson(value: JsonOut, style: JsonStyle = 'compact'): string {
  return write(value, style === 'python');
}

function write(v: JsonOut, python: boolean): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return python ? pythonJsonString(v) : JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`cannot write non-finite number ${v} as JSON`);
      if (Number.isSafeInteger(v)) return String(v); // also turns -0 into "0"
      return python ? pythonFloatRepr(v) : String(v);
    default:
      break;
  }
  if (v instanceof JsonFloat) return writeFloat(v.value, python);
  const comma = python ? ', ' : ',';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : comma) + write(v[i] as JsonOut, python);
    return out + ']';
  }
  const colon = python ? ': ' : ':';
  let out = '{';
  let first = true;
  if (v instanceof Map) {
    for (const [k, item] of v as ReadonlyMap<string, JsonOut>) {
      out += (first ? '' : comma) + writeKey(k, python) + colon + write(item, python);
      first = false;
    }
  } else {
    const record = v as JsonOutRecord;
    for (const k of Object.keys(record)) {
      const item = record[k];
      if (item === undefined) continue;
      out += (first ? '' : comma) + writeKey(k, python) + colon + write(item, python);
      first = false;
    }
  }
  return out + '}';
}

function writeFloat(x: number, python: boolean): string {
  if (!python) {
    if (!Number.isFinite(x)) throw new TypeError(`cannot write non-finite number ${x} as JSON`);
    return String(x);
  }
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return pythonFloatRepr(x);
}

function writeKey(k: string, python: boolean): string {
  return python ? pythonJsonString(k) : JSON.stringify(k);
}

const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Python's json string encoding with ensure_ascii=True (lower-case hex escapes). */
function pythonJsonString(s: string): string {
  if (PLAIN_ASCII.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}
