/**
 * Pure parsers for single setting values. Each returns the typed value or a message that
 * completes the sentence "<--option>: ..."; the caller adds the option name and collects
 * every message, so one run reports every bad setting at once.
 */
import { type Address, parseChecksummedAddress, UINT256_MAX } from '../domain/index.ts';

/** The outcome of parsing one value: the value, or why it was refused. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A successful parse. */
export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** A refused value with its reason. */
export function bad<T>(message: string): Parsed<T> {
  return { ok: false, message };
}

const DIGITS = /^[0-9]+$/;

/** Quotes a user-supplied value for an error message, shortened so a pasted blob stays readable. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value);
}

/** A decimal integer in [min, max] as a JS number (counts, ports, sizes, durations). */
export function parseIntInRange(input: string, min: number, max: number = Number.MAX_SAFE_INTEGER): Parsed<number> {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  const trimmed = input.trim();
  if (!DIGITS.test(trimmed) || trimmed.length > 16) return bad(`must be ${expected}, got ${quote(input)}`);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || value < min || value > max) return bad(`must be ${expected}, got ${quote(input)}`);
  return ok(value);
}

/** A decimal integer in [min, 2^256 - 1] as a bigint (amounts, chain ids). */
export function parseUint256(input: string, min: bigint = 0n): Parsed<bigint> {
  const trimmed = input.trim();
  if (!DIGITS.test(trimmed) || trimmed.length > 78) {
    return bad(`must be a decimal integer >= ${min}, got ${quote(input)}`);
  }
  const value = BigInt(trimmed);
  if (value < min || value > UINT256_MAX) return bad(`must be a decimal integer from ${min} to 2^256-1, got ${quote(input)}`);
  return ok(value);
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** A boolean written as 1/0, true/false, yes/no or on/off (any letter case). */
export function parseBool(input: string): Parsed<boolean> {
  const word = input.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return bad(`must be one of 1/0, true/false, yes/no, on/off, got ${quote(input)}`);
}

/** An absolute http:// or https:// URL with a host, returned as given (trimmed). */
export function parseHttpUrl(input: string): Parsed<string> {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return bad(`must be an http:// or https:// URL including the scheme, got ${quote(input)}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return bad(`must be an http:// or https:// URL including the scheme, got ${quote(input)}`);
  }
  return ok(trimmed);
}

/** A contract address, which must be EIP-55 checksummed like the reference requires. */
export function parseContractAddress(input: string): Parsed<Address> {
  const trimmed = input.trim();
  const address = parseChecksummedAddress(trimmed);
  if (address !== null) return ok(address);
  if (/^0x[0-9a-fA-F]{40}$/.test(trimmed)) {
    return bad(`must be an EIP-55 checksummed address (mixed case), got ${quote(input)}`);
  }
  return bad(`must be an EIP-55 checksummed address (0x followed by 40 hex digits), got ${quote(input)}`);
}

/** A listening host: a host name or IP literal, without scheme, port or spaces. */
export function parseHost(input: string): Parsed<string> {
  const trimmed = input.trim();
  if (trimmed === '' || /[\s/]/.test(trimmed)) return bad(`must be a host name or IP address, got ${quote(input)}`);
  // An IPv6 literal may be written in brackets; uWebSockets.js wants it bare.
  const bare = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (bare.includes(':') && !/^[0-9a-fA-F:.]+$/.test(bare)) {
    return bad(`must be a host name or IP address without a port, got ${quote(input)}`);
  }
  return ok(bare);
}

/** A Matrix room alias (#name:server) or room id (!opaque:server). */
export function parseRoom(input: string): Parsed<string> {
  const trimmed = input.trim();
  if (!/^[#!][^\s:]+:[^\s]+$/.test(trimmed)) {
    return bad(`must be a Matrix room alias like #name:server or a room id like !id:server, got ${quote(input)}`);
  }
  return ok(trimmed);
}

/** An exact positive rational, `numerator / denominator`, both positive bigints in lowest terms. */
export interface Ratio {
  /** Numerator, > 0. */
  readonly numerator: bigint;
  /** Denominator, > 0. */
  readonly denominator: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** A positive decimal number such as `0.0025`, parsed exactly into a reduced ratio. */
export function parsePositiveDecimal(input: string): Parsed<Ratio> {
  const trimmed = input.trim();
  const match = /^([0-9]*)(?:\.([0-9]*))?$/.exec(trimmed);
  const whole = match?.[1] ?? '';
  const fraction = match?.[2] ?? '';
  if (match === null || (whole === '' && fraction === '') || trimmed.length > 80) {
    return bad(`must be a positive decimal number like 0.0025, got ${quote(input)}`);
  }
  const rawNumerator = BigInt((whole === '' ? '0' : whole) + fraction);
  const rawDenominator = 10n ** BigInt(fraction.length);
  if (rawNumerator === 0n) return bad(`must be greater than 0, got ${quote(input)}`);
  const divisor = gcd(rawNumerator, rawDenominator);
  return ok({ numerator: rawNumerator / divisor, denominator: rawDenominator / divisor });
}
