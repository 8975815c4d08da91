import { keccak256 } from './keccak.ts';

/**
 * An Ethereum address in canonical internal form: `0x` + 40 lower-case hex digits.
 * Lexicographic order of this string equals the order of the raw 20 bytes, which is
 * the order the reference uses to sort channel participants (spec §3.1).
 */
export type Address = string & { readonly __brand: 'Address' };

const LOWER_HEX_40 = /^0x[0-9a-f]{40}$/;
const ANY_HEX_40 = /^0x[0-9a-fA-F]{40}$/;

/** Parses an address in any letter case (Raiden messages, event log, chain logs). */
export function parseAddressAnyCase(input: unknown): Address | null {
  if (typeof input !== 'string' || !ANY_HEX_40.test(input)) return null;
  return input.toLowerCase() as Address;
}

/** Treats an already-normalised lower-case string as an Address (checked). */
export function asAddress(lower: string): Address {
  if (!LOWER_HEX_40.test(lower)) throw new Error(`not a lower-case address: ${lower}`);
  return lower as Address;
}

/**
 * EIP-55 checksum form. Pure function of the address, so results are memoised in a
 * bounded cache: route answers repeat the same hub addresses constantly.
 */
export function toChecksumAddress(address: Address): string {
  const cached = checksumCache.get(address);
  if (cached !== undefined) return cached;
  const hex = address.slice(2);
  const hash = keccak256(new TextEncoder().encode(hex));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = hex.charCodeAt(i);
    // Letters a-f are upper-cased where the matching nibble of the hash is >= 8.
    const nibble = i % 2 === 0 ? (hash[i >> 1]! >> 4) : (hash[i >> 1]! & 0x0f);
    out += c >= 97 && nibble >= 8 ? String.fromCharCode(c - 32) : hex[i];
  }
  if (checksumCache.size >= CHECKSUM_CACHE_LIMIT) checksumCache.clear();
  checksumCache.set(address, out);
  return out;
}

const CHECKSUM_CACHE_LIMIT = 200_000;
const checksumCache = new Map<Address, string>();

/**
 * Parses an address that must be EIP-55 checksummed (HTTP API, spec §2.1). All-digit
 * addresses have no letters and therefore count as checksummed, as in the reference.
 */
export function parseChecksummedAddress(input: unknown): Address | null {
  if (typeof input !== 'string' || !ANY_HEX_40.test(input)) return null;
  const lower = input.toLowerCase() as Address;
  return toChecksumAddress(lower) === input ? lower : null;
}

/** The 20 raw bytes of an address. */
export function addressToBytes(address: Address): Uint8Array {
  return Buffer.from(address.slice(2), 'hex');
}

/** Nibble value of a lower-case hex digit's char code (canonical addresses only). */
function nibble(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/**
 * Writes the 20 raw bytes of an address to `out` at `at`: addressToBytes without a Buffer
 * per call, for bulk copies (a snapshot writes every node's address).
 */
export function writeAddressBytes(address: Address, out: Uint8Array, at: number): void {
  for (let i = 0; i < 20; i++) out[at + i] = (nibble(address.charCodeAt(2 + 2 * i)) << 4) | nibble(address.charCodeAt(3 + 2 * i));
}

/** The address of 20 raw bytes. */
export function addressFromBytes(bytes: Uint8Array): Address {
  if (bytes.length !== 20) throw new Error('address must be 20 bytes');
  return ('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, 20).toString('hex')) as Address;
}

/** The all-zero address, used where a configured contract is absent. */
export const ZERO_ADDRESS = asAddress('0x0000000000000000000000000000000000000000');
