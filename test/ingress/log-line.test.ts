import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLogLine } from '../../actors/ingress/log-line.ts';

const UINT256_MAX = (1n << 256n) - 1n;
const TN = '0x0101010101010101010101010101010101010101';
const TOKEN = '0x0000000000000000000000000000000000000007';
const P1 = '0x19d36abd5b82ed0925177fbd3038ce7bcea72a45';
const P2 = '0x425ae7433087c2e11d012e0835fa73e8cea347be';
const SIG = '0x' + 'ab'.repeat(65);

const line = (o: unknown) => JSON.stringify(o);
const chain = (event: string, fields: Record<string, unknown> = {}, block: unknown = 5) => line({ kind: 'chain', block, event, ...fields });
const opened = (over: Record<string, unknown> = {}) =>
  chain('ChannelOpened', { token_network_address: TN, channel_identifier: '1', participant1: P1, participant2: P2, ...over });
const created = (over: Record<string, unknown> = {}) =>
  chain('TokenNetworkCreated', { token_address: TOKEN, token_network_address: TN, settle_timeout: '500', ...over });
const reason = (text: string) => {
  const r = parseLogLine(text);
  return r.kind === 'invalid' ? r.reason : `not invalid: ${r.kind}`;
};

describe('parseLogLine: the event kinds (spec/event-log.md)', () => {
  test('TokenNetworkCreated', () => {
    assert.deepEqual(parseLogLine(created()), { kind: 'network_created', block: 5, token: TOKEN, network: TN, settleTimeout: 500n });
  });

  test('ChannelOpened', () => {
    assert.deepEqual(parseLogLine(opened()), { kind: 'channel_opened', block: 5, network: TN, id: 1n, participants: [P1, P2] });
  });

  test('ChannelClosed and ChannelSettled both close; optional fields are ignored', () => {
    const fields = { token_network_address: TN, channel_identifier: '9', closing_participant: P1, nonce: '3', balance_hash: '0x' + '00'.repeat(32) };
    assert.deepEqual(parseLogLine(chain('ChannelClosed', fields)), { kind: 'channel_closed', block: 5, network: TN, id: 9n });
    assert.deepEqual(parseLogLine(chain('ChannelSettled', { token_network_address: TN, channel_identifier: 9 })), { kind: 'channel_closed', block: 5, network: TN, id: 9n });
  });

  test('Block', () => {
    assert.deepEqual(parseLogLine(chain('Block', {}, 77)), { kind: 'block', block: 77 });
  });

  test('a byte order mark before the first event does not hide it', () => {
    assert.deepEqual(parseLogLine('\ufeff' + created()), parseLogLine(created()));
    assert.equal(reason('\ufeff\ufeff' + created()), 'not_json', 'only one mark is skipped');
  });

  test('presence, with and without displayname and avatar', () => {
    const userId = `@${P1}:localhost`;
    assert.deepEqual(parseLogLine(line({ kind: 'presence', user_id: userId, presence: 'unavailable', displayname: SIG, avatar_url: 'mxc://x' })), {
      kind: 'presence',
      userId,
      presence: 'unavailable',
      displayname: SIG,
      avatarUrl: 'mxc://x',
    });
    for (const p of ['online', 'offline'] as const) {
      // missing or non-string displayname/avatar become null (the displayname check then refuses it)
      assert.deepEqual(parseLogLine(line({ kind: 'presence', user_id: userId, presence: p, displayname: 5, avatar_url: null })), {
        kind: 'presence',
        userId,
        presence: p,
        displayname: null,
        avatarUrl: null,
      });
    }
  });

  test('to_device keeps sender and body verbatim (decoded later)', () => {
    const body = '{"type":"PFSCapacityUpdate"}\n\n not json';
    assert.deepEqual(parseLogLine(line({ kind: 'to_device', sender: '@x:y', body })), { kind: 'to_device', sender: '@x:y', body });
  });

  test('unknown keys are ignored', () => {
    assert.deepEqual(parseLogLine(line({ kind: 'chain', block: 1, event: 'Block', extra: { deep: [1] } })), { kind: 'block', block: 1 });
  });
});

