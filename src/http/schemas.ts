import { parseChecksummedAddress, UINT256_MAX, type Address } from '../domain/index.ts';
import {
  invalidAddress,
  invalidRequest,
  invalidTokenNetwork,
  type EnvelopeError,
  type ValidationNode,
} from './errors.ts';
import {
  addressListField,
  booleanField,
  checksumAddressField,
  floatField,
  hexBytesField,
  integerField,
  MESSAGES,
  naiveDateTimeField,
  rangeMessage,
  uuidField,
  type FieldOutcome,
  type NaiveDateTime,
} from './fields.ts';
import type { IouFields } from './iou-json.ts';
import type { JsonObject, JsonValue } from './json.ts';

/*
 * The request schemas of the reference (spec §2.3-§2.5, §5.1), reproducing marshmallow
 * 3.18's behaviour: required fields, `unknown=RAISE`, null handling, nested errors. Our
 * deliberate differences, each where the reference crashes or would accept nonsense:
 *
 * - IOU `sender`/`receiver`/`one_to_n_address`/`signature`, GET iou `signature` and feedback
 *   `path` are required (the reference crashes with 500 when they are missing, spec §5.1).
 * - A signature that is not even-length hex is "Not a valid hex string." (reference: 500).
 * - `value` must also be at most 2^256-1 ("Must be less than or equal to <max>."); the
 *   message for values below 1 is the reference's. IOU `amount`, `claimable_until` and
 *   `chain_id` must be within 0 ... 2^256-1 (the reference accepts any int and fails later
 *   when packing uint256s for the signature check).
 * - `diversity_penalty` / `fee_penalty` below 0 are "Must be greater than or equal to 0."
 *   (the reference has no range check, and a negative penalty makes networkx raise on
 *   negative weights, a 500). Non-finite values are refused by marshmallow itself.
 *
 * Key order of `error_details`: declared field order, then unknown keys in input order.
 * The reference's order is Python set order, randomised per process (PYTHONHASHSEED), so
 * no client can depend on it.
 */

/** Default number of routes (DEFAULT_MAX_PATHS). */
export const DEFAULT_MAX_PATHS = 5;
/** Upper bound of `max_paths` (MAX_PATHS_PER_REQUEST). */
export const MAX_PATHS_PER_REQUEST = 25;
/** Diversity penalty used when the request has none or null (DIVERSITY_PEN_DEFAULT). */
export const DEFAULT_DIVERSITY_PENALTY = 5;
/** Fee penalty used when the request has none or null (FEE_PEN_DEFAULT). */
export const DEFAULT_FEE_PENALTY = 100;

/** A validated request or the 2000 answer with marshmallow's message dict. */
export type SchemaResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EnvelopeError };

/** A validated URL argument or its error (2003 / 2006). */
export type ArgumentResult = { readonly ok: true; readonly value: Address } | { readonly ok: false; readonly error: EnvelopeError };

/** A validated POST /paths body (spec §2.3), defaults applied. */
export interface PathsRequest {
  readonly from: Address;
  readonly to: Address;
  /** 1 ... 2^256-1 */
  readonly value: bigint;
  /** 1 ... 25 */
  readonly maxPaths: number;
  readonly iou: IouFields | null;
  /** Finite, >= 0; 5 when absent or null. */
  readonly diversityPenalty: number;
  /** Finite, >= 0; 100 when absent or null. */
  readonly feePenalty: number;
}

/** A validated POST /feedback body (spec §2.5). */
export interface FeedbackRequest {
  /** 32 lower-case hex digits (uuid.hex). */
  readonly token: string;
  readonly success: boolean;
  readonly path: readonly Address[];
}

/** A validated GET /payment/iou query (spec §2.4). */
export interface IouQuery {
  readonly sender: Address;
  readonly receiver: Address;
  readonly timestamp: NaiveDateTime;
  /** Even-length hex decoded; length and recovery are checked by the caller (2001). */
  readonly signature: Uint8Array;
}

/** Collects field errors in marshmallow's shape while reading one object. */
class ObjectReader {
  readonly errors = new Map<string, ValidationNode>();
  private readonly input: JsonObject;

