import { createRequire } from 'node:module';
import { type Address, addressFromBytes, keccak256 } from '../domain/index.ts';
import { eip191Hash } from './packing.ts';

/**
 * Signer recovery for Raiden signatures (65 bytes r ‖ s ‖ v) with the native libsecp256k1
 * binding. Recovery is the costliest step of ingestion (about 80 µs native against several
 * milliseconds in pure JS), so the module refuses to run on the JS fallback: the plain
 * `secp256k1` entry silently falls back to `elliptic` when the prebuilt addon is missing.
 */

/** The part of the native binding this module uses. */
interface NativeSecp256k1 {
  ecdsaRecover(signature: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

function loadNative(): NativeSecp256k1 {
  const require = createRequire(import.meta.url);
  try {
    return require('secp256k1/bindings') as NativeSecp256k1;
  } catch (cause) {
    // A bug in the deployment, not an expected outcome: crash the actor loudly.
    throw new Error(
      'native secp256k1 bindings could not be loaded (prebuilt addon missing for this platform?); ' +
        'refusing to fall back to the slow JS implementation',
      { cause },
    );
  }
}

const native = loadNative();

/** Why a signature yielded no signer. */
export type SignatureError = 'bad_length' | 'bad_v' | 'unrecoverable';

/** Outcome of a recovery. */
export type RecoverResult =
  | { readonly ok: true; readonly address: Address }
  | { readonly ok: false; readonly reason: SignatureError };

/** Length of a Raiden signature in bytes. */
export const SIGNATURE_LENGTH = 65;

const SIGNATURE_HEX = /^0x[0-9a-fA-F]{130}$/;

/** Parses `0x` + 130 hex digits (any case) into 65 bytes; anything else is null. */
export function parseSignatureHex(input: unknown): Uint8Array | null {
  if (typeof input !== 'string' || !SIGNATURE_HEX.test(input)) return null;
  return Buffer.from(input.slice(2), 'hex');
}

/**
 * Recovers the address that produced `signature` over the 32-byte `hash`. As in raiden's
 * `recover`, v may be 0/1 or 27/28; any other v, a wrong length, or a point that does not
 * recover (r or s zero or not below the curve order) gives a reason instead of an address.
 * High-s signatures are accepted, as in the reference (eth_keys does not normalise s).
 */
export function recoverAddress(hash: Uint8Array, signature: Uint8Array): RecoverResult {
  if (signature.length !== SIGNATURE_LENGTH || hash.length !== 32) return { ok: false, reason: 'bad_length' };
  const v = signature[64]!;
  const recid = v >= 27 ? v - 27 : v;
  if (recid !== 0 && recid !== 1) return { ok: false, reason: 'bad_v' };
  let publicKey: Uint8Array;
  try {
    publicKey = native.ecdsaRecover(signature.subarray(0, 64), recid, hash, false);
  } catch {
    // The binding reports unparsable or unrecoverable signatures by throwing.
    return { ok: false, reason: 'unrecoverable' };
  }
  // Uncompressed key: 0x04 ‖ X ‖ Y; the address is the last 20 bytes of keccak(X ‖ Y).
  const digest = keccak256(publicKey.subarray(1));
  return { ok: true, address: addressFromBytes(digest.subarray(12)) };
}

/** Recovers the EIP-191 personal-sign signer of `data` (how every Raiden message is signed). */
export function recoverEip191Signer(data: Uint8Array, signature: Uint8Array): RecoverResult {
  return recoverAddress(eip191Hash(data), signature);
}

/** Why a Matrix user's displayname was refused (spec §8.2). */
export type DisplaynameError = 'bad_user_id' | 'bad_displayname_format' | 'bad_signature' | 'address_mismatch';

/** Outcome of a displayname check. */
export type DisplaynameResult =
  | { readonly ok: true; readonly address: Address }
  | { readonly ok: false; readonly reason: DisplaynameError };

// USERID_RE of raiden: ^@(0x[0-9a-f]{40})(?:\.[0-9a-f]{8})?(?::.+)?$ . Python's `.` is any
// character but `\n` (JS `.` also refuses \r, \u2028, \u2029) and its `$` also matches
// before one final `\n`; both are spelled out so the JS pattern accepts the same ids.
const USER_ID = /^@(0x[0-9a-f]{40})(?:\.[0-9a-f]{8})?(?::[^\n]+)?\n?$/;
// DISPLAY_NAME_HEX_RE would also match a trailing `\n`, but decode_hex then fails, so
// the reference refuses such names too.
const DISPLAYNAME_HEX = SIGNATURE_HEX;

const utf8 = new TextEncoder();

/** The address a Matrix user id claims (`@0x…[.xxxxxxxx][:server]`), or null. */
export function addressOfUserId(userId: string): Address | null {
  const m = USER_ID.exec(userId);
  return m === null ? null : (m[1] as Address);
}

/**
 * Checks a Matrix user's displayname (spec §8.2): the user id must name an address, and
 * the displayname must be `0x` + 130 hex, an EIP-191 signature of the UTF-8 user id made
 * by that address. Returns the address on success.
 */
export function verifyDisplayname(userId: string, displayname: unknown): DisplaynameResult {
  const address = addressOfUserId(userId);
  if (address === null) return { ok: false, reason: 'bad_user_id' };
  if (typeof displayname !== 'string' || !DISPLAYNAME_HEX.test(displayname)) {
    return { ok: false, reason: 'bad_displayname_format' };
  }
  const recovered = recoverEip191Signer(utf8.encode(userId), Buffer.from(displayname.slice(2), 'hex'));
  if (!recovered.ok) return { ok: false, reason: 'bad_signature' };
  if (recovered.address !== address) return { ok: false, reason: 'address_mismatch' };
  return { ok: true, address };
}
