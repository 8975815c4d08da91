import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address } from '../../src/domain/index.ts';
import { TokenNetworkState } from '../../src/graph/index.ts';
import {
  type DecodedCapacityUpdate,
  type DecodedFeeUpdate,
  type ValidationContext,
  channelRejection,
  decodeRaidenMessage,
  feeTimestampRejection,
  isoFromEpochMs,
  validateCapacityUpdate,
  validateFeeUpdate,
} from '../../src/protocol/index.ts';
import { PRIVATE_KEY_1, PRIVATE_KEY_2, PRIVATE_KEY_3, addressOf } from './keys.ts';
import { TEST_CHAIN_ID, TEST_TOKEN_NETWORK, capacityFields, capacityJson, feeFields, feeJson, line } from './messages.ts';

const KEY1 = addressOf(PRIVATE_KEY_1);
const KEY2 = addressOf(PRIVATE_KEY_2);
const KEY3 = addressOf(PRIVATE_KEY_3);

const CTX: ValidationContext = {
  chainId: TEST_CHAIN_ID,
  isKnownTokenNetwork: (tn) => tn === TEST_TOKEN_NETWORK,
};

function decodeCapacity(json: Record<string, unknown>): DecodedCapacityUpdate {
  const m = decodeRaidenMessage(line(json));
  assert.equal(m.kind, 'capacity_update');
  return m as DecodedCapacityUpdate;
}

/** The reason code of a result (undefined when accepted). */
function reasonOf(result: { ok: true } | { ok: false; reason: string }): string | undefined {
  return result.ok ? undefined : result.reason;
}

const OTHER_TOKEN_NETWORK = ('0x' + '1'.repeat(40)) as Address;

function decodeFee(json: Record<string, unknown>): DecodedFeeUpdate {
  const m = decodeRaidenMessage(line(json));
  assert.equal(m.kind, 'fee_update');
  return m as DecodedFeeUpdate;
}

/** The reference test setup: channel 0 between key1 and key2 (spec §10.5). */
function setupChannel(): TokenNetworkState {
  const state = new TokenNetworkState(TEST_TOKEN_NETWORK, 1500n);
  assert.equal(state.openChannel(0n, KEY1, KEY2).kind, 'opened');
  return state;
}

function assertRejected(result: { ok: boolean }, reason: string, text: RegExp): void {
  assert.equal(result.ok, false, 'expected a rejection');
  const r = result as { ok: false; reason: string; message: string };
  assert.equal(r.reason, reason);
  assert.match(r.message, text);
}