  constructor(input: JsonObject) {
    this.input = input;
  }

  /**
   * Reads one field: missing -> "Missing data for required field." if required, else
   * undefined; null -> null if allowed, else "Field may not be null."; otherwise the
   * deserialiser's value or its error. Returns undefined whenever an error was recorded.
   */
  read<T>(key: string, parse: (v: JsonValue) => FieldOutcome<T>, required: boolean, allowNull: boolean): T | null | undefined {
    const raw = this.input.get(key);
    if (raw === undefined) {
      if (required) this.errors.set(key, [MESSAGES.missing]);
      return undefined;
    }
    if (raw === null) {
      if (allowNull) return null;
      this.errors.set(key, [MESSAGES.null]);
      return undefined;
    }
    const r = parse(raw);
    if (r.ok) return r.value;
    this.errors.set(key, r.error);
    return undefined;
  }

  /** Records a validator failure (marshmallow runs validators after deserialising). */
  fail(key: string, message: string): void {
    this.errors.set(key, [message]);
  }

  /** "Unknown field." for every key not declared, in input order. */
  rejectUnknown(known: ReadonlySet<string>): void {
    for (const key of this.input.keys()) if (!known.has(key)) this.errors.set(key, [MESSAGES.unknown]);
  }
}

function isObject(v: JsonValue): v is JsonObject {
  return v instanceof Map;
}

const PATHS_KEYS: ReadonlySet<string> = new Set(['from', 'to', 'value', 'max_paths', 'iou', 'diversity_penalty', 'fee_penalty']);

/** Validates a POST /paths body (already through readJsonBody). */
export function parsePathsRequest(body: JsonValue): SchemaResult<PathsRequest> {
  if (!isObject(body)) return { ok: false, error: invalidRequest(schemaTypeErrors()) };
  const r = new ObjectReader(body);
  const from = r.read('from', checksumAddressField, true, false);
  const to = r.read('to', checksumAddressField, true, false);
  const value = r.read('value', integerField, true, false);
  if (typeof value === 'bigint') {
    if (value < 1n) r.fail('value', rangeMessage(1, null));
    else if (value > UINT256_MAX) r.fail('value', rangeMessage(null, UINT256_MAX));
  }
  const maxPaths = r.read('max_paths', integerField, false, false);
  if (typeof maxPaths === 'bigint' && (maxPaths < 1n || maxPaths > BigInt(MAX_PATHS_PER_REQUEST))) {
    r.fail('max_paths', rangeMessage(1, MAX_PATHS_PER_REQUEST));
  }
  const iou = r.read('iou', iouField, false, true);
  const diversityPenalty = readPenalty(r, 'diversity_penalty');
  const feePenalty = readPenalty(r, 'fee_penalty');
  r.rejectUnknown(PATHS_KEYS);
  if (r.errors.size > 0) return { ok: false, error: invalidRequest(r.errors) };
  return {
    ok: true,
    value: {
      from: from!,
      to: to!,
      value: value!,
      maxPaths: maxPaths == null ? DEFAULT_MAX_PATHS : Number(maxPaths),
      iou: iou ?? null,
      diversityPenalty: diversityPenalty ?? DEFAULT_DIVERSITY_PENALTY,
      feePenalty: feePenalty ?? DEFAULT_FEE_PENALTY,
    },
  };
}

function readPenalty(r: ObjectReader, key: string): number | null | undefined {
  const v = r.read(key, floatField, false, true);
  if (typeof v === 'number' && v < 0) {
    r.fail(key, rangeMessage(0, null));
    return undefined;
  }
  return v;
}

const IOU_KEYS: ReadonlySet<string> = new Set([
  'sender',
  'receiver',
  'amount',
  'claimable_until',
  'one_to_n_address',
  'chain_id',
  'signature',
  'claimed',
]);

function readUint256(r: ObjectReader, key: string): bigint | undefined {
  const v = r.read(key, integerField, true, false);
  if (typeof v !== 'bigint') return undefined;
  if (v < 0n || v > UINT256_MAX) {
    r.fail(key, rangeMessage(0, UINT256_MAX));
    return undefined;
  }
  return v;
}

