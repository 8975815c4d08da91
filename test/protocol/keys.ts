import { Wallet } from 'ethers';
import { type Address, parseAddressAnyCase } from '../../src/domain/index.ts';

/**
 * Keys of the reference's capacity/fee update tests (spec §6.6) and helpers that sign like
 * a Raiden node: EIP-191 over the packed bytes, 65-byte r ‖ s ‖ v with v = 27/28.
 */

/** PRIVATE_KEY_1 = 32 × 0x01. */
export const PRIVATE_KEY_1 = '0x' + '01'.repeat(32);
/** PRIVATE_KEY_2 = 32 × 0x02. */
export const PRIVATE_KEY_2 = '0x' + '02'.repeat(32);
/** PRIVATE_KEY_3 = 32 × 0x03. */
export const PRIVATE_KEY_3 = '0x' + '03'.repeat(32);

/** Lower-case address of a key. */
export function addressOf(privateKey: string): Address {
  return parseAddressAnyCase(new Wallet(privateKey).address)!;
}

/** Signs a 32-byte hash; returns r ‖ s ‖ v (v in {27, 28}). */
export function signHash(privateKey: string, hash: Uint8Array): Uint8Array {
  const sig = new Wallet(privateKey).signingKey.sign(hash);
  const out = new Uint8Array(65);
  out.set(Buffer.from(sig.r.slice(2), 'hex'), 0);
  out.set(Buffer.from(sig.s.slice(2), 'hex'), 32);
  out[64] = sig.v;
  return out;
}

/** 0x-hex of bytes. */
export function hex(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes).toString('hex');
}