describe('capacity updates (test_capacity_updates.py, spec §10.5)', () => {
  test('a correct update passes and carries the CapacityUpdate the state needs', () => {
    const r = validateCapacityUpdate(decodeCapacity(capacityJson(capacityFields(), PRIVATE_KEY_1)), CTX);
    assert.ok(r.ok);
    assert.equal(r.tokenNetwork, TEST_TOKEN_NETWORK);
    assert.equal(r.signer, KEY1);
    assert.deepEqual(r.update, {
      channelId: 0n,
      updating: KEY1,
      other: KEY2,
      updatingNonce: 1n,
      otherNonce: 0n,
      updatingCapacity: 90n,
      otherCapacity: 110n,
      revealTimeout: 2n,
    });
  });

  test('wrong chain id', () => {
    const m = decodeCapacity(capacityJson(capacityFields({ chainId: 121212n }), PRIVATE_KEY_1));
    const text = /^Received Capacity Update with unknown chain identifier$/;
    assertRejected(validateCapacityUpdate(m, CTX), 'unknown_chain_id', text);
  });

  test('wrong token network', () => {
    const m = decodeCapacity(capacityJson(capacityFields({ tokenNetwork: OTHER_TOKEN_NETWORK }), PRIVATE_KEY_1));
    const text = /^Received Capacity Update with unknown token network$/;
    assertRejected(validateCapacityUpdate(m, CTX), 'unknown_token_network', text);
  });

  test('wrong channel id passes validation and is deferred by the state', () => {
    const r = validateCapacityUpdate(decodeCapacity(capacityJson(capacityFields({ channelId: 35n }), PRIVATE_KEY_1)), CTX);
    assert.ok(r.ok);
    const applied = setupChannel().applyCapacityUpdate(r.update);
    assert.equal(applied.kind, 'unknown_channel');
    assert.equal(channelRejection('capacity_update', applied), null);
  });

  test('updating_capacity = 2^256 after signing', () => {
    const json = capacityJson(capacityFields(), PRIVATE_KEY_1);
    json['updating_capacity'] = String(2n ** 256n);
    const m = decodeCapacity(json);
    assertRejected(validateCapacityUpdate(m, CTX), 'impossible_updating_capacity', /with impossible updating_capacity$/);
    // also when the Matrix sender is known: the message cannot be packed, so steps 1-3 decide
    assertRejected(
      validateCapacityUpdate(m, { ...CTX, expectedSender: KEY1 }),
      'impossible_updating_capacity',
      /impossible updating_capacity/,
    );
  });

  test('other_capacity = 2^256 after signing', () => {
    const json = capacityJson(capacityFields(), PRIVATE_KEY_1);
    json['other_capacity'] = String(2n ** 256n);
    const r = validateCapacityUpdate(decodeCapacity(json), CTX);
    assertRejected(r, 'impossible_other_capacity', /with impossible other_capacity$/);
  });

  test('updating = key3 (signed by key3): sender not in the channel', () => {
    const r = validateCapacityUpdate(decodeCapacity(capacityJson(capacityFields({ updating: KEY3 }), PRIVATE_KEY_3)), CTX);
    assert.ok(r.ok);
    const rejection = channelRejection('capacity_update', setupChannel().applyCapacityUpdate(r.update));
    assert.ok(rejection !== null);
    assertRejected(rejection, 'sender_not_in_channel', /^Sender of Capacity Update does not match the internal channel$/);
  });

  test('other = key3: other participant not in the channel', () => {
    const r = validateCapacityUpdate(decodeCapacity(capacityJson(capacityFields({ other: KEY3 }), PRIVATE_KEY_1)), CTX);
    assert.ok(r.ok);
    const rejection = channelRejection('capacity_update', setupChannel().applyCapacityUpdate(r.update));
    assert.ok(rejection !== null);
    assertRejected(
      rejection,
      'other_not_in_channel',
      /^Other Participant of Capacity Update does not match the internal channel$/,
    );
  });

  test('updating = key1 but signed by key3', () => {
    const m = decodeCapacity(capacityJson(capacityFields(), PRIVATE_KEY_3));
    assertRejected(validateCapacityUpdate(m, CTX), 'not_signed_correctly', /^Capacity Update not signed correctly$/);
  });

  test('a signature that recovers nothing is "not signed correctly"', () => {
    const json = capacityJson(capacityFields(), PRIVATE_KEY_1);
    json['signature'] = '0x' + '00'.repeat(64) + '1b';
    assertRejected(validateCapacityUpdate(decodeCapacity(json), CTX), 'not_signed_correctly', /not signed correctly/);
  });

  test('a tampered field changes the signer', () => {
    const json = capacityJson(capacityFields(), PRIVATE_KEY_1);
    json['updating_nonce'] = '2';
    assertRejected(validateCapacityUpdate(decodeCapacity(json), CTX), 'not_signed_correctly', /not signed correctly/);
  });

  test('the reference order: chain id, token network, capacity bound, signature', () => {
    const json = capacityJson(capacityFields({ chainId: 5n, tokenNetwork: KEY3 }), PRIVATE_KEY_3);
    json['updating_capacity'] = String(2n ** 256n);
    assert.equal(reasonOf(validateCapacityUpdate(decodeCapacity(json), CTX)), 'unknown_chain_id');
    const json2 = capacityJson(capacityFields({ tokenNetwork: KEY3 }), PRIVATE_KEY_3);
    json2['updating_capacity'] = String(2n ** 256n);
    assert.equal(reasonOf(validateCapacityUpdate(decodeCapacity(json2), CTX)), 'unknown_token_network');
    const json3 = capacityJson(capacityFields(), PRIVATE_KEY_3);
    json3['other_capacity'] = String(2n ** 256n);
    assert.equal(reasonOf(validateCapacityUpdate(decodeCapacity(json3), CTX)), 'impossible_other_capacity');
  });

  test('the min-rule sequence end to end (decode, validate, apply)', () => {
    const state = setupChannel();
    const send = (key: string, updating: Address, other: Address, mine: bigint, theirs: bigint) => {
      const fields = capacityFields({ updating, other, updatingCapacity: mine, otherCapacity: theirs });
      const r = validateCapacityUpdate(decodeCapacity(capacityJson(fields, key)), { ...CTX, expectedSender: updating });
      assert.ok(r.ok);
      assert.equal(state.applyCapacityUpdate(r.update).kind, 'applied');
      const c = state.channel(0n)!;
      const k1 = c.participants[0] === KEY1 ? 0 : 1;
      return [c.sides[k1].capacity, c.sides[1 - k1]!.capacity];
    };
    assert.deepEqual(send(PRIVATE_KEY_1, KEY1, KEY2, 90n, 110n), [0n, 0n]);
    assert.deepEqual(send(PRIVATE_KEY_2, KEY2, KEY1, 110n, 90n), [90n, 110n]);
    assert.deepEqual(send(PRIVATE_KEY_1, KEY1, KEY2, 90n, 110n), [90n, 110n]);
    assert.deepEqual(send(PRIVATE_KEY_1, KEY1, KEY2, 10000n, 110n), [90n, 110n]);
    assert.deepEqual(send(PRIVATE_KEY_1, KEY1, KEY2, 90n, 0n), [90n, 0n]);
    assert.deepEqual(send(PRIVATE_KEY_1, KEY1, KEY2, 90n, 10000n), [90n, 110n]);
  });
});

