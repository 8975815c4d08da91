import { jsonLimitExceeded, jsonPayloadExpected, malformedJson, type ApiError } from './errors.ts';
import { DEFAULT_JSON_LIMITS, parseJsonBytes, type JsonLimits, type JsonValue } from './json.ts';

/** A POST body accepted as JSON, or the error answer the reference would give. */
export type JsonBodyResult = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly error: ApiError };

/**
 * Werkzeug 2.0's `Request.is_json`: the media type (before any `;` parameters, any letter
 * case) is `application/json` or `application/<something>+json`.
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  const mt = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return mt === 'application/json' || (mt.startsWith('application/') && mt.endsWith('+json'));
}

/**
 * Reads a POST body the way the reference's `_parse_post` does (spec §2.1):
 * 1. content type not JSON -> 400 code 0 "JSON payload expected";
 * 2. malformed JSON -> Werkzeug's 400 BadRequest `{"message": ...}`; over one of our parser
 *    limits -> 400 code 0 with the reason (the reference has no limits);
 * 3. a falsy value (`{}`, `[]`, `null`, `false`, `0`, `0.0`, `""`) -> "JSON payload expected".
 * Any other value, including a non-object such as `1` or `"x"`, goes on to the schema,
 * which answers 2000 `{"_schema": ["Invalid input type."]}` as marshmallow does.
 */
export function readJsonBody(
  contentType: string | undefined,
  body: Uint8Array,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): JsonBodyResult {
  if (!isJsonContentType(contentType)) return { ok: false, error: jsonPayloadExpected() };
  const parsed = parseJsonBytes(body, limits);
  if (!parsed.ok) {
    const error = parsed.error.kind === 'syntax' ? malformedJson() : jsonLimitExceeded(parsed.error.message);
    return { ok: false, error };
  }
  if (!pythonTruthy(parsed.value)) return { ok: false, error: jsonPayloadExpected() };
  return { ok: true, value: parsed.value };
}

/** Python's truthiness of a parsed JSON value (`if not json:` in the reference). NaN is truthy. */
export function pythonTruthy(value: JsonValue): boolean {
  if (value === null) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'string':
      return value.length > 0;
    case 'bigint':
      return value !== 0n;
    case 'number':
      return value !== 0; // NaN !== 0: truthy, as in Python
    default:
      break;
  }
  if (Array.isArray(value)) return value.length > 0;
  return (value as ReadonlyMap<string, JsonValue>).size > 0;
}