describe('parseLogLine: numbers and addresses', () => {
  test('integers may be JSON numbers or decimal strings, with the same result', () => {
    for (const [n, s] of [[0, '0'], [1, '1'], [Number.MAX_SAFE_INTEGER, String(Number.MAX_SAFE_INTEGER)]] as const) {
      assert.deepEqual(parseLogLine(chain('Block', {}, n)), parseLogLine(chain('Block', {}, s)));
      assert.deepEqual(parseLogLine(opened({ channel_identifier: n })), parseLogLine(opened({ channel_identifier: s })));
      assert.deepEqual(parseLogLine(created({ settle_timeout: n })), parseLogLine(created({ settle_timeout: s })));
    }
  });

  test('amount-like fields above 2^53 are exact as decimal strings, up to 2^256-1', () => {
    const r = parseLogLine(opened({ channel_identifier: UINT256_MAX.toString() }));
    assert.equal(r.kind === 'channel_opened' && r.id, UINT256_MAX);
    const s = parseLogLine(created({ settle_timeout: '9007199254740993' }));
    assert.equal(s.kind === 'network_created' && s.settleTimeout, 9007199254740993n);
    assert.equal(reason(opened({ channel_identifier: (UINT256_MAX + 1n).toString() })), 'bad_channel_opened');
    assert.equal(reason(created({ settle_timeout: (UINT256_MAX + 1n).toString() })), 'bad_token_network_created');
  });

  test('addresses in any letter case are normalised to lower case', () => {
    const upper = '0x' + P1.slice(2).toUpperCase();
    const mixed = '0x19D36abd5B82ED0925177fbd3038CE7bcea72A45';
    for (const a of [upper, mixed]) {
      const r = parseLogLine(opened({ participant1: a, token_network_address: TN.toUpperCase().replace('0X', '0x') }));
      assert.deepEqual(r, { kind: 'channel_opened', block: 5, network: TN, id: 1n, participants: [P1, P2] });
    }
  });

  test('blocks are limited to safe integers (as strings too)', () => {
    assert.deepEqual(parseLogLine(chain('Block', {}, '9007199254740991')), { kind: 'block', block: 9007199254740991 });
    assert.equal(reason(chain('Block', {}, '9007199254740992')), 'bad_block');
  });
});