describe('fee updates (test_fee_updates.py, spec §10.5)', () => {
  const NOW = Date.UTC(2022, 0, 1, 12, 0, 0);

  test('wrong chain id', () => {
    const m = decodeFee(feeJson(feeFields({ chainId: 121212n }), PRIVATE_KEY_1));
    assertRejected(validateFeeUpdate(m, CTX), 'unknown_chain_id', /^Received Fee Update with unknown chain identifier$/);
  });

  test('wrong token network', () => {
    const m = decodeFee(feeJson(feeFields({ tokenNetwork: OTHER_TOKEN_NETWORK }), PRIVATE_KEY_1));
    assertRejected(validateFeeUpdate(m, CTX), 'unknown_token_network', /^Received Fee Update with unknown token network$/);
  });

  test('wrong channel id is deferred', () => {
    const r = validateFeeUpdate(decodeFee(feeJson(feeFields({ channelId: 35n }), PRIVATE_KEY_1)), CTX);
    assert.ok(r.ok);
    assert.equal(setupChannel().applyFeeUpdate(r.update).kind, 'unknown_channel');
  });

  test('updating = key1 but signed by key3', () => {
    const m = decodeFee(feeJson(feeFields(), PRIVATE_KEY_3));
    assertRejected(validateFeeUpdate(m, CTX), 'not_signed_correctly', /^Fee Update not signed correctly$/);
  });

  test('updating = key3 (signed by key3): sender not in the channel', () => {
    const r = validateFeeUpdate(decodeFee(feeJson(feeFields({ updating: KEY3 }), PRIVATE_KEY_3)), CTX);
    assert.ok(r.ok);
    const rejection = channelRejection('fee_update', setupChannel().applyFeeUpdate(r.update));
    assert.ok(rejection !== null);
    assertRejected(rejection, 'sender_not_in_channel', /^Sender of Fee Update does not match the internal channel$/);
  });

  test('a tz-aware timestamp is refused at decoding; a naive utcnow is accepted and applied', () => {
    const nowIso = isoFromEpochMs(Date.now());
    const aware = decodeRaidenMessage(line(feeJson(feeFields({ timestamp: nowIso }), PRIVATE_KEY_1, nowIso + '+00:00')));
    assert.equal(aware.kind, 'invalid');
    assert.match((aware as { reason: string }).reason, /should not contain timezone/);

    const r = validateFeeUpdate(decodeFee(feeJson(feeFields({ timestamp: nowIso }), PRIVATE_KEY_1)), CTX);
    assert.ok(r.ok);
    assert.equal(feeTimestampRejection(r.update, Date.now()), null);
    assert.equal(setupChannel().applyFeeUpdate(r.update).kind, 'applied');
  });

  test('a non-canonical naive wire timestamp verifies against its isoformat', () => {
    // Raiden signs isoformat(); a wire text like "2022-01-01 00:00" parses to the same value.
    const r = validateFeeUpdate(decodeFee(feeJson(feeFields(), PRIVATE_KEY_1, '2022-01-01 00:00')), CTX);
    assert.ok(r.ok);
    assert.equal(r.update.timestamp, '2022-01-01T00:00:00.000000');
  });

  test('"Timestamp is in the future" beyond now + 1 h', () => {
    const late = isoFromEpochMs(NOW + 3_600_000 + 1);
    const r = validateFeeUpdate(decodeFee(feeJson(feeFields({ timestamp: late }), PRIVATE_KEY_1)), CTX);
    assert.ok(r.ok);
    const rejection = feeTimestampRejection(r.update, NOW);
    assert.ok(rejection !== null);
    assertRejected(rejection, 'timestamp_in_future', /^Timestamp is in the future$/);
    const edgeFields = feeFields({ timestamp: isoFromEpochMs(NOW + 3_600_000) });
    const edge = validateFeeUpdate(decodeFee(feeJson(edgeFields, PRIVATE_KEY_1)), CTX);
    assert.ok(edge.ok);
    assert.equal(feeTimestampRejection(edge.update, NOW), null);
  });

  test('timestamps must increase between fee updates', () => {
    const state = setupChannel();
    const r = validateFeeUpdate(decodeFee(feeJson(feeFields(), PRIVATE_KEY_1)), CTX);
    assert.ok(r.ok);
    assert.equal(state.applyFeeUpdate(r.update).kind, 'applied');
    const rejection = channelRejection('fee_update', state.applyFeeUpdate(r.update));
    assert.ok(rejection !== null);
    assertRejected(rejection, 'timestamp_not_increasing', /^Timestamp must increase between fee updates$/);
  });

  test('the default timestamp 2000-01-01 cannot be used (strictly greater)', () => {
    const r = validateFeeUpdate(decodeFee(feeJson(feeFields({ timestamp: '2000-01-01T00:00:00' }), PRIVATE_KEY_1)), CTX);
    assert.ok(r.ok);
    assert.equal(setupChannel().applyFeeUpdate(r.update).kind, 'timestamp_not_increasing');
  });
});

