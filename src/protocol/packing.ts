import { type Address, UINT256_MAX, UINT64_MAX, keccak256, writeAddressBytes } from '../domain/index.ts';
import type { FeeSchedule, PenaltyPoint } from '../graph/index.ts';

/**
 * The byte layouts that Raiden signs (spec §2.4, §5.1, §6.2) and the EIP-191 hash over
 * them. Everything is big-endian. A value that does not fit its field (the reference's
 * `int.to_bytes` would raise OverflowError) is reported as an `Unpackable` value naming
 * the field, never thrown: such a message can never be verified.
 */

/** A field that does not fit its packed width. */
export interface Unpackable {
  readonly kind: 'unpackable';
  readonly field: string;
}

/** True when a packing result is the `Unpackable` value. */
export function isUnpackable(result: Uint8Array | Unpackable): result is Unpackable {
  return !(result instanceof Uint8Array);
}

/** The fields of a PFSCapacityUpdate that are signed (spec §6.2). */
export interface CapacityUpdateFields {
  readonly chainId: bigint;
  readonly tokenNetwork: Address;
  readonly channelId: bigint;
  readonly updating: Address;
  readonly other: Address;
  readonly updatingNonce: bigint;
  readonly otherNonce: bigint;
  readonly updatingCapacity: bigint;
  readonly otherCapacity: bigint;
  readonly revealTimeout: bigint;
}

/** The fields of a PFSFeeUpdate that are signed (spec §6.2). */
export interface FeeUpdateFields {
  readonly chainId: bigint;
  readonly tokenNetwork: Address;
  readonly channelId: bigint;
  readonly updating: Address;
  readonly schedule: FeeSchedule;
  /** Canonical `isoformat()` text of the naive timestamp (see naive-timestamp.ts). */
  readonly timestamp: string;
}

/** The fields of an IOU that are signed (spec §5.1). */
export interface IouFields {
  readonly oneToN: Address;
  readonly chainId: bigint;
  readonly sender: Address;
  readonly receiver: Address;
  readonly amount: bigint;
  readonly claimableUntil: bigint;
}

/** Length of the packed PFSCapacityUpdate. */
export const CAPACITY_UPDATE_PACKED_LENGTH = 236;
/** Length of the packed PFSFeeUpdate without its RLP and timestamp parts. */
export const FEE_UPDATE_FIXED_LENGTH = 169;
/** Length of the packed IOU. */
export const IOU_PACKED_LENGTH = 188;
/** `MessageTypeId.IOU` of raiden-contracts, packed into every IOU. */
export const IOU_MESSAGE_TYPE_ID = 5n;

const utf8 = new TextEncoder();

/**
 * Writes an unsigned value as `width` (a multiple of 8) big-endian bytes into a zeroed
 * buffer; false when it does not fit. 64-bit words from the low end, so small values (ids,
 * nonces) cost one write and no string conversion.
 */
function writeUint(out: Buffer, at: number, value: bigint, width: number, max: bigint): boolean {
  if (value < 0n || value > max) return false;
  let rest = value;
  for (let end = at + width; rest !== 0n; end -= 8) {
    out.writeBigUInt64BE(BigInt.asUintN(64, rest), end - 8);
    rest >>= 64n;
  }
  return true;
}

function writeAddress(out: Buffer, at: number, address: Address): void {
  writeAddressBytes(address, out, at); // canonical lower case: no slice, no hex decoder
}

function unpackable(field: string): Unpackable {
  return { kind: 'unpackable', field };
}

/** The 236 signed bytes of a PFSCapacityUpdate; nonces are uint64 (8 bytes). */
export function packCapacityUpdate(m: CapacityUpdateFields): Uint8Array | Unpackable {
  const out = Buffer.alloc(CAPACITY_UPDATE_PACKED_LENGTH);
  if (!writeUint(out, 0, m.chainId, 32, UINT256_MAX)) return unpackable('chain_identifier');
  writeAddress(out, 32, m.tokenNetwork);
  if (!writeUint(out, 52, m.channelId, 32, UINT256_MAX)) return unpackable('channel_identifier');
  writeAddress(out, 84, m.updating);
  writeAddress(out, 104, m.other);
  if (!writeUint(out, 124, m.updatingNonce, 8, UINT64_MAX)) return unpackable('updating_nonce');
  if (!writeUint(out, 132, m.otherNonce, 8, UINT64_MAX)) return unpackable('other_nonce');
  if (!writeUint(out, 140, m.updatingCapacity, 32, UINT256_MAX)) return unpackable('updating_capacity');
  if (!writeUint(out, 172, m.otherCapacity, 32, UINT256_MAX)) return unpackable('other_capacity');
  if (!writeUint(out, 204, m.revealTimeout, 32, UINT256_MAX)) return unpackable('reveal_timeout');
  return out;
}

/**
 * The signed bytes of a PFSFeeUpdate: ids, cap_fees as one byte, flat and proportional
 * as uint256, RLP of the penalty curve (or of 0), then the timestamp text in UTF-8.
 */
