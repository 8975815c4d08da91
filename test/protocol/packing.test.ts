import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeRlp, hashMessage, toBeHex } from 'ethers';
import { type Address, UINT256_MAX, UINT64_MAX } from '../../src/domain/index.ts';
import {
  CAPACITY_UPDATE_PACKED_LENGTH,
  IOU_PACKED_LENGTH,
  eip191Hash,
  iouSessionId,
  isUnpackable,
  packCapacityUpdate,
  packFeeUpdate,
  packIou,
  packIouRequest,
  rlpEncodePenalty,
  rlpEncodeUint,
} from '../../src/protocol/index.ts';
import { PRIVATE_KEY_1, PRIVATE_KEY_2, addressOf, hex } from './keys.ts';
import { TEST_CHAIN_ID, capacityFields, feeFields } from './messages.ts';

const KEY1 = addressOf(PRIVATE_KEY_1);
const KEY2 = addressOf(PRIVATE_KEY_2);

function bytes(result: Uint8Array | { kind: 'unpackable'; field: string }): Uint8Array {
  if (isUnpackable(result)) throw new Error(`unpackable ${result.field}`);
  return result;
}

function hashHex(data: Uint8Array): string {
  return Buffer.from(eip191Hash(data)).toString('hex');
}

describe('spec §6.6 test vectors', () => {
  test('key addresses', () => {
    assert.equal(KEY1, '0x1a642f0e3c3af545e7acbd38b07251b3990914f1');
    assert.equal(KEY2, '0x5050a4f4b3f9338c3472dcc01a87c76a144b3c9c');
  });

  const iou = {
    oneToN: ('0x' + '01'.repeat(20)) as Address,
    chainId: TEST_CHAIN_ID,
    sender: KEY1,
    receiver: KEY2,
    amount: 100n,
    claimableUntil: 1_700_000_000n,
  };

  test('IOU: 188 bytes and its EIP-191 hash', () => {
    const packed = bytes(packIou(iou));
    assert.equal(packed.length, IOU_PACKED_LENGTH);
    assert.equal(hashHex(packed), 'd053d30ca755c944a8bb000178e3c9be211f961cc72419443fc4ec9f74ec08ab');
    // layout: one_to_n, chain id, message type id 5, sender, receiver, amount, claimable_until
    assert.equal(hex(packed.subarray(0, 20)), iou.oneToN);
    assert.equal(packed[83], 5);
    assert.equal(hex(packed.subarray(84, 104)), KEY1);
    assert.equal(hex(packed.subarray(104, 124)), KEY2);
    assert.equal(packed[155], 100);
  });

  test('IOU session id', () => {
    const id = bytes(iouSessionId(KEY2, KEY1, 1_700_000_000n));
    assert.equal(hex(id), '0x6500f99dff29c006c18d7fbd4f864f0f4e9ab51f7235524175b780bb88ba9017');
  });

  test('PFSCapacityUpdate: 236 bytes and its hash', () => {
    const packed = bytes(packCapacityUpdate(capacityFields()));
    assert.equal(packed.length, CAPACITY_UPDATE_PACKED_LENGTH);
    assert.equal(hashHex(packed), '5b764fc322a671d65fc31fcab52dca1999344663271d8e3eb10a5a953052de75');
    // the nonces are 8 bytes each, at 124 and 132
    assert.equal(hex(packed.subarray(124, 140)), '0x' + '0000000000000001' + '0000000000000000');
  });

  test('RLP of the penalty curve and of 0', () => {
    assert.equal(hex(bytes(rlpEncodePenalty([[0n, 0n], [1000n, 10n]]))), '0xc8c28080c48203e80a');
    assert.equal(hex(bytes(rlpEncodePenalty(null))), '0x80');
    assert.equal(hex(bytes(rlpEncodePenalty([]))), '0x80');
  });

  test('PFSFeeUpdate with a curve: 197 bytes and its hash', () => {
    const fields = feeFields({
      schedule: { capFees: true, flat: 1n, proportional: 1n, imbalancePenalty: [[0n, 0n], [1000n, 10n]] },
      timestamp: '2022-01-01T00:00:00',
    });
    const packed = bytes(packFeeUpdate(fields));
    assert.equal(packed.length, 197);
    assert.equal(hashHex(packed), '569d71888a04b499d63f3e64ea78d38c19d7a3aa82192d51c75ef608e7ee944d');
  });

  test('PFSFeeUpdate without a curve, microsecond timestamp: 196 bytes and its hash', () => {
    const fields = feeFields({
      schedule: { capFees: true, flat: 0n, proportional: 0n, imbalancePenalty: null },
      timestamp: '2022-01-01T00:00:00.123456',
    });
    const packed = bytes(packFeeUpdate(fields));
    assert.equal(packed.length, 196);
    assert.equal(hashHex(packed), '02e914aeed0e5cb83aa123b43855aa9911a1e857f265158a2d54c279877bb0b5');
    assert.equal(packed[104], 1, 'cap_fees is one byte');
  });

  test('GET-iou request data: 59 bytes and its hash', () => {
    const packed = packIouRequest(KEY1, KEY2, '2022-01-01T12:00:00');
    assert.equal(packed.length, 59);
    assert.equal(hashHex(packed), 'ee984db2e60a86e047d151bca567d9b8cd7e5d6a1ebde540c0e080838346c097');
  });
});

