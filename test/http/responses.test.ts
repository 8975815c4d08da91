import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asAddress, ZERO_ADDRESS, type Address } from '../../src/domain/index.ts';
import {
  CORS_HEADERS,
  feedbackAcceptedReply,
  infoBody,
  infoReply,
  lastIouReply,
  metadataReply,
  newFeedbackToken,
  onlineAddressesReply,
  parseJson,
  pathsBody,
  pathsReply,
  secondsSince,
  stringifyJson,
  type AddressMetadata,
  type ServiceInfo,
} from '../../src/http/index.ts';
import { cs } from './helpers.ts';

const addr = (byte: string): Address => asAddress('0x' + byte.repeat(20));
const N0 = asAddress('0x19d36abd5b82ed0925177fbd3038ce7bcea72a45');
const N1 = asAddress('0x425ae7433087c2e11d012e0835fa73e8cea347be');
const N2 = asAddress('0xc2d7cf95645d33006175b78989035c7c9061d3f9');

function meta(a: Address, displayname: string | null = null): AddressMetadata {
  return { userId: `@${a}:homeserver.com`, capabilities: 'mxc://raiden.network/cap?Receive=1&Mediate=1', displayname };
}

describe('POST /paths success body', () => {
  it('result entries with checksummed paths, metadata in path order, exact fees', () => {
    const token = newFeedbackToken();
    const body = pathsBody(
      [
        { path: [N0, N1, N2], estimatedFee: 0n, metadata: [meta(N0), meta(N1, '0x' + 'ab'.repeat(65)), meta(N2)] },
        { path: [N0, N2], estimatedFee: -(2n ** 200n), metadata: [meta(N0), meta(N2)] },
      ],
      token,
    );
    const text = stringifyJson(body, 'python');
    const r = parseJson(text);
    assert.ok(r.ok);
    const top = r.value as ReadonlyMap<string, unknown>;
    assert.deepEqual([...top.keys()], ['result', 'feedback_token']);
    assert.equal(top.get('feedback_token'), token);
    const result = top.get('result') as readonly ReadonlyMap<string, unknown>[];
    assert.equal(result.length, 2);
    const first = result[0]!;
    assert.deepEqual([...first.keys()], ['path', 'address_metadata', 'estimated_fee']);
    assert.deepEqual(first.get('path'), [cs(N0), cs(N1), cs(N2)]);
    const md = first.get('address_metadata') as ReadonlyMap<string, ReadonlyMap<string, unknown>>;
    assert.deepEqual([...md.keys()], [cs(N0), cs(N1), cs(N2)]);
    assert.deepEqual([...md.get(cs(N1))!.entries()], [
      ['user_id', `@${N1}:homeserver.com`],
      ['capabilities', 'mxc://raiden.network/cap?Receive=1&Mediate=1'],
      ['displayname', '0x' + 'ab'.repeat(65)],
    ]);
    assert.equal(md.get(cs(N0))!.get('displayname'), null);
    assert.equal(first.get('estimated_fee'), 0n);
    assert.equal(result[1]!.get('estimated_fee'), -(2n ** 200n));
    assert.match(text, new RegExp(`"estimated_fee": -${2n ** 200n}\\}`));
  });

  it('the trivial path [from] of a from == to request', () => {
    const reply = pathsReply([{ path: [N0], estimatedFee: 0n, metadata: [meta(N0)] }], 'a'.repeat(32));
    assert.equal(reply.status, 200);
    assert.equal(
      reply.body,
      `{"result": [{"path": ["${cs(N0)}"], "address_metadata": {"${cs(N0)}": {"user_id": "@${N0}:homeserver.com", ` +
        `"capabilities": "mxc://raiden.network/cap?Receive=1&Mediate=1", "displayname": null}}, "estimated_fee": 0}], ` +
        `"feedback_token": "${'a'.repeat(32)}"}\n`,
    );
  });

  it('metadata must match the path (a programming error otherwise)', () => {
    assert.throws(() => pathsBody([{ path: [N0, N1], estimatedFee: 0n, metadata: [meta(N0)] }], 'x'));
  });

  it('feedback tokens are uuid4 hex: 32 lower-case hex digits, version 4', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const t = newFeedbackToken();
      assert.match(t, /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      seen.add(t);
    }
    assert.equal(seen.size, 100);
  });
});

// test_api.py test_get_info / test_get_info2 (spec §10.4)
const INFO: ServiceInfo = {
  priceInfo: 123n,
  chainId: 131277322940537n,
  tokenNetworkRegistryAddress: addr('09'),
  userDepositAddress: addr('08'),
  serviceTokenAddress: addr('07'),
  confirmedBlock: 0n,
  version: '2.0.1',
  contractsVersion: '0.50.2',
  operator: 'John Doe',
  message: 'This is your favorite PFS.',
  paymentAddress: asAddress('0xc2d7cf95645d33006175b78989035c7c9061d3f9'),
  matrixServer: 'https://matrix.server',
};
const NOW = BigInt(Date.UTC(2021, 9, 18, 15, 22, 12)) * 1000n + 407699n;