describe('parseLogLine: empty and invalid lines, each with its reason', () => {
  test('empty and blank lines are skipped, not invalid', () => {
    for (const t of ['', ' ', '\t', '\r', '   \t  ']) assert.deepEqual(parseLogLine(t), { kind: 'skip' }, JSON.stringify(t));
  });

  const cases: [string, string, string][] = [
    ['not JSON', '{"kind": "chain",', 'not_json'],
    ['bare words', 'hello', 'not_json'],
    ['JSON null', 'null', 'not_an_object'],
    ['a JSON array', '[{"kind":"chain"}]', 'not_an_object'],
    ['a JSON number', '42', 'not_an_object'],
    ['a JSON string', '"chain"', 'not_an_object'],
    ['no kind', line({ block: 1, event: 'Block' }), 'unknown_kind'],
    ['unknown kind', line({ kind: 'rumour', block: 1 }), 'unknown_kind'],
    ['kind in another case', line({ kind: 'Chain', block: 1, event: 'Block' }), 'unknown_kind'],
    ['kind not a string', line({ kind: 1 }), 'unknown_kind'],
    ['unknown chain event', chain('ChannelNewDeposit'), 'unknown_chain_event'],
    ['chain event missing', line({ kind: 'chain', block: 1 }), 'unknown_chain_event'],
    ['event name in another case', chain('block'), 'unknown_chain_event'],
    ['block missing', line({ kind: 'chain', event: 'Block' }), 'bad_block'],
    ['negative block', chain('Block', {}, -1), 'bad_block'],
    ['negative block string', chain('Block', {}, '-1'), 'bad_block'],
    ['fractional block', chain('Block', {}, 1.5), 'bad_block'],
    ['block above 2^53 as a number', chain('Block', {}, 2 ** 53), 'bad_block'],
    ['huge block number', '{"kind":"chain","block":1e400,"event":"Block"}', 'bad_block'],
    ['hex block', chain('Block', {}, '0x10'), 'bad_block'],
    ['block with spaces', chain('Block', {}, ' 1'), 'bad_block'],
    ['block with a sign', chain('Block', {}, '+1'), 'bad_block'],
    ['block in exponent form', chain('Block', {}, '1e3'), 'bad_block'],
    ['empty block string', chain('Block', {}, ''), 'bad_block'],
    ['block as boolean', chain('Block', {}, true), 'bad_block'],
    ['overlong decimal block', chain('Block', {}, '1'.repeat(101)), 'bad_block'],
    ['network created: bad token address', created({ token_address: '0x1234' }), 'bad_token_network_created'],
    ['network created: address without 0x', created({ token_network_address: TN.slice(2) }), 'bad_token_network_created'],
    ['network created: address with a non-hex digit', created({ token_network_address: '0x' + 'g'.repeat(40) }), 'bad_token_network_created'],
    ['network created: settle timeout missing', created({ settle_timeout: undefined }), 'bad_token_network_created'],
    ['network created: negative settle timeout', created({ settle_timeout: -500 }), 'bad_token_network_created'],
    ['network created: settle timeout as float string', created({ settle_timeout: '500.0' }), 'bad_token_network_created'],
    ['channel opened: participant missing', opened({ participant2: undefined }), 'bad_channel_opened'],
    ['channel opened: participant too long', opened({ participant1: P1 + '00' }), 'bad_channel_opened'],
    ['channel opened: negative id', opened({ channel_identifier: -1 }), 'bad_channel_opened'],
    ['channel opened: id above 2^53 as a number', opened({ channel_identifier: 2 ** 60 }), 'bad_channel_opened'],
    ['channel opened: id as hex', opened({ channel_identifier: '0x01' }), 'bad_channel_opened'],
    ['channel opened: network as number', opened({ token_network_address: 5 }), 'bad_channel_opened'],
    ['channel closed: no id', chain('ChannelClosed', { token_network_address: TN }), 'bad_channelclosed'],
    ['channel closed: bad network', chain('ChannelClosed', { token_network_address: '0x', channel_identifier: '1' }), 'bad_channelclosed'],
    ['channel settled: bad id', chain('ChannelSettled', { token_network_address: TN, channel_identifier: 'one' }), 'bad_channelsettled'],
    ['presence without user id', line({ kind: 'presence', presence: 'online', displayname: SIG }), 'presence_without_user_id'],
    ['presence with a numeric user id', line({ kind: 'presence', user_id: 5, presence: 'online' }), 'presence_without_user_id'],
    ['presence missing', line({ kind: 'presence', user_id: `@${P1}:x` }), 'unknown_presence'],
    ['presence unknown value', line({ kind: 'presence', user_id: `@${P1}:x`, presence: 'away' }), 'unknown_presence'],
    ['presence in upper case', line({ kind: 'presence', user_id: `@${P1}:x`, presence: 'ONLINE' }), 'unknown_presence'],
    ['to_device without sender', line({ kind: 'to_device', body: '{}' }), 'to_device_without_sender_or_body'],
    ['to_device without body', line({ kind: 'to_device', sender: '@x:y' }), 'to_device_without_sender_or_body'],
    ['to_device with an object body', line({ kind: 'to_device', sender: '@x:y', body: { type: 'PFSCapacityUpdate' } }), 'to_device_without_sender_or_body'],
  ];
  for (const [name, text, expected] of cases) {
    test(`${name} -> ${expected}`, () => assert.equal(reason(text), expected));
  }
});
