import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UINT256_MAX } from '../../src/domain/index.ts';
import {
  type DecodedMessage,
  decodeRaidenMessage,
  isUnpackable,
  packCapacityUpdate,
  packFeeUpdate,
  pythonStrip,
  recoverEip191Signer,
  splitMessageBody,
} from '../../src/protocol/index.ts';
import { PRIVATE_KEY_1, addressOf } from './keys.ts';
import { TEST_TOKEN_NETWORK, capacityFields, capacityJson, feeFields, feeJson, line } from './messages.ts';

// raiden/tests/unit/serialized_messages/PFSCapacityUpdate.json and PFSFeeUpdate.json
const RAIDEN_CAPACITY_SAMPLE = `{
    "canonical_identifier": {
        "chain_identifier": "337",
        "channel_identifier": "38668238610038203118951563161123284666404871401217031836881793011358969684409",
        "token_network_address": "0x6E6574776F726b6E6574776F726b6e6574776f72"
    },
    "other_capacity": "37212122603139859625093818195987085041499540758880441738811832487830015056538",
    "other_nonce": "14048911142452016106",
    "other_participant": "0x20744F2a506d5A783B477C73783b7B765B333C50",
    "reveal_timeout": "69187344907585392401104993516842516295179495050250445262298155859068795299032",
    "signature": "0xc26badc766938922d0ab0f1eaaecbceb8b1e252bfe4a77cbc705bee79c3828d14d12eadacb1768fe21851b90dd23e187012894960a410e1b5766e69d6e703fa61c",
    "type": "PFSCapacityUpdate",
    "updating_capacity": "83157032281535436592742485053875373772344953078307910801568052349361129029306",
    "updating_nonce": "17118534853349346795",
    "updating_participant": "0x383960255b4C58242A20366C4340207C2a794A3b"
}`;
const RAIDEN_FEE_SAMPLE = `{
    "canonical_identifier": {
        "chain_identifier": "337",
        "channel_identifier": "76772029580080880065711384192941278419613434731761409767757841232989966310411",
        "token_network_address": "0x6e6574776f726b6e6574776f726b6e6574776f72"
    },
    "fee_schedule": {
        "cap_fees": true,
        "flat": "0",
        "imbalance_penalty": null,
        "proportional": "0"
    },
    "signature": "0x9c487afcb4c9c8db7358bbb5633e8dafd41d624198f7e84ac9d26d9caeb11f721c476ee2329b4a350d1f73d28f439f62f1e1d431419e6ba7147f9c730d85b2f11c",
    "timestamp": "2000-01-01T00:00:00",
    "type": "PFSFeeUpdate",
    "updating_participant": "0x4e473d79783f3e7676372e2e6d49533a602a3e25"
}`;
const RAIDEN_SAMPLE_SIGNER = '0xede35562d3555e61120a151b3c8e8e91d83a378a';

function decodeJson(json: unknown): DecodedMessage {
  return decodeRaidenMessage(JSON.stringify(json));
}

