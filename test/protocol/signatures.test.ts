import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Wallet } from 'ethers';
import {
  addressOfUserId,
  eip191Hash,
  parseSignatureHex,
  recoverAddress,
  recoverEip191Signer,
  verifyDisplayname,
} from '../../src/protocol/index.ts';
import { PRIVATE_KEY_1, PRIVATE_KEY_2, PRIVATE_KEY_3, addressOf, hex, signHash } from './keys.ts';

/** Order of the secp256k1 group. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const HASH = eip191Hash(new TextEncoder().encode('some signed data'));

function withV(signature: Uint8Array, v: number): Uint8Array {
  const copy = Uint8Array.from(signature);
  copy[64] = v;
  return copy;
}

function uint256(value: bigint): Uint8Array {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

describe('recoverAddress', () => {
  test('recovers the signer of ethers Wallet signatures', () => {
    for (const key of [PRIVATE_KEY_1, PRIVATE_KEY_2, PRIVATE_KEY_3]) {
      const r = recoverAddress(HASH, signHash(key, HASH));
      assert.deepEqual(r, { ok: true, address: addressOf(key) });
    }
    for (let i = 0; i < 20; i++) {
      const wallet = Wallet.createRandom();
      const hash = eip191Hash(Uint8Array.of(i, i + 1, i + 2));
      const r = recoverAddress(hash, signHash(wallet.privateKey, hash));
      assert.ok(r.ok && r.address === wallet.address.toLowerCase());
    }
  });

  test('v may be 27/28 or 0/1; anything else is refused', () => {
    const sig = signHash(PRIVATE_KEY_1, HASH);
    const v = sig[64]!;
    assert.ok(v === 27 || v === 28);
    assert.deepEqual(recoverAddress(HASH, withV(sig, v - 27)), { ok: true, address: addressOf(PRIVATE_KEY_1) });
    // the other parity recovers a different key, not an error
    const flipped = recoverAddress(HASH, withV(sig, v === 27 ? 28 : 27));
    assert.ok(!flipped.ok || flipped.address !== addressOf(PRIVATE_KEY_1));
    for (const bad of [2, 3, 26, 29, 30, 255]) {
      assert.deepEqual(recoverAddress(HASH, withV(sig, bad)), { ok: false, reason: 'bad_v' }, `v = ${bad}`);
    }
  });

  test('high-s signatures are accepted, as eth_keys does', () => {
    const sig = signHash(PRIVATE_KEY_2, HASH);
    const s = BigInt(hex(sig.subarray(32, 64)));
    const high = Uint8Array.from(sig);
    high.set(uint256(N - s), 32);
    high[64] = sig[64] === 27 ? 28 : 27;
    assert.deepEqual(recoverAddress(HASH, high), { ok: true, address: addressOf(PRIVATE_KEY_2) });
  });

  test('wrong lengths and unrecoverable values are values, not exceptions', () => {
    const sig = signHash(PRIVATE_KEY_1, HASH);
    assert.deepEqual(recoverAddress(HASH, sig.subarray(0, 64)), { ok: false, reason: 'bad_length' });
    assert.deepEqual(recoverAddress(HASH, new Uint8Array(66)), { ok: false, reason: 'bad_length' });
    assert.deepEqual(recoverAddress(HASH.subarray(0, 31), sig), { ok: false, reason: 'bad_length' });
    const zero = new Uint8Array(65);
    zero[64] = 27;
    assert.deepEqual(recoverAddress(HASH, zero), { ok: false, reason: 'unrecoverable' });
    const overflowR = Uint8Array.from(sig);
    overflowR.set(uint256(N), 0);
    assert.deepEqual(recoverAddress(HASH, overflowR), { ok: false, reason: 'unrecoverable' });
    const overflowS = Uint8Array.from(sig);
    overflowS.set(uint256(N + 1n), 32);
    assert.deepEqual(recoverAddress(HASH, overflowS), { ok: false, reason: 'unrecoverable' });
  });

  test('recoverEip191Signer hashes with the personal-sign prefix', () => {
    const data = new TextEncoder().encode('@0xabc:server');
    const sig = Buffer.from(new Wallet(PRIVATE_KEY_3).signMessageSync(data).slice(2), 'hex');
    assert.deepEqual(recoverEip191Signer(data, sig), { ok: true, address: addressOf(PRIVATE_KEY_3) });
  });
});

describe('parseSignatureHex', () => {
  test('accepts exactly 0x + 130 hex digits in any case', () => {
    const sig = hex(signHash(PRIVATE_KEY_1, HASH));
    assert.equal(parseSignatureHex(sig)?.length, 65);
    assert.equal(parseSignatureHex(sig.toUpperCase().replace('0X', '0x'))?.length, 65);
    for (const bad of [
      sig.slice(2),
      sig.replace('0x', '0X'),
      sig.slice(0, -2),
      sig + '00',
      sig.slice(0, -1) + 'g',
      ' ' + sig,
      sig + '\n',
      '',
      '0x',
      42,
      null,
      undefined,
      [sig],
    ]) {
      assert.equal(parseSignatureHex(bad), null, String(bad));
    }
  });
});

describe('verifyDisplayname (spec §8.2)', () => {
  const KEY1 = addressOf(PRIVATE_KEY_1);

  function displayname(privateKey: string, userId: string): string {
    return new Wallet(privateKey).signMessageSync(new TextEncoder().encode(userId));
  }

  test('accepts a displayname signed by the address of the user id', () => {
    for (const userId of [
      `@${KEY1}:matrix.example.org`,
      `@${KEY1}.0a1b2c3d:transport.raiden.network`,
      `@${KEY1}`,
      `@${KEY1}.deadbeef`,
      `@${KEY1}:server\n`, // Python's `$` matches before a final newline
      `@${KEY1}:weird\rserver`, // Python's `.` matches \r
    ]) {
      const name = displayname(PRIVATE_KEY_1, userId);
      assert.deepEqual(verifyDisplayname(userId, name), { ok: true, address: KEY1 }, JSON.stringify(userId));
      assert.deepEqual(verifyDisplayname(userId, name.toUpperCase().replace('0X', '0x')), { ok: true, address: KEY1 });
    }
  });

  test('refuses forged or malformed displaynames', () => {
    const userId = `@${KEY1}:server`;
    // signed by someone else
    assert.deepEqual(verifyDisplayname(userId, displayname(PRIVATE_KEY_3, userId)), {
      ok: false,
      reason: 'address_mismatch',
    });
    // a valid signature of KEY1, but over another user id (replayed from another server)
    assert.deepEqual(verifyDisplayname(userId, displayname(PRIVATE_KEY_1, `@${KEY1}:other`)), {
      ok: false,
      reason: 'address_mismatch',
    });
    const good = displayname(PRIVATE_KEY_1, userId);
    for (const bad of [good.slice(2), good.slice(0, -2), good + '\n', good + '00', null, undefined, 7]) {
      assert.deepEqual(verifyDisplayname(userId, bad), { ok: false, reason: 'bad_displayname_format' });
    }
    assert.deepEqual(verifyDisplayname(userId, good.slice(0, -2) + '05'), { ok: false, reason: 'bad_signature' });
  });

  test('refuses user ids that do not name an address', () => {
    const good = (id: string) => displayname(PRIVATE_KEY_1, id);
    for (const userId of [
      `@${KEY1.toUpperCase().replace('0X', '0x')}:server`, // upper-case hex is not a Raiden user id
      `${KEY1}:server`,
      `@${KEY1.slice(0, -1)}:server`,
      `@${KEY1}.0a1b2c3:server`,
      `@${KEY1}.0A1B2C3D:server`,
      `@${KEY1}:`,
      `@${KEY1}:ser\nver`,
      `@${KEY1}x`,
    ]) {
      assert.deepEqual(verifyDisplayname(userId, good(userId)), { ok: false, reason: 'bad_user_id' }, userId);
    }
    assert.equal(addressOfUserId(`@${KEY1}:server`), KEY1);
    assert.equal(addressOfUserId('@alice:server'), null);
  });
});
