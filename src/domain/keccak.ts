import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * Keccak-256 of raw bytes: the single place that chooses the implementation. Ingestion
 * hashes every update twice (the EIP-191 digest and the recovered public key), so the
 * native sponge of the `keccak` package is used directly (one reused state, no stream
 * object per hash: about 7x faster than the JS implementations here). Where its prebuilt
 * addon is missing, ethers' JS keccak gives the same bytes, only slower.
 */

interface NativeKeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

function loadNative(): NativeKeccakState | null {
  try {
    const manifest = createRequire(import.meta.url).resolve('keccak/package.json');
    // node-gyp-build as the keccak package itself resolves it
    const gypBuild = createRequire(manifest)('node-gyp-build') as (dir: string) => new () => NativeKeccakState;
    const State = gypBuild(dirname(manifest));
    if (typeof State !== 'function') return null;
    return new State();
  } catch {
    return null;
  }
}

const state = loadNative();

/** True when the native implementation is in use (reported at start-up). */
export const NATIVE_KECCAK = state !== null;

function nativeKeccak(s: NativeKeccakState, data: Uint8Array): Uint8Array {
  s.initialize(1088, 512);
  s.absorb(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  // 0x01: Keccak's original padding (not SHA-3's 0x06)
  s.absorbLastFewBits(0x01);
  return s.squeeze(32);
}

/** ethers' keccak, loaded only where the addon is missing (importing ethers costs ~0.5 s per thread). */
function fallbackKeccak(): (data: Uint8Array) => Uint8Array {
  const ethers = createRequire(import.meta.url)('ethers') as typeof import('ethers');
  return (data) => ethers.getBytes(ethers.keccak256(data));
}

const fallback = state === null ? fallbackKeccak() : null;

export function keccak256(data: Uint8Array): Uint8Array {
  return state === null ? fallback!(data) : nativeKeccak(state, data);
}