describe('the Matrix sender must be the signer (spec §8.5)', () => {
  test('a message relayed by someone else is dropped', () => {
    const cap = decodeCapacity(capacityJson(capacityFields(), PRIVATE_KEY_1));
    const relayed = validateCapacityUpdate(cap, { ...CTX, expectedSender: KEY2 });
    assertRejected(relayed, 'not_signed_by_sender', /^Message not signed by sender!$/);
    assert.ok(validateCapacityUpdate(cap, { ...CTX, expectedSender: KEY1 }).ok);
    const fee = decodeFee(feeJson(feeFields(), PRIVATE_KEY_1));
    assertRejected(validateFeeUpdate(fee, { ...CTX, expectedSender: KEY2 }), 'not_signed_by_sender', /not signed by sender/);
    assert.ok(validateFeeUpdate(fee, { ...CTX, expectedSender: KEY1 }).ok);
  });

  test('it is checked first, as the reference does while deserialising', () => {
    const m = decodeCapacity(capacityJson(capacityFields({ chainId: 121212n }), PRIVATE_KEY_1));
    assert.equal(reasonOf(validateCapacityUpdate(m, { ...CTX, expectedSender: KEY2 })), 'not_signed_by_sender');
  });

  test('an injected recoverer is used, at most once per message', () => {
    let calls = 0;
    const ctx: ValidationContext = {
      ...CTX,
      expectedSender: KEY1,
      recoverSigner: () => {
        calls++;
        return KEY1;
      },
    };
    // signed by key3, but the injected recoverer vouches for key1
    const r = validateCapacityUpdate(decodeCapacity(capacityJson(capacityFields(), PRIVATE_KEY_3)), ctx);
    assert.ok(r.ok);
    assert.equal(calls, 1);
    // no recovery at all when an earlier step already decides
    calls = 0;
    const wrongChain = decodeCapacity(capacityJson(capacityFields({ chainId: 1n }), PRIVATE_KEY_1));
    validateCapacityUpdate(wrongChain, { ...ctx, expectedSender: undefined });
    assert.equal(calls, 0);
  });
});
