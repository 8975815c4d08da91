import { keccak256 as ethersKeccak, getBytes } from 'ethers';

/**
 * Keccak-256 of raw bytes. The single place that chooses the implementation, so a
 * faster one can replace it without touching callers (ingestion hashes every update).
 */
export function keccak256(data: Uint8Array): Uint8Array {
  return getBytes(ethersKeccak(data));
}
