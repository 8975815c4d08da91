/** Largest value of a Solidity uint256; capacities above it are rejected (spec §6.3). */
export const UINT256_MAX = (1n << 256n) - 1n;

/** Largest uint64, the width of the nonces in the packed capacity update (spec §6.2). */
export const UINT64_MAX = (1n << 64n) - 1n;

const DECIMAL = /^[0-9]+$/;

/**
 * Parses a non-negative decimal integer string exactly (Raiden messages carry integers as
 * decimal strings). Overlong input is refused before any BigInt work, so hostile input
 * cannot make parsing expensive; `max` bounds the value (default uint256).
 */
export function parseUintDecimal(input: unknown, max: bigint = UINT256_MAX): bigint | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > 100) return null;
  if (!DECIMAL.test(input)) return null;
  const value = BigInt(input);
  return value <= max ? value : null;
}

/** True for a bigint in [0, 2^256). */
export function isUint256(value: bigint): boolean {
  return value >= 0n && value <= UINT256_MAX;
}

/** Lower of two bigints. */
export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Higher of two bigints. */
export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
