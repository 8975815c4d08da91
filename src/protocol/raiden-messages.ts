import {
  type Address,
  UINT256_MAX,
  UINT64_MAX,
  ZERO_ADDRESS,
  parseAddressAnyCase,
  parseUintDecimal,
} from '../domain/index.ts';
import {
  DEFAULT_FEE_SCHEDULE,
  type FeeSchedule,
  MAX_PENALTY_POINTS,
  type PenaltyPoint,
  makeFeeSchedule,
} from '../graph/index.ts';
import { parseNaiveTimestamp } from './naive-timestamp.ts';
import type { CapacityUpdateFields, FeeUpdateFields } from './packing.ts';
import { parseSignatureHex } from './signatures.ts';

/**
 * Decoding of one Raiden message line (spec §6.1), following raiden's MessageSerializer:
 * a JSON object whose `type` names the message; integers are decimal strings, addresses
 * 0x-hex in any case, unknown keys ignored. Nothing is verified here (see validation.ts).
 *
 * Deliberately stricter than marshmallow where no Raiden client differs: integers must be
 * decimal-digit strings (marshmallow would also take JSON numbers, signs, spaces and `_`),
 * addresses need the `0x` prefix, `cap_fees` must be a JSON boolean, and the signature
 * must be exactly `0x` + 130 hex. Every such message would be dropped by the reference
 * too, or could only come from a hand-made client.
 */

/** A decoded, unverified PFSCapacityUpdate. */
export interface DecodedCapacityUpdate extends CapacityUpdateFields {
  readonly kind: 'capacity_update';
  /** Up to 100 digits: may exceed uint256; validation refuses it (§6.3 step 1). */
  readonly chainId: bigint;
  /** Up to 100 digits: may exceed uint256; validation refuses it (§6.3 step 3). */
  readonly updatingCapacity: bigint;
  /** Up to 100 digits: may exceed uint256; validation refuses it (§6.3 step 3). */
  readonly otherCapacity: bigint;
  readonly signature: Uint8Array;
}

/** A decoded, unverified PFSFeeUpdate. */
export interface DecodedFeeUpdate extends FeeUpdateFields {
  readonly kind: 'fee_update';
  /** Canonical `isoformat()` of the naive timestamp: the signed text. */
  readonly timestamp: string;
  /** `YYYY-MM-DDTHH:MM:SS.ffffff`, what the token network stores and compares. */
  readonly sortableTimestamp: string;
  readonly signature: Uint8Array;
}

/** Result of decoding one line. `other` is any other message type, which callers ignore. */
export type DecodedMessage =
  | DecodedCapacityUpdate
  | DecodedFeeUpdate
  | { readonly kind: 'other'; readonly type: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Log text of the reference for a line that does not decode (raiden_libs/matrix.py). */
export const INVALID_MESSAGE_LOG = 'Message data JSON is not a valid message';

// Values up to 100 decimal digits are decoded exactly (parseUintDecimal refuses longer
// strings before any BigInt work); the validator then applies the real bounds.
const UNBOUNDED = 10n ** 100n;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NO_SIGNATURE = new Uint8Array(0);

/**
 * Reads fields and keeps the first problem as a value. On a problem a getter returns a
 * placeholder so the field list reads straight; the decoder checks `error` before it
 * builds a result, so placeholders never escape.
 */
class FieldReader {
  error: string | null = null;

  fail(reason: string): void {
    this.error ??= reason;
  }

  field(obj: Json, key: string): unknown {
    if (!Object.hasOwn(obj, key)) {
      this.fail(`missing field ${key}`);
      return undefined;
    }
    return obj[key];
  }

  uint(obj: Json, key: string, max: bigint): bigint {
    const value = parseUintDecimal(this.field(obj, key), max);
    if (value === null) this.fail(`${key} is not a decimal string within range`);
    return value ?? 0n;
  }

  address(obj: Json, key: string): Address {
    const value = parseAddressAnyCase(this.field(obj, key));
    if (value === null) this.fail(`${key} is not an address`);
    return value ?? ZERO_ADDRESS;
  }

  signature(obj: Json): Uint8Array {
    const value = parseSignatureHex(this.field(obj, 'signature'));
    if (value === null) this.fail('signature is not 0x + 130 hex');
    return value ?? NO_SIGNATURE;
  }

  object(obj: Json, key: string): Json {
    const value = this.field(obj, key);
    if (isObject(value)) return value;
    this.fail(`${key} is not an object`);
    return {};
  }
}

interface CanonicalIdentifier {
  readonly chainId: bigint;
  readonly tokenNetwork: Address;
  readonly channelId: bigint;
}

function canonicalIdentifier(r: FieldReader, obj: Json): CanonicalIdentifier {
  const ci = r.object(obj, 'canonical_identifier');
  return {
    chainId: r.uint(ci, 'chain_identifier', UNBOUNDED),
    tokenNetwork: r.address(ci, 'token_network_address'),
    // Channel ids are uint256 on chain; a larger one cannot be packed, so it could never
    // verify (the reference crashes computing the sender).
    channelId: r.uint(ci, 'channel_identifier', UINT256_MAX),
  };
}

function decodeCapacityUpdate(obj: Json): DecodedMessage {
  const r = new FieldReader();
  const ci = canonicalIdentifier(r, obj);
  const message: DecodedCapacityUpdate = {
    kind: 'capacity_update',
    chainId: ci.chainId,
    tokenNetwork: ci.tokenNetwork,
    channelId: ci.channelId,
    updating: r.address(obj, 'updating_participant'),
    other: r.address(obj, 'other_participant'),
    // Nonces are packed as uint64 (spec §6.2).
    updatingNonce: r.uint(obj, 'updating_nonce', UINT64_MAX),
    otherNonce: r.uint(obj, 'other_nonce', UINT64_MAX),
    updatingCapacity: r.uint(obj, 'updating_capacity', UNBOUNDED),
    otherCapacity: r.uint(obj, 'other_capacity', UNBOUNDED),
    revealTimeout: r.uint(obj, 'reveal_timeout', UINT256_MAX),
    signature: r.signature(obj),
  };
  return r.error === null ? message : invalid('PFSCapacityUpdate', r.error);
}

function penaltyPoints(r: FieldReader, value: unknown): PenaltyPoint[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) {
    r.fail('imbalance_penalty is not a list');
    return null;
  }
  // Bounded before parsing so a huge list costs nothing; makeFeeSchedule has the same cap.
  if (value.length > MAX_PENALTY_POINTS) {
    r.fail('imbalance_penalty has too many points');
    return null;
  }
  const points: PenaltyPoint[] = [];
  for (const item of value as unknown[]) {
    const x = Array.isArray(item) && item.length === 2 ? parseUintDecimal(item[0], UNBOUNDED) : null;
    const y = Array.isArray(item) && item.length === 2 ? parseUintDecimal(item[1], UNBOUNDED) : null;
    if (x === null || y === null) {
      r.fail('imbalance_penalty point is not a pair of decimal strings');
      return null;
    }
    points.push([x, y]);
  }
  return points;
}