/**
 * The nested IOU object (spec §5.1); its errors nest under "iou". A non-object is
 * `{"_schema": ["Invalid input type."]}`. `claimed` is accepted (bool or null) and kept
 * as sent; the payment code stores IOUs with claimed = false regardless.
 */
export function iouField(v: JsonValue): FieldOutcome<IouFields> {
  if (!isObject(v)) return { ok: false, error: schemaTypeErrors() };
  const r = new ObjectReader(v);
  const sender = r.read('sender', checksumAddressField, true, false);
  const receiver = r.read('receiver', checksumAddressField, true, false);
  const amount = readUint256(r, 'amount');
  const claimableUntil = readUint256(r, 'claimable_until');
  const oneToNAddress = r.read('one_to_n_address', checksumAddressField, true, false);
  const chainId = readUint256(r, 'chain_id');
  const signature = r.read('signature', hexBytesField, true, false);
  const claimed = r.read('claimed', booleanField, false, true);
  r.rejectUnknown(IOU_KEYS);
  if (r.errors.size > 0) return { ok: false, error: r.errors };
  return {
    ok: true,
    value: {
      sender: sender!,
      receiver: receiver!,
      amount: amount!,
      claimableUntil: claimableUntil!,
      oneToNAddress: oneToNAddress!,
      chainId: chainId!,
      signature: signature!,
      claimed: claimed ?? null,
    },
  };
}

const FEEDBACK_KEYS: ReadonlySet<string> = new Set(['token', 'success', 'path']);

/** Validates a POST /feedback body (already through readJsonBody). */
export function parseFeedbackRequest(body: JsonValue): SchemaResult<FeedbackRequest> {
  if (!isObject(body)) return { ok: false, error: invalidRequest(schemaTypeErrors()) };
  const r = new ObjectReader(body);
  const token = r.read('token', uuidField, true, false);
  const success = r.read('success', booleanField, true, false);
  const path = r.read('path', addressListField, true, false);
  r.rejectUnknown(FEEDBACK_KEYS);
  if (r.errors.size > 0) return { ok: false, error: invalidRequest(r.errors) };
  return { ok: true, value: { token: token!, success: success!, path: path! } };
}

const IOU_QUERY_KEYS: ReadonlySet<string> = new Set(['sender', 'receiver', 'timestamp', 'signature']);

/**
 * Validates the GET /payment/iou query. `params` are the decoded query pairs in order; for
 * a repeated name the first value counts (Werkzeug's MultiDict, as marshmallow reads it).
 */
export function parseIouQuery(params: Iterable<readonly [string, string]>): SchemaResult<IouQuery> {
  const first = new Map<string, JsonValue>();
  for (const [k, v] of params) if (!first.has(k)) first.set(k, v);
  const r = new ObjectReader(first);
  const sender = r.read('sender', checksumAddressField, true, false);
  const receiver = r.read('receiver', checksumAddressField, true, false);
  const timestamp = r.read('timestamp', naiveDateTimeField, true, false);
  const signature = r.read('signature', hexBytesField, true, false);
  r.rejectUnknown(IOU_QUERY_KEYS);
  if (r.errors.size > 0) return { ok: false, error: invalidRequest(r.errors) };
  return { ok: true, value: { sender: sender!, receiver: receiver!, timestamp: timestamp!, signature: signature! } };
}

/** marshmallow's answer to a non-object where a schema is expected. */
function schemaTypeErrors(): Map<string, ValidationNode> {
  return new Map([['_schema', [MESSAGES.schemaType]]]);
}

/** The token network URL argument (paths, feedback, suggest_partner): checksummed or 2003. */
export function parseTokenNetworkArgument(raw: string): ArgumentResult {
  const address = parseChecksummedAddress(raw);
  return address === null ? { ok: false, error: invalidTokenNetwork(raw) } : { ok: true, value: address };
}

/** The metadata endpoint's address argument: checksummed or 2006. */
export function parseAddressArgument(raw: string): ArgumentResult {
  const address = parseChecksummedAddress(raw);
  return address === null ? { ok: false, error: invalidAddress(raw) } : { ok: true, value: address };
}