describe('GET /v1/info and /v2/info', () => {
  it('v1: the exact dict of test_get_info', () => {
    const reply = infoReply(1, INFO, NOW);
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), {
      price_info: 123,
      network_info: {
        chain_id: 131277322940537,
        token_network_registry_address: '0x0909090909090909090909090909090909090909',
        user_deposit_address: '0x0808080808080808080808080808080808080808',
        service_token_address: '0x0707070707070707070707070707070707070707',
        confirmed_block: { number: 0 },
      },
      version: '2.0.1',
      contracts_version: '0.50.2',
      operator: 'John Doe',
      message: 'This is your favorite PFS.',
      payment_address: '0xC2D7CF95645D33006175B78989035C7c9061d3F9',
      UTC: '2021-10-18T15:22:12.407699',
      matrix_server: 'https://matrix.server',
    });
    // key order as in the reference's dict literal
    assert.match(reply.body, /^\{"price_info": 123, "network_info": \{"chain_id": 131277322940537, "token_network_registry_address"/);
  });

  it('v2: price_info and confirmed_block.number as strings, chain_id stays a number', () => {
    const v2 = JSON.parse(infoReply(2, { ...INFO, priceInfo: 2n ** 100n, confirmedBlock: 99n }, NOW).body);
    assert.equal(v2.price_info, String(2n ** 100n));
    assert.equal(v2.network_info.confirmed_block.number, '99');
    assert.equal(v2.network_info.chain_id, 131277322940537);
    const v1 = JSON.parse(infoReply(1, INFO, NOW).body);
    const v2same = JSON.parse(infoReply(2, INFO, NOW).body);
    assert.deepEqual({ ...v2same, price_info: 123, network_info: { ...v2same.network_info, confirmed_block: { number: 0 } } }, v1);
  });

  it('v1 big numbers are exact JSON integers', () => {
    const body = infoBody(1, { ...INFO, priceInfo: 2n ** 100n }, NOW);
    assert.match(stringifyJson(body, 'python'), new RegExp(`"price_info": ${2n ** 100n},`));
  });

  it('UTC: microseconds omitted when zero, like datetime.isoformat()', () => {
    assert.equal(infoBody(1, INFO, BigInt(Date.UTC(2021, 9, 18)) * 1000n)['UTC'], '2021-10-18T00:00:00');
  });

  it('file-only mode: zero addresses checksummed, empty matrix server, every field present', () => {
    const b = JSON.parse(
      infoReply(1, { ...INFO, serviceTokenAddress: ZERO_ADDRESS, userDepositAddress: ZERO_ADDRESS, matrixServer: '' }, NOW).body,
    );
    assert.equal(b.network_info.service_token_address, '0x0000000000000000000000000000000000000000');
    assert.equal(b.matrix_server, '');
    assert.equal(Object.keys(b).length, 9);
  });
});

describe('other success answers', () => {
  it('online addresses: checksummed list', () => {
    const r = onlineAddressesReply(new Set([N1, N0]));
    assert.equal(r.body, `["${cs(N1)}", "${cs(N0)}"]\n`);
    assert.equal(onlineAddressesReply([]).body, '[]\n');
  });

  it('address metadata: user_id, capabilities, displayname (null allowed)', () => {
    assert.deepEqual(JSON.parse(metadataReply(meta(N0)).body), {
      user_id: `@${N0}:homeserver.com`,
      capabilities: 'mxc://raiden.network/cap?Receive=1&Mediate=1',
      displayname: null,
    });
  });

  it('seen_offline_since: timedelta.total_seconds()', () => {
    assert.equal(secondsSince(10_500_000n, 0n), 10.5);
    assert.equal(secondsSince(1_000_001n, 0n), 1.000001);
  });

  it('last IOU without claimed', () => {
    const r = lastIouReply({
      sender: N0,
      receiver: N2,
      amount: 2n ** 200n,
      claimableUntil: 7619644n,
      oneToNAddress: addr('01'),
      chainId: 131277322940537n,
      signature: new Uint8Array(65).fill(0x1b),
      claimed: false,
    });
    assert.equal(r.status, 200);
    assert.equal(
      r.body,
      `{"last_iou": {"sender": "${cs(N0)}", "receiver": "${cs(N2)}", "amount": ${2n ** 200n}, "claimable_until": 7619644, ` +
        `"one_to_n_address": "0x0101010101010101010101010101010101010101", "chain_id": 131277322940537, "signature": "0x${'1b'.repeat(65)}"}}\n`,
    );
  });

  it('feedback accepted: 200 {}', () => {
    assert.deepEqual(feedbackAcceptedReply(), { status: 200, contentType: 'application/json', body: '{}\n', headers: [] });
  });

  it('CORS headers of the reference', () => {
    assert.deepEqual(CORS_HEADERS, [
      ['Access-Control-Allow-Origin', '*'],
      ['Access-Control-Allow-Headers', 'Origin, Content-Type, Accept'],
      ['Access-Control-Allow-Methods', 'GET,POST,OPTIONS'],
    ]);
  });
});