describe('EIP-191 hash', () => {
  test('equals ethers hashMessage for several lengths (decimal length in the prefix)', () => {
    for (const n of [0, 1, 9, 10, 99, 100, 188, 236, 1000]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
      assert.equal('0x' + hashHex(data), hashMessage(data), `length ${n}`);
    }
  });
});

describe('RLP', () => {
  test('integers are minimal big-endian strings', () => {
    const cases: [bigint, string][] = [
      [0n, '80'],
      [1n, '01'],
      [0x7fn, '7f'],
      [0x80n, '8180'],
      [1000n, '8203e8'],
      [0xffffn, '82ffff'],
      [0x10000n, '83010000'],
      [0xffffffffffffn, '86ffffffffffff'],
      [0x1000000000000n, '87' + '01000000000000'],
      [10n ** 18n, '880de0b6b3a7640000'],
      [UINT256_MAX, 'a0' + 'ff'.repeat(32)],
    ];
    for (const [value, expected] of cases) assert.equal(Buffer.from(bytes(rlpEncodeUint(value))).toString('hex'), expected);
    assert.ok(isUnpackable(rlpEncodeUint(-1n)));
  });

  test('penalty curves equal ethers encodeRlp, including long lists (> 55 bytes)', () => {
    let seed = 12345;
    const rand = (): bigint => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const width = seed % 33; // 0..32 bytes
      let v = 0n;
      for (let i = 0; i < width; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        v = (v << 8n) | BigInt(seed & 0xff);
      }
      return v;
    };
    for (const count of [1, 2, 3, 21, 100]) {
      const points: [bigint, bigint][] = Array.from({ length: count }, () => [rand(), rand()]);
      const expected = encodeRlp(points.map(([x, y]) => [x === 0n ? '0x' : toBeHex(x), y === 0n ? '0x' : toBeHex(y)]));
      assert.equal(hex(bytes(rlpEncodePenalty(points))), expected, `${count} points`);
    }
  });
});

describe('values that do not fit are reported, not thrown', () => {
  test('capacity update fields', () => {
    const tooBig = UINT256_MAX + 1n;
    const cases: [Partial<Parameters<typeof capacityFields>[0]>, string][] = [
      [{ chainId: tooBig }, 'chain_identifier'],
      [{ channelId: tooBig }, 'channel_identifier'],
      [{ updatingNonce: UINT64_MAX + 1n }, 'updating_nonce'],
      [{ otherNonce: UINT64_MAX + 1n }, 'other_nonce'],
      [{ updatingCapacity: tooBig }, 'updating_capacity'],
      [{ otherCapacity: tooBig }, 'other_capacity'],
      [{ revealTimeout: tooBig }, 'reveal_timeout'],
      [{ updatingCapacity: -1n }, 'updating_capacity'],
    ];
    for (const [overrides, field] of cases) {
      const result = packCapacityUpdate(capacityFields(overrides));
      assert.ok(isUnpackable(result));
      assert.equal(result.field, field);
    }
    // the largest values still pack
    const max = packCapacityUpdate(capacityFields({ updatingNonce: UINT64_MAX, updatingCapacity: UINT256_MAX }));
    assert.ok(!isUnpackable(max));
  });

  test('fee update and IOU fields', () => {
    const schedule = { capFees: false, flat: -1n, proportional: 0n, imbalancePenalty: null };
    const negativeFlat = packFeeUpdate(feeFields({ schedule }));
    assert.ok(isUnpackable(negativeFlat) && negativeFlat.field === 'flat');
    const amount = UINT256_MAX + 1n;
    const iou = packIou({ oneToN: KEY1, chainId: 1n, sender: KEY1, receiver: KEY2, amount, claimableUntil: 0n });
    assert.ok(isUnpackable(iou) && iou.field === 'amount');
    assert.ok(isUnpackable(iouSessionId(KEY1, KEY2, -1n)));
  });
});