function assertInvalid(result: DecodedMessage, pattern?: RegExp): void {
  assert.equal(result.kind, 'invalid', JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  if (pattern !== undefined && result.kind === 'invalid') assert.match(result.reason, pattern);
}

describe("raiden's published sample messages (spec §6.6 cross-check)", () => {
  test('PFSCapacityUpdate decodes and recovers the sample signer', () => {
    const m = decodeRaidenMessage(RAIDEN_CAPACITY_SAMPLE);
    assert.equal(m.kind, 'capacity_update');
    if (m.kind !== 'capacity_update') return;
    assert.equal(m.chainId, 337n);
    assert.equal(m.tokenNetwork, '0x6e6574776f726b6e6574776f726b6e6574776f72');
    assert.equal(m.updating, '0x383960255b4c58242a20366c4340207c2a794a3b');
    assert.equal(m.updatingNonce, 17118534853349346795n);
    assert.equal(m.otherCapacity, 37212122603139859625093818195987085041499540758880441738811832487830015056538n);
    const packed = packCapacityUpdate(m);
    assert.ok(!isUnpackable(packed));
    assert.deepEqual(recoverEip191Signer(packed, m.signature), { ok: true, address: RAIDEN_SAMPLE_SIGNER });
  });

  test('PFSFeeUpdate decodes and recovers the same signer', () => {
    const m = decodeRaidenMessage(RAIDEN_FEE_SAMPLE);
    assert.equal(m.kind, 'fee_update');
    if (m.kind !== 'fee_update') return;
    assert.deepEqual(m.schedule, { capFees: true, flat: 0n, proportional: 0n, imbalancePenalty: null });
    assert.equal(m.timestamp, '2000-01-01T00:00:00');
    assert.equal(m.sortableTimestamp, '2000-01-01T00:00:00.000000');
    const packed = packFeeUpdate(m);
    assert.ok(!isUnpackable(packed));
    assert.deepEqual(recoverEip191Signer(packed, m.signature), { ok: true, address: RAIDEN_SAMPLE_SIGNER });
  });
});

describe('decodeRaidenMessage', () => {
  test('a capacity update round-trips its fields', () => {
    const fields = capacityFields({ updatingCapacity: UINT256_MAX, channelId: 7n });
    const m = decodeRaidenMessage(line(capacityJson(fields, PRIVATE_KEY_1)));
    assert.equal(m.kind, 'capacity_update');
    if (m.kind === 'capacity_update') {
      const { kind: _kind, signature, ...rest } = m;
      assert.deepEqual(rest, fields);
      assert.equal(signature.length, 65);
    }
  });

  test('a fee update with a curve round-trips; unknown keys are ignored', () => {
    const fields = feeFields({
      schedule: { capFees: false, flat: 5n, proportional: 300n, imbalancePenalty: [[0n, 20n], [50n, 0n], [100n, 20n]] },
    });
    const json = { ...feeJson(fields, PRIVATE_KEY_1), extra: { anything: [1, 2] }, _type: 'x' };
    const m = decodeJson(json);
    assert.equal(m.kind, 'fee_update');
    if (m.kind === 'fee_update') {
      assert.deepEqual(m.schedule, fields.schedule);
      assert.equal(m.updating, addressOf(PRIVATE_KEY_1));
      assert.equal(m.tokenNetwork, TEST_TOKEN_NETWORK);
    }
  });

  test('addresses in any letter case', () => {
    const json = capacityJson(capacityFields(), PRIVATE_KEY_1);
    json['updating_participant'] = String(json['updating_participant']).toUpperCase().replace('0X', '0x');
    const m = decodeJson(json);
    assert.ok(m.kind === 'capacity_update' && m.updating === addressOf(PRIVATE_KEY_1));
  });

  test('capacities and chain ids at or above 2^256 are decoded (validation refuses them)', () => {
    const json = capacityJson(capacityFields(), PRIVATE_KEY_1);
    json['updating_capacity'] = String(2n ** 256n);
    json['other_capacity'] = '9'.repeat(100);
    (json['canonical_identifier'] as Record<string, unknown>)['chain_identifier'] = String(2n ** 256n);
    const m = decodeJson(json);
    assert.equal(m.kind, 'capacity_update');
    if (m.kind === 'capacity_update') {
      assert.equal(m.updatingCapacity, 2n ** 256n);
      assert.equal(m.otherCapacity, 10n ** 100n - 1n);
      assert.equal(m.chainId, 2n ** 256n);
    }
  });

  test('fee schedule keys default like FeeScheduleState; empty curve means none', () => {
    const json = feeJson(feeFields(), PRIVATE_KEY_1);
    json['fee_schedule'] = {};
    let m = decodeJson(json);
    assert.ok(m.kind === 'fee_update');
    assert.deepEqual(m.schedule, { capFees: true, flat: 0n, proportional: 0n, imbalancePenalty: null });
    json['fee_schedule'] = { imbalance_penalty: [] };
    m = decodeJson(json);
    assert.ok(m.kind === 'fee_update' && m.schedule.imbalancePenalty === null);
  });

  test('naive timestamps are accepted and canonicalised; aware ones refused', () => {
    const fields = feeFields({ timestamp: '2022-03-04T05:06:00.500000' });
    const m = decodeJson(feeJson(fields, PRIVATE_KEY_1, '2022-03-04 05:06:00.5'));
    assert.ok(m.kind === 'fee_update');
    assert.equal(m.timestamp, '2022-03-04T05:06:00.500000');
    assert.equal(m.sortableTimestamp, '2022-03-04T05:06:00.500000');
    for (const aware of ['2022-03-04T05:06:00Z', '2022-03-04T05:06:00+00:00', '2022-03-04T05:06:00.123456+02:00']) {
      assertInvalid(decodeJson(feeJson(feeFields(), PRIVATE_KEY_1, aware)), /timezone/);
    }
  });

  test('other message types are reported as such', () => {
    for (const type of ['Processed', 'RequestMonitoring', 'Delivered', 'SomethingNew']) {
      assert.deepEqual(decodeJson({ type, message_identifier: '1' }), { kind: 'other', type });
    }
  });

  test('malformed input gives invalid values', () => {
    const cap = () => capacityJson(capacityFields(), PRIVATE_KEY_1);
    const fee = () => feeJson(feeFields(), PRIVATE_KEY_1);
    const set = (json: Record<string, unknown>, key: string, value: unknown) => {
      json[key] = value;
      return json;
    };
    const setCi = (json: Record<string, unknown>, key: string, value: unknown) => {
      (json['canonical_identifier'] as Record<string, unknown>)[key] = value;
      return json;
    };
    const setFs = (json: Record<string, unknown>, key: string, value: unknown) => {
      (json['fee_schedule'] as Record<string, unknown>)[key] = value;
      return json;
    };
    const withoutKey = (json: Record<string, unknown>, key: string) => {
      delete json[key];
      return json;
    };
    // not JSON, not an object, no type
    for (const text of ['', '{', 'nope', '[1,2]', '"PFSCapacityUpdate"', 'null', '42', '{"type": 5}', '{}', 'NaN']) {
      assertInvalid(decodeRaidenMessage(text));
    }
    const cases: [Record<string, unknown>, RegExp][] = [
      [set(cap(), 'updating_capacity', 90), /updating_capacity/], // JSON number, not a decimal string
      [set(cap(), 'updating_capacity', '-1'), /updating_capacity/],
      [set(cap(), 'updating_capacity', ' 90'), /updating_capacity/],
      [set(cap(), 'updating_capacity', '0x5a'), /updating_capacity/],
      [set(cap(), 'updating_capacity', '1'.repeat(101)), /updating_capacity/], // overlong
      [set(cap(), 'updating_capacity', ''), /updating_capacity/],
      [set(cap(), 'updating_capacity', null), /updating_capacity/],
      [set(cap(), 'updating_nonce', String(2n ** 64n)), /updating_nonce/], // uint64
      [set(cap(), 'reveal_timeout', String(2n ** 256n)), /reveal_timeout/],
      [setCi(cap(), 'channel_identifier', String(2n ** 256n)), /channel_identifier/],
      [setCi(cap(), 'token_network_address', '0x1234'), /token_network_address/],
      [set(cap(), 'canonical_identifier', 'x'), /canonical_identifier/],
      [withoutKey(cap(), 'canonical_identifier'), /canonical_identifier/],
      [withoutKey(cap(), 'other_participant'), /missing field other_participant/],
      [set(cap(), 'updating_participant', '1a642f0e3c3af545e7acbd38b07251b3990914f1'), /updating_participant/],
      [set(cap(), 'updating_participant', '0x1a642f0e3c3af545e7acbd38b07251b3990914fg'), /updating_participant/],
      [set(cap(), 'signature', '0x1234'), /signature/], // short
      [set(cap(), 'signature', String(cap()['signature']).slice(0, -1) + 'z'), /signature/], // bad hex
      [set(cap(), 'signature', String(cap()['signature']).slice(2)), /signature/],
      [withoutKey(cap(), 'signature'), /signature/],
      [set(fee(), 'fee_schedule', null), /fee_schedule/],
      [setFs(fee(), 'cap_fees', 'true'), /cap_fees/],
      [setFs(fee(), 'cap_fees', null), /cap_fees/],
      [setFs(fee(), 'flat', null), /flat/],
      [setFs(fee(), 'flat', '-1'), /flat/],
      [setFs(fee(), 'flat', String(2n ** 256n)), /flat_out_of_range/],
      [setFs(fee(), 'proportional', 1), /proportional/],
      [setFs(fee(), 'imbalance_penalty', 'none'), /imbalance_penalty/],
      [setFs(fee(), 'imbalance_penalty', [['0', '0', '0']]), /imbalance_penalty/],
      [setFs(fee(), 'imbalance_penalty', [[0, 0]]), /imbalance_penalty/],
      [setFs(fee(), 'imbalance_penalty', [['10', '0'], ['5', '0']]), /penalty_x_not_increasing/],
      [setFs(fee(), 'imbalance_penalty', [['10', '0'], ['10', '0']]), /penalty_x_not_increasing/],
      [setFs(fee(), 'imbalance_penalty', Array.from({ length: 101 }, (_, i) => [String(i), '0'])), /too many/],
      [set(fee(), 'timestamp', '2022-01-01'), /timestamp/],
      [set(fee(), 'timestamp', 1640995200), /timestamp/],
      [set(fee(), 'timestamp', '2022-02-30T00:00:00'), /timestamp/],
      [withoutKey(fee(), 'timestamp'), /timestamp/],
    ];
    for (const [json, pattern] of cases) assertInvalid(decodeJson(json), pattern);
  });
});

describe('splitting a Matrix body into lines (Python splitlines + strip)', () => {
  test('Python line boundaries and whitespace', () => {
    assert.deepEqual(splitMessageBody('a\nb\r\nc\rd\x0be\x0cf\x1cg\x1dh\x1ei\x85j\u2028k\u2029l'), [
      ...'abcdefghijkl',
    ]);
    assert.deepEqual(splitMessageBody('  {"a":1}  \n\n \t \n{"b":2}\x1f'), ['{"a":1}', '{"b":2}']);
    assert.deepEqual(splitMessageBody(''), []);
    assert.equal(pythonStrip('\u3000\xa0 x \u2003'), 'x');
    // U+FEFF is not whitespace for Python (JavaScript's trim() would remove it)
    assert.equal(pythonStrip('\ufeffx'), '\ufeffx');
  });

  test('several messages per body decode independently', () => {
    const body = [line(capacityJson(capacityFields(), PRIVATE_KEY_1)), 'garbage', line({ type: 'Processed' })].join('\n');
    assert.deepEqual(
      splitMessageBody(body).map((l) => decodeRaidenMessage(l).kind),
      ['capacity_update', 'invalid', 'other'],
    );
  });
});