/**
 * FeeScheduleState's fields all have defaults (cap_fees true, flat 0, proportional 0, no
 * curve), so marshmallow fills in missing keys; only imbalance_penalty may be null.
 */
function feeSchedule(r: FieldReader, obj: Json): FeeSchedule {
  const fs = r.object(obj, 'fee_schedule');
  let capFees = true;
  if (Object.hasOwn(fs, 'cap_fees')) {
    const value = fs['cap_fees'];
    if (typeof value === 'boolean') capFees = value;
    else r.fail('cap_fees is not a boolean');
  }
  const flat = Object.hasOwn(fs, 'flat') ? r.uint(fs, 'flat', UNBOUNDED) : 0n;
  const proportional = Object.hasOwn(fs, 'proportional') ? r.uint(fs, 'proportional', UNBOUNDED) : 0n;
  const imbalancePenalty = Object.hasOwn(fs, 'imbalance_penalty') ? penaltyPoints(r, fs['imbalance_penalty']) : null;
  const schedule = makeFeeSchedule({ capFees, flat, proportional, imbalancePenalty });
  if (typeof schedule !== 'string') return schedule;
  r.fail(`fee_schedule: ${schedule}`);
  return DEFAULT_FEE_SCHEDULE;
}

function decodeFeeUpdate(obj: Json): DecodedMessage {
  const r = new FieldReader();
  const ci = canonicalIdentifier(r, obj);
  const updating = r.address(obj, 'updating_participant');
  const schedule = feeSchedule(r, obj);
  const ts = parseNaiveTimestamp(r.field(obj, 'timestamp'));
  if (ts === 'timezone') {
    // NaiveDateTime refuses aware values at deserialisation (spec §6.1, §10.5).
    r.fail('timestamp carries a timezone (Timestamp of Fee Update should not contain timezone)');
  } else if (typeof ts === 'string') {
    r.fail(`timestamp is not a naive ISO datetime (${ts})`);
  }
  const sig = r.signature(obj);
  if (r.error !== null || typeof ts === 'string') return invalid('PFSFeeUpdate', r.error ?? 'timestamp');
  return {
    kind: 'fee_update',
    chainId: ci.chainId,
    tokenNetwork: ci.tokenNetwork,
    channelId: ci.channelId,
    updating,
    schedule,
    timestamp: ts.iso,
    sortableTimestamp: ts.sortable,
    signature: sig,
  };
}

function invalid(type: string, reason: string): DecodedMessage {
  return { kind: 'invalid', reason: `${type}: ${reason}` };
}

/**
 * Decodes one line (already split and stripped, see message-lines.ts). Never throws:
 * bad JSON, a missing `type`, wrong field types or out-of-range numbers give `invalid`.
 */
export function decodeRaidenMessage(line: string): DecodedMessage {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (!isObject(json)) return { kind: 'invalid', reason: 'JSON is not an object' };
  const type = json['type'];
  if (typeof type !== 'string') return { kind: 'invalid', reason: "no 'type' attribute in message" };
  if (type === 'PFSCapacityUpdate') return decodeCapacityUpdate(json);
  if (type === 'PFSFeeUpdate') return decodeFeeUpdate(json);
  return { kind: 'other', type };
}
