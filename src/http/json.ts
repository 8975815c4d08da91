/*
 * Strict JSON for the HTTP API. Two reasons not to use JSON.parse / JSON.stringify:
 *
 * - Exactness. Clients send token amounts (~1e18 and up to 2^256) as bare JSON numbers,
 *   and the answers carry amounts the same way. JSON.parse rounds them to doubles.
 * - Safety. Request bodies are hostile input: nesting depth, string length, container
 *   size and number length are bounded explicitly, so a malicious body is refused after a
 *   small amount of work, and objects are Maps, so `__proto__` / `constructor` are
 *   ordinary keys that can never reach a prototype.
 *
 * Number model (mirrors Python's json, which the reference uses): a number token without
 * fraction and exponent is an integer and is ALWAYS parsed to a bigint, whatever its size;
 * any other number token is a float and is parsed to a double (correctly rounded, so
 * `1e400` becomes Infinity exactly as Python's float() does). Consumers therefore see
 * `bigint` for "the client sent an integer" and `number` for "the client sent a float",
 * the same distinction marshmallow sees.
 *
 * Python's json.loads also accepts the tokens `NaN`, `Infinity` and `-Infinity`. They are
 * accepted here too by default (`allowNonFinite`), so that a body using them gets the same
 * field-level validation message as from the reference (every numeric field of the API
 * rejects non-finite values: "Not a valid integer.", "Number too large.", "Special numeric
 * values (nan or infinity) are not permitted.") instead of a generic syntax error.
 */

/** A parsed JSON value: integers are bigint, floats are number, objects are Maps. */
export type JsonValue = null | boolean | string | bigint | number | JsonArray | JsonObject;
/** A parsed JSON array. */
export type JsonArray = readonly JsonValue[];
/**
 * A parsed JSON object. Insertion order is the order of first appearance of each key; a
 * duplicated key keeps its first position and its last value, as in Python's dict.
 */
export type JsonObject = ReadonlyMap<string, JsonValue>;

/** Bounds on what the parser accepts; exceeding one yields a `limit` error, not a crash. */
export interface JsonLimits {
  /** Maximum nesting of arrays/objects (the top-level container is depth 1). */
  readonly maxDepth: number;
  /** Maximum length of one string or key after unescaping, in UTF-16 code units. */
  readonly maxStringLength: number;
  /** Maximum number of elements of one array, or members of one object (duplicates count). */
  readonly maxEntries: number;
  /** Maximum length of one number token in characters (sign, digits, dot, exponent). */
  readonly maxNumberLength: number;
  /** Accept `NaN`, `Infinity`, `-Infinity` and floats that overflow to infinity (as Python does). */
  readonly allowNonFinite: boolean;
}

/**
 * Defaults sized for the API: the largest legitimate body (a paths request with an IOU) has
 * depth 2, a dozen keys and strings of at most 132 characters. `maxNumberLength` is 4300,
 * the limit of Python's int() on decimal strings (CVE-2020-10735), so an integer the
 * reference's json.loads accepts is accepted here too (and one it refuses is refused).
 */
export const DEFAULT_JSON_LIMITS: JsonLimits = {
  maxDepth: 32,
  maxStringLength: 65_536,
  maxEntries: 1_024,
  maxNumberLength: 4_300,
  allowNonFinite: true,
};

/** Why a text is not accepted: malformed JSON (`syntax`) or over one of the limits (`limit`). */
export interface JsonParseError {
  readonly kind: 'syntax' | 'limit';
  /** Offset in UTF-16 code units where the problem was found. */
  readonly offset: number;
  readonly message: string;
}

/** The outcome of a parse. */
export type JsonParseResult =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly error: JsonParseError };

