import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SELECTORS, TOPICS, chainPosition, decodeRegistryLog, decodeTokenNetworkLog, eventLogLine, parseQuantity } from '../../src/chain/index.ts';
import { asAddress } from '../../src/domain/index.ts';
import { parseLogLine } from '../../actors/ingress/log-line.ts';
import { closedLog, createdLog, openedLog } from './fake-rpc.ts';

const REGISTRY = asAddress('0x' + 'aa'.repeat(20));
const TOKEN = asAddress('0x' + '07'.repeat(20));
const TN = asAddress('0x' + '0e'.repeat(20));
const P1 = asAddress('0x' + '11'.repeat(20));
const P2 = asAddress('0x' + '22'.repeat(20));

describe('contract ABI pieces', () => {
  it('computes the topics of ms-reference §2.1', () => {
    assert.equal(TOPICS.TokenNetworkCreated, '0x16a2f408238dc0c22c8873be71a8ff6d7c731ee52e1955ffc4927a622b30f88f');
    assert.equal(TOPICS.ChannelOpened, '0x55bc5cbdb280ba924235746821de33542a878e786d67a54fd0a95bd640193844');
    assert.equal(TOPICS.ChannelClosed, '0x09d2f946e008c38931cd739dd20e35146deff8ab3134caee6d54fe50816a81b8');
    assert.equal(TOPICS.ChannelSettled, '0x5e973099ee6bae497f110b6b50e988c2a10decca1eb93982a42af12f297fc91c');
    assert.equal(TOPICS.NonClosingBalanceProofUpdated, '0x6fc5b4f4f9e65bfdc4c45456373906876cee8832b605478e281902468875eaed');
  });

  it('computes the selectors of ms-reference §6.5', () => {
    assert.equal(SELECTORS.effectiveBalance, '0x16a398f7');
    assert.equal(SELECTORS.hasValidRegistration, '0xebc00c05');
  });
});

describe('log decoding', () => {
  it('decodes TokenNetworkCreated, ChannelOpened and ChannelClosed', () => {
    assert.deepEqual(decodeRegistryLog(createdLog(REGISTRY, TOKEN, TN, 5, 3, 1500n), REGISTRY), {
      ok: true,
      event: { kind: 'network_created', block: 5, logIndex: 3, token: TOKEN, network: TN, settleTimeout: 1500n },
    });
    const networks = new Set([TN]);
    assert.deepEqual(decodeTokenNetworkLog(openedLog(TN, 2n ** 255n, P1, P2, 9, 1), networks), {
      ok: true,
      event: { kind: 'channel_opened', block: 9, logIndex: 1, network: TN, id: 2n ** 255n, participants: [P1, P2] },
    });
    assert.deepEqual(decodeTokenNetworkLog(closedLog(TN, 4n, P2, 10), networks), {
      ok: true,
      event: { kind: 'channel_closed', block: 10, logIndex: 0, network: TN, id: 4n, closing: P2 },
    });
  });

  it('accepts upper-case hex from the node', () => {
    const log = openedLog(TN, 1n, P1, P2, 9);
    const upper = { ...log, address: log.address.toUpperCase().replace('0X', '0x'), topics: log.topics.map((t) => t.toUpperCase().replace('0X', '0x')) };
    const d = decodeTokenNetworkLog(upper, new Set([TN]));
    assert.equal(d.ok, true);
  });

  it('ignores the TokenNetwork events the PFS does not use', () => {
    const log = { ...openedLog(TN, 1n, P1, P2, 9), topics: [TOPICS.ChannelNewDeposit, '0x' + '00'.repeat(32), '0x' + '00'.repeat(32)] };
    assert.deepEqual(decodeTokenNetworkLog(log, new Set([TN])), { ok: false, outcome: 'ignored_channel_new_deposit' });
  });

  it('rejects logs of unexpected shape with a reason, never throwing', () => {
    const good = openedLog(TN, 1n, P1, P2, 9);
    const networks = new Set([TN]);
    const cases: [unknown, string][] = [
      [null, 'rejected_not_an_object'],
      [[], 'rejected_not_an_object'],
      [{ ...good, removed: true }, 'rejected_removed'],
      [{ ...good, address: '0x12' }, 'rejected_bad_address'],
      [{ ...good, topics: [] }, 'rejected_bad_topics'],
      [{ ...good, topics: ['0x1234'] }, 'rejected_bad_topics'],
      [{ ...good, data: '0x123' }, 'rejected_bad_data'],
      [{ ...good, blockNumber: 12 }, 'rejected_bad_block_number'],
      [{ ...good, blockNumber: '0x' + 'f'.repeat(13) }, 'rejected_bad_block_number'],
      [{ ...good, logIndex: 'zz' }, 'rejected_bad_log_index'],
      [{ ...good, address: P1 }, 'rejected_unexpected_address'],
      [{ ...good, topics: good.topics.slice(0, 3) }, 'rejected_bad_channel_opened'],
      [{ ...good, data: '0x' + '00'.repeat(32) }, 'rejected_bad_channel_opened'],
      [{ ...good, topics: [good.topics[0], good.topics[1], '0x' + 'ff'.repeat(32), good.topics[3]] }, 'rejected_bad_channel_opened'],
      [{ ...good, topics: ['0x' + '99'.repeat(32)] }, 'rejected_unknown_topic'],
    ];
    for (const [log, outcome] of cases) assert.deepEqual(decodeTokenNetworkLog(log, networks), { ok: false, outcome }, JSON.stringify(log));
    assert.deepEqual(decodeRegistryLog(openedLog(REGISTRY, 1n, P1, P2, 1), REGISTRY), { ok: false, outcome: 'rejected_unknown_topic' });
    assert.deepEqual(decodeRegistryLog(createdLog(TN, TOKEN, TN, 1), REGISTRY), { ok: false, outcome: 'rejected_unexpected_address' });
  });

  it('orders positions by block, then log index, below 2^53', () => {
    assert.ok(chainPosition(5, 1_048_575) < chainPosition(6, 0));
    assert.ok(Number.isSafeInteger(chainPosition(2 ** 33 - 1, 2 ** 20 - 1)));
    assert.equal(parseQuantity('0x01'), 1);
    assert.equal(parseQuantity('1'), null);
  });

  it('writes event-log lines the file source reads back as the same inputs', () => {
    const opened = decodeTokenNetworkLog(openedLog(TN, 7n, P1, P2, 9), new Set([TN]));
    assert.ok(opened.ok);
    assert.deepEqual(parseLogLine(eventLogLine(opened.event)), { kind: 'channel_opened', block: 9, network: TN, id: 7n, participants: [P1, P2] });
    const created = decodeRegistryLog(createdLog(REGISTRY, TOKEN, TN, 5), REGISTRY);
    assert.ok(created.ok);
    assert.deepEqual(parseLogLine(eventLogLine(created.event)), { kind: 'network_created', block: 5, token: TOKEN, network: TN, settleTimeout: 500n });
  });
});
