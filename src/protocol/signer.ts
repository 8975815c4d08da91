import { createRequire } from 'node:module';
import { type Address, addressFromBytes, keccak256 } from '../domain/index.ts';
import { eip191Hash } from './packing.ts';

/**
 * Keys and signing like a Raiden node (EIP-191 personal-sign, r ‖ s ‖ v with v = 27/28)
 * with the native libsecp256k1 binding: the demo and the ingest benchmark sign hundreds of
 * thousands of messages, which ethers' pure-JS signer would take minutes for, and deriving
 * the service address this way keeps ethers (half a second to import) off the start path.
 */

interface NativeSigner {
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array;
  privateKeyVerify(privateKey: Uint8Array): boolean;
}

const native = createRequire(import.meta.url)('secp256k1/bindings') as NativeSigner;

/** A private key with its address. */
export interface KeyPair {
  readonly privateKey: Uint8Array;
  readonly address: Address;
}

/** The key pair of a 32-byte private key. */
export function keyPair(privateKey: Uint8Array): KeyPair {
  if (privateKey.length !== 32 || !native.privateKeyVerify(privateKey)) throw new Error('not a secp256k1 private key');
  const publicKey = native.publicKeyCreate(privateKey, false);
  return { privateKey, address: addressFromBytes(keccak256(publicKey.subarray(1)).subarray(12)) };
}

/** The `index`-th key of a named deterministic family: keccak(label ‖ index). */
export function derivedKey(label: string, index: number): KeyPair {
  return keyPair(keccak256(Buffer.from(`${label}/${index}`, 'utf8')));
}

/** Signs a 32-byte hash: 65 bytes r ‖ s ‖ v, v in {27, 28}. */
export function signHash(key: KeyPair, hash: Uint8Array): Uint8Array {
  const { signature, recid } = native.ecdsaSign(hash, key.privateKey);
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = 27 + recid;
  return out;
}

/** The EIP-191 signature of `data` as `0x` + 130 hex digits. */
export function signEip191Hex(key: KeyPair, data: Uint8Array): string {
  return '0x' + Buffer.from(signHash(key, eip191Hash(data))).toString('hex');
}
