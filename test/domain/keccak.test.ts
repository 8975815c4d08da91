import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak256 as ethersKeccak, getBytes } from 'ethers';
import { keccak256, NATIVE_KECCAK } from '../../src/domain/index.ts';
import { Random } from '../helpers/random.ts';

test('the native keccak addon is in use on this platform', () => {
  assert.equal(NATIVE_KECCAK, true);
});

test('keccak256 of the empty input is the well-known constant', () => {
  assert.equal(Buffer.from(keccak256(new Uint8Array(0))).toString('hex'), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
});

test('keccak256 agrees with ethers around the rate boundary and on long inputs', () => {
  const rng = new Random(7);
  for (const n of [1, 55, 56, 135, 136, 137, 271, 272, 273, 236, 1000, 10_000]) {
    const data = Uint8Array.from(Buffer.from(rng.hex(n), 'hex'));
    assert.deepEqual(Buffer.from(keccak256(data)), Buffer.from(getBytes(ethersKeccak(data))), `length ${n}`);
    // a view into a larger buffer hashes only the viewed bytes
    const padded = new Uint8Array(n + 8);
    padded.set(data, 4);
    assert.deepEqual(Buffer.from(keccak256(padded.subarray(4, 4 + n))), Buffer.from(keccak256(data)), `view of length ${n}`);
  }
});
