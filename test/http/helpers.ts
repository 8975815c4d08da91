import assert from 'node:assert/strict';
import { toChecksumAddress } from '../../src/domain/index.ts';
import type { ApiError, EnvelopeError } from '../../src/http/index.ts';

/** Maps become plain objects with sorted keys, recursively, so dicts compare regardless of order. */
export function plain(x: unknown): unknown {
  if (x instanceof Map) {
    const entries = [...x.entries()].map(([k, v]) => [String(k), plain(v)] as const);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  }
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === 'object' && !(x instanceof Uint8Array)) {
    return plain(new Map(Object.entries(x as Record<string, unknown>)));
  }
  return x;
}

/** Asserts an envelope error and returns it. */
export function envelopeOf(error: ApiError): EnvelopeError {
  assert.equal(error.kind, 'envelope');
  return error as EnvelopeError;
}

/** EIP-55 form of a lower-case test address. */
export function cs(address: string): string {
  return toChecksumAddress(address.toLowerCase() as Parameters<typeof toChecksumAddress>[0]);
}