export function packFeeUpdate(m: FeeUpdateFields): Uint8Array | Unpackable {
  const rlp = rlpEncodePenalty(m.schedule.imbalancePenalty);
  if (isUnpackable(rlp)) return rlp;
  const timestamp = utf8.encode(m.timestamp);
  const out = Buffer.alloc(FEE_UPDATE_FIXED_LENGTH + rlp.length + timestamp.length);
  if (!writeUint(out, 0, m.chainId, 32, UINT256_MAX)) return unpackable('chain_identifier');
  writeAddress(out, 32, m.tokenNetwork);
  if (!writeUint(out, 52, m.channelId, 32, UINT256_MAX)) return unpackable('channel_identifier');
  writeAddress(out, 84, m.updating);
  out[104] = m.schedule.capFees ? 1 : 0;
  if (!writeUint(out, 105, m.schedule.flat, 32, UINT256_MAX)) return unpackable('flat');
  if (!writeUint(out, 137, m.schedule.proportional, 32, UINT256_MAX)) return unpackable('proportional');
  out.set(rlp, FEE_UPDATE_FIXED_LENGTH);
  out.set(timestamp, FEE_UPDATE_FIXED_LENGTH + rlp.length);
  return out;
}

/** The 188 signed bytes of an IOU (`sign_one_to_n_iou` of raiden-contracts). */
export function packIou(iou: IouFields): Uint8Array | Unpackable {
  const out = Buffer.alloc(IOU_PACKED_LENGTH);
  writeAddress(out, 0, iou.oneToN);
  if (!writeUint(out, 20, iou.chainId, 32, UINT256_MAX)) return unpackable('chain_id');
  writeUint(out, 52, IOU_MESSAGE_TYPE_ID, 32, UINT256_MAX);
  writeAddress(out, 84, iou.sender);
  writeAddress(out, 104, iou.receiver);
  if (!writeUint(out, 124, iou.amount, 32, UINT256_MAX)) return unpackable('amount');
  if (!writeUint(out, 156, iou.claimableUntil, 32, UINT256_MAX)) return unpackable('claimable_until');
  return out;
}

/** On-chain session id of an IOU: keccak256(receiver ‖ sender ‖ uint256 claimable_until). */
export function iouSessionId(receiver: Address, sender: Address, claimableUntil: bigint): Uint8Array | Unpackable {
  const out = Buffer.alloc(72);
  writeAddress(out, 0, receiver);
  writeAddress(out, 20, sender);
  if (!writeUint(out, 40, claimableUntil, 32, UINT256_MAX)) return unpackable('claimable_until');
  return keccak256(out);
}

/**
 * What a client signs to read its last IOU (GET payment/iou, spec §2.4): sender ‖
 * receiver ‖ the timestamp string exactly as sent, UTF-8. Always packable.
 */
export function packIouRequest(sender: Address, receiver: Address, timestamp: string): Uint8Array {
  const text = utf8.encode(timestamp);
  const out = Buffer.alloc(40 + text.length);
  writeAddress(out, 0, sender);
  writeAddress(out, 20, receiver);
  out.set(text, 40);
  return out;
}

const EIP191_PREFIX = '\x19Ethereum Signed Message:\n';

/** EIP-191 personal-sign hash: keccak256("\x19Ethereum Signed Message:\n" + len + data). */
export function eip191Hash(data: Uint8Array): Uint8Array {
  const prefix = utf8.encode(EIP191_PREFIX + String(data.length));
  const buf = Buffer.allocUnsafe(prefix.length + data.length);
  buf.set(prefix, 0);
  buf.set(data, prefix.length);
  return keccak256(buf);
}

// ---- RLP (only what the fee update needs: integers and lists of them) ----

const RLP_ZERO = Uint8Array.of(0x80);

/** Minimal big-endian bytes of a non-negative integer (0 is the empty string). */
function minimalBytes(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  if (value <= 0xffffffffffffn) {
    // up to 6 bytes (lengths, most amounts of a fee schedule): no hex string
    const x = Number(value);
    const n = x < 0x100 ? 1 : x < 0x10000 ? 2 : x < 0x1000000 ? 3 : x < 0x100000000 ? 4 : x < 0x10000000000 ? 5 : 6;
    const out = Buffer.allocUnsafe(n);
    out.writeUIntBE(x, 0, n);
    return out;
  }
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

/** RLP header for a string (0x80) or list (0xc0) payload of `length` bytes. */
function rlpHeader(offset: 0x80 | 0xc0, length: number): Uint8Array {
  if (length <= 55) return Uint8Array.of(offset + length);
  const lenBytes = minimalBytes(BigInt(length));
  const out = new Uint8Array(1 + lenBytes.length);
  out[0] = offset + 55 + lenBytes.length;
  out.set(lenBytes, 1);
  return out;
}

/** RLP of a non-negative integer, as pyrlp's `big_endian_int` sedes writes it. */
export function rlpEncodeUint(value: bigint): Uint8Array | Unpackable {
  if (value < 0n) return unpackable('rlp_integer');
  if (value === 0n) return RLP_ZERO;
  const bytes = minimalBytes(value);
  if (bytes.length === 1 && bytes[0]! < 0x80) return bytes;
  return concat([rlpHeader(0x80, bytes.length), bytes]);
}

/**
 * `rlp.encode(imbalance_penalty or 0)`: a list of 2-item lists of integers, or the
 * integer 0 (`0x80`) when the curve is absent or empty.
 */
export function rlpEncodePenalty(points: readonly PenaltyPoint[] | null): Uint8Array | Unpackable {
  if (points === null || points.length === 0) return RLP_ZERO;
  const items: Uint8Array[] = [];
  for (const [x, y] of points) {
    const ex = rlpEncodeUint(x);
    if (isUnpackable(ex)) return unpackable('imbalance_penalty');
    const ey = rlpEncodeUint(y);
    if (isUnpackable(ey)) return unpackable('imbalance_penalty');
    items.push(rlpHeader(0xc0, ex.length + ey.length), ex, ey);
  }
  const payload = concat(items);
  return concat([rlpHeader(0xc0, payload.length), payload]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