/** Parses one JSON text (surrounding whitespace allowed, nothing else after the value). */
export function parseJson(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonParseResult {
  return new JsonParser(text, limits).parse();
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses a UTF-8 body. A leading byte-order mark is skipped (Python's json.loads on bytes
 * does the same); invalid UTF-8 is a syntax error. Python would also detect UTF-16/32
 * bodies; those are refused here as malformed, since no client sends them.
 */
export function parseJsonBytes(bytes: Uint8Array, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonParseResult {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, error: { kind: 'syntax', offset: 0, message: 'body is not valid UTF-8' } };
  }
  return parseJson(text, limits);
}

const FAIL: unique symbol = Symbol('json-fail');
type Parsed = JsonValue | typeof FAIL;

const CH_QUOTE = 0x22;
const CH_BACKSLASH = 0x5c;
const CH_MINUS = 0x2d;
const CH_DOT = 0x2e;
const CH_0 = 0x30;
const CH_9 = 0x39;

/** Recursive-descent parser; depth is bounded by `maxDepth`, so recursion is bounded too. */
class JsonParser {
  private pos = 0;
  private failure: JsonParseError | null = null;
  private readonly text: string;
  private readonly limits: JsonLimits;

  constructor(text: string, limits: JsonLimits) {
    this.text = text;
    this.limits = limits;
  }

  parse(): JsonParseResult {
    this.skipWhitespace();
    const value = this.value(0);
    if (value === FAIL) return { ok: false, error: this.failure! };
    this.skipWhitespace();
    if (this.pos !== this.text.length) {
      this.fail('syntax', 'extra data after the JSON value');
      return { ok: false, error: this.failure! };
    }
    return { ok: true, value };
  }

  private fail(kind: JsonParseError['kind'], message: string): typeof FAIL {
    this.failure = { kind, offset: this.pos, message };
    return FAIL;
  }

  private skipWhitespace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      // JSON whitespace only (space, tab, LF, CR), as in Python's json.
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) p++;
      else break;
    }
    this.pos = p;
  }

  private value(depth: number): Parsed {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.object(depth + 1);
      case 0x5b: // [
        return this.array(depth + 1);
      case CH_QUOTE:
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      case 0x4e: // N
        return this.nonFinite('NaN', NaN);
      case 0x49: // I
        return this.nonFinite('Infinity', Infinity);
      case CH_MINUS:
        if (this.text.charCodeAt(this.pos + 1) === 0x49) return this.nonFinite('-Infinity', -Infinity);
        return this.number();
      default:
        if (c >= CH_0 && c <= CH_9) return this.number();
        return this.fail('syntax', 'expecting a value');
    }
  }

  private literal(word: string, value: JsonValue): Parsed {
    if (!this.text.startsWith(word, this.pos)) return this.fail('syntax', 'expecting a value');
    this.pos += word.length;
    return value;
  }

  private nonFinite(word: string, value: number): Parsed {
    if (!this.text.startsWith(word, this.pos)) return this.fail('syntax', 'expecting a value');
    if (!this.limits.allowNonFinite) return this.fail('limit', `${word} is not accepted`);
    this.pos += word.length;
    return value;
  }

  private object(depth: number): Parsed {
    if (depth > this.limits.maxDepth) return this.fail('limit', `nesting deeper than ${this.limits.maxDepth}`);
    this.pos++; // {
    const out = new Map<string, JsonValue>();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    let entries = 0;
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== CH_QUOTE) return this.fail('syntax', 'expecting a property name');
      if (++entries > this.limits.maxEntries) {
        return this.fail('limit', `object with more than ${this.limits.maxEntries} members`);
      }
      const key = this.string();
      if (key === FAIL) return FAIL;
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) return this.fail('syntax', "expecting ':'");
      this.pos++;
      this.skipWhitespace();
      const item = this.value(depth);
      if (item === FAIL) return FAIL;
      out.set(key as string, item);
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x7d) {
        this.pos++;
        return out;
      } else {
        return this.fail('syntax', "expecting ',' or '}'");
      }
    }
  }

  private array(depth: number): Parsed {
    if (depth > this.limits.maxDepth) return this.fail('limit', `nesting deeper than ${this.limits.maxDepth}`);
    this.pos++; // [
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (out.length >= this.limits.maxEntries) {
        return this.fail('limit', `array with more than ${this.limits.maxEntries} elements`);
      }
      const item = this.value(depth);
      if (item === FAIL) return FAIL;
      out.push(item);
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x5d) {
        this.pos++;
        return out;
      } else {
        return this.fail('syntax', "expecting ',' or ']'");
      }
    }
  }

  private string(): Parsed {
    const t = this.text;
    const max = this.limits.maxStringLength;
    const start = ++this.pos; // after the opening quote
    let p = start;
    // Fast path: no escapes, so the value is a slice of the input.
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === CH_QUOTE) {
        this.pos = p + 1;
        return t.slice(start, p);
      }
      if (c === CH_BACKSLASH) break;
      if (Number.isNaN(c)) return this.failAt(p, 'syntax', 'unterminated string');
      // Python's json (strict mode) refuses raw control characters inside strings.
      if (c < 0x20) return this.failAt(p, 'syntax', 'control character in string');
      // p - start characters are already in the value; this one would exceed the limit.
      if (p - start >= max) return this.failAt(start, 'limit', `string longer than ${max}`);
      p++;
    }
    // Slow path: unescape piecewise.
    let out = t.slice(start, p);
    for (;;) {
      const c = t.charCodeAt(p);
      if (Number.isNaN(c)) return this.failAt(p, 'syntax', 'unterminated string');
      if (c === CH_QUOTE) {
        this.pos = p + 1;
        return out;
      }
      if (out.length >= max) return this.failAt(start, 'limit', `string longer than ${max}`);
      if (c < 0x20) return this.failAt(p, 'syntax', 'control character in string');
      if (c !== CH_BACKSLASH) {
        out += t[p];
        p++;
        continue;
      }
      const e = t[p + 1];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(p + 2, p + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) return this.failAt(p, 'syntax', 'invalid \\u escape');
          // Lone surrogates are kept, as Python's json does.
          out += String.fromCharCode(parseInt(hex, 16));
          p += 4;
          break;
        }
        default:
          return this.failAt(p, 'syntax', 'invalid escape');
      }
      p += 2;
    }
  }

  private failAt(offset: number, kind: JsonParseError['kind'], message: string): typeof FAIL {
    this.pos = offset;
    return this.fail(kind, message);
  }

  private number(): Parsed {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === CH_MINUS) p++;
    const first = t.charCodeAt(p);
    if (first === CH_0) p++;
    else if (first > CH_0 && first <= CH_9) p = this.skipDigits(p);
    else return this.fail('syntax', 'expecting a value');
    let isFloat = false;
    // A '.' or exponent that is not followed by digits is not part of the number (the
    // leftover character then fails the surrounding grammar), as in Python's scanner.
    if (t.charCodeAt(p) === CH_DOT && isDigit(t.charCodeAt(p + 1))) {
      p = this.skipDigits(p + 1);
      isFloat = true;
    }
    const e = t.charCodeAt(p);
    if (e === 0x65 || e === 0x45) {
      let q = p + 1;
      const s = t.charCodeAt(q);
      if (s === 0x2b || s === CH_MINUS) q++;
      if (isDigit(t.charCodeAt(q))) {
        p = this.skipDigits(q);
        isFloat = true;
      }
    }
    if (p - start > this.limits.maxNumberLength) {
      return this.fail('limit', `number longer than ${this.limits.maxNumberLength} characters`);
    }
    const token = t.slice(start, p);
    this.pos = p;
    if (!isFloat) return BigInt(token);
    const value = Number(token);
    if (!Number.isFinite(value) && !this.limits.allowNonFinite) {
      return this.failAt(start, 'limit', 'number overflows a double');
    }
    return value;
  }

  /** Advances over decimal digits; stops early once the token is over the length limit. */
  private skipDigits(p: number): number {
    const t = this.text;
    const stop = this.pos + this.limits.maxNumberLength + 1;
    while (p < stop && isDigit(t.charCodeAt(p))) p++;
    return p;
  }
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}
