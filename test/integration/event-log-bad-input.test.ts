import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { channelClosedLine, channelOpenedLine, tokenNetworkCreatedLine, userIdOf } from '../../src/demo/event-lines.ts';
import { writeSignedLog } from '../../src/demo/signed-log.ts';
import type { NetworkSpec } from '../../src/demo/topology.ts';
import { asAddress, toChecksumAddress } from '../../src/domain/index.ts';
import { TimedFeeSchedule } from '../../src/graph/index.ts';
import { type KeyPair, derivedKey, keyPair } from '../../src/protocol/index.ts';
import { DeferredStore } from '../../src/store/deferred-store.ts';
import { closeStore, openStore } from '../../src/store/environment.ts';
import { address, privateKey } from '../fixtures/accounts.ts';
import { FIXTURE_CHAIN_ID, FIXTURE_TOKEN_NETWORK } from '../helpers/fixture-log.ts';
import { CASE_1 } from '../helpers/reference-fixtures.ts';
import { type HttpResult, ServiceProcess } from '../helpers/service-process.ts';
import { capacity, displaynameOf, fee, flatSchedule, presenceWith, sendAs, tampered, toDeviceFrom } from '../helpers/signed-lines.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * The event-log source under hostile input, end to end: the same signed case_1 network is
 * loaded from a clean log and from that log with hostile lines interleaved (and one
 * channel's updates moved before its ChannelOpened, so they must wait and be replayed).
 * No hostile line may change an answer; each must be counted under its reason in /metrics;
 * the service must keep running; and a restart of the hostile data dir without --events
 * must answer exactly as before.
 */

const CHAIN = FIXTURE_CHAIN_ID;
const TN = FIXTURE_TOKEN_NETWORK;
const SERVER = 'homeserver.com';
const NODES = 7;
const OFFLINE = 6;
/** The channel whose updates come before its ChannelOpened in the hostile log. */
const MOVED = 3n;
const KEYS: KeyPair[] = Array.from({ length: NODES }, (_, i) => keyPair(Buffer.from(privateKey(i).slice(2), 'hex')));
/** Keys that are no participant of anything. */
const OUTSIDER = derivedKey('bad-input-outsider', 0);
const STRANGER = derivedKey('bad-input-outsider', 1);
const FEE_EPOCH = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
const MAX_U256 = (1n << 256n) - 1n;

/** case_1 with fees on the mediators' sides, so fee answers depend on the fee updates. */
function spec(): NetworkSpec {
  const feeOf = (flat: bigint, proportional: bigint) => TimedFeeSchedule.of(flatSchedule(flat, proportional), '2000-01-01T00:00:00.000000');
  const fees: Record<number, [TimedFeeSchedule | null, TimedFeeSchedule | null]> = {
    0: [null, feeOf(1n, 0n)],
    1: [feeOf(1n, 0n), feeOf(0n, 20_000n)],
    2: [feeOf(0n, 20_000n), null],
    3: [null, feeOf(2n, 10_000n)],
    5: [feeOf(1n, 0n), feeOf(2n, 10_000n)],
  };
  const reachable = new Uint8Array(NODES).fill(1);
  reachable[OFFLINE] = 0;
  return {
    name: 'bad-input',
    addresses: Array.from({ length: NODES }, (_, i) => address(i)),
    channels: CASE_1.map(([a, capacityAB, b, capacityBA], k) => ({ id: BigInt(k), a, b, capacityAB, capacityBA, feeA: fees[k]?.[0] ?? null, feeB: fees[k]?.[1] ?? null })),
    reachable,
    medianCapacity: 0n,
  };
}

interface Parsed {
  readonly text: string;
  readonly o: Record<string, unknown>;
  /** For to-device lines: the channel id and type of the (single) message. */
  readonly message?: { readonly channel: bigint; readonly type: string };
}

function parse(text: string): Parsed {
  const o = JSON.parse(text) as Record<string, unknown>;
  if (o.kind !== 'to_device') return { text, o };
  const m = JSON.parse(o.body as string) as { type: string; canonical_identifier: { channel_identifier: string } };
  return { text, o, message: { channel: BigInt(m.canonical_identifier.channel_identifier), type: m.type } };
}

const cap = (signer: KeyPair, channel: bigint, other: number, own: bigint, theirs: bigint, over: Partial<Parameters<typeof capacity>[1]> = {}) =>
  capacity(signer, { chainId: CHAIN, network: TN, channel, other: address(other), capacity: own, otherCapacity: theirs, ...over });
const send = (from: KeyPair, ...m: (Record<string, unknown> | string)[]) => sendAs(from, SERVER, ...m);

/** Hostile lines (each must change nothing), with the counter each must land in. */
function hostileLines(good: readonly Parsed[]): { early: string[]; late: string[]; expected: Record<string, number> } {
  const K = KEYS;
  const now = Date.now();
  const early = [
    'this is not json',
    '{"kind":"chain","block":2,"event":"ChannelOpened"',
    JSON.stringify({ kind: 'gossip', block: 2 }),
    JSON.stringify({ kind: 'chain', block: 2, event: 'ChannelReopened', token_network_address: TN, channel_identifier: '0' }),
    JSON.stringify({ kind: 'chain', block: 'two', event: 'Block' }),
    JSON.stringify({ kind: 'chain', block: -5, event: 'Block' }),
    '{"kind":"chain","block":1e400,"event":"Block"}',
    JSON.stringify({ kind: 'chain', block: '99999999999999999999999', event: 'Block' }),
    JSON.stringify({ kind: 'chain', block: 2, event: 'ChannelOpened', token_network_address: TN, channel_identifier: true, participant1: address(0), participant2: address(5) }),
    JSON.stringify({ kind: 'chain', block: 2, event: 'ChannelOpened', token_network_address: TN, channel_identifier: '-1', participant1: address(0), participant2: address(5) }),
    JSON.stringify({ kind: 'chain', block: 2, event: 'ChannelOpened', token_network_address: TN, channel_identifier: '77', participant1: '0x123', participant2: address(5) }),
    JSON.stringify({ kind: 'chain', block: 2, event: 'TokenNetworkCreated', token_address: 'token', token_network_address: TN, settle_timeout: '500' }),
    JSON.stringify({ kind: 'presence', user_id: userIdOf(K[0]!.address, SERVER), presence: 1 }),
    JSON.stringify({ kind: 'to_device', sender: userIdOf(K[0]!.address, SERVER), body: { type: 'PFSCapacityUpdate' } }),
    // a second TokenNetworkCreated for the followed network, with another settle timeout
    tokenNetworkCreatedLine(1, asAddress('0x' + '07'.repeat(20)), TN, 9n),
  ];
  const late = [
    // presence: forged or malformed displaynames, for known and unknown addresses
    presenceWith(userIdOf(K[0]!.address, SERVER), 'offline', displaynameOf(K[1]!, userIdOf(K[0]!.address, SERVER))),
    presenceWith(userIdOf(K[1]!.address, SERVER), 'offline', '0xdeadbeef'),
    presenceWith(userIdOf(K[1]!.address, SERVER), 'offline', null),
    presenceWith(userIdOf(K[OFFLINE]!.address, SERVER), 'online', displaynameOf(K[OFFLINE]!, userIdOf(K[OFFLINE]!.address, 'other.server'))),
    presenceWith(userIdOf(OUTSIDER.address, SERVER), 'online', displaynameOf(STRANGER, userIdOf(OUTSIDER.address, SERVER))),
    presenceWith(userIdOf(K[2]!.address, SERVER).toUpperCase(), 'offline', displaynameOf(K[2]!, userIdOf(K[2]!.address, SERVER))),
    presenceWith(userIdOf(K[2]!.address, SERVER), 'away', displaynameOf(K[2]!, userIdOf(K[2]!.address, SERVER))),
    // to-device: a sender that is not the signer
    toDeviceFrom(userIdOf(K[2]!.address, SERVER), [cap(K[0]!, 0n, 1, 0n, 0n)]),
    // signed by the wrong key: from the signer's own user, and from the named participant's
    send(OUTSIDER, cap(OUTSIDER, 0n, 1, 0n, 0n, { updating: address(0) })),
    toDeviceFrom(userIdOf(K[0]!.address, SERVER), [cap(OUTSIDER, 0n, 1, 0n, 0n, { updating: address(0) })]),
    // a properly signed update from someone who is not in the channel
    send(OUTSIDER, cap(OUTSIDER, 0n, 1, 0n, 0n)),
    // wrong chain id, unknown token network, capacities above 2^256-1
    send(K[0]!, cap(K[0]!, 0n, 1, 0n, 0n, { chainId: 1n })),
    send(K[0]!, cap(K[0]!, 0n, 1, 0n, 0n, { network: asAddress('0x' + '09'.repeat(20)) })),
    send(K[0]!, tampered(cap(K[0]!, 0n, 1, 0n, 0n), { updating_capacity: (MAX_U256 + 1n).toString() })),
    send(K[0]!, tampered(cap(K[0]!, 0n, 1, 0n, 0n), { other_capacity: (MAX_U256 + 1n).toString() })),
    // a field changed after signing
    send(K[0]!, tampered(cap(K[0]!, 0n, 1, 90n, 60n), { updating_capacity: '0' })),
    // a sender that is no Matrix user id, and a body line that is no Raiden message
    toDeviceFrom(K[0]!.address, [cap(K[0]!, 0n, 1, 0n, 0n)]),
    send(K[0]!, '{"type": "PFSCapacityUpdate", "canonical_identifier": 5}'),
    send(K[0]!, { type: 'Processed', message_identifier: '1' }),
    // a replay of an old capacity update (lower nonce) claiming more: the min-rule keeps the
    // partner's report, so nothing changes; and a verbatim replay of an applied update
    send(K[0]!, cap(K[0]!, 0n, 1, 900n, 600n, { nonce: 0n })),
    good.find((l) => l.message?.type === 'PFSCapacityUpdate' && l.message.channel === 1n)!.text,
    // fee updates: older timestamp, equal timestamp, more than an hour ahead (different schedules)
    send(K[1]!, fee(K[1]!, { chainId: CHAIN, network: TN, channel: 0n, flat: 500n, at: FEE_EPOCH - 24 * HOUR })),
    send(K[1]!, fee(K[1]!, { chainId: CHAIN, network: TN, channel: 0n, flat: 500n, at: FEE_EPOCH })),
    send(K[1]!, fee(K[1]!, { chainId: CHAIN, network: TN, channel: 1n, flat: 500n, at: now + 2 * HOUR })),
    send(K[1]!, fee(K[1]!, { chainId: CHAIN, network: TN, channel: 1n, flat: 500n, at: now - HOUR, updating: address(0) })),
    // chain events that must not touch the graph
    channelOpenedLine(2, TN, 0n, address(0), address(1)),
    channelOpenedLine(2, TN, 1n, address(0), address(6)),
    channelClosedLine(2, TN, 12345n, address(0)),
    channelOpenedLine(2, asAddress('0x' + '09'.repeat(20)), 1n, address(0), address(1)),
    channelClosedLine(2, asAddress('0x' + '09'.repeat(20)), 0n, address(0)),
    // an update for a channel that never opens: it waits, and never applies
    send(K[0]!, cap(K[0]!, 999n, 5, 1000n, 1000n)),
    send(K[5]!, cap(K[5]!, 999n, 0, 1000n, 1000n)),
  ];
  const expected: Record<string, number> = {
    'line:rejected_not_json': 3, // two here, and the last line of the file
    'line:rejected_unknown_kind': 1,
    'line:rejected_unknown_chain_event': 1,
    'line:rejected_bad_block': 4,
    'line:rejected_bad_channel_opened': 3,
    'line:rejected_bad_token_network_created': 1,
    'line:rejected_unknown_presence': 2,
    'line:rejected_to_device_without_sender_or_body': 1,
    'network_created:ignored_exists': 1,
    'presence:rejected_address_mismatch': 3,
    'presence:rejected_bad_displayname_format': 2,
    'presence:rejected_bad_user_id': 1,
    'capacity_update:rejected_not_signed_by_sender': 3,
    'capacity_update:rejected_not_signed_correctly': 1,
    'capacity_update:rejected_sender_not_participant': 1,
    'capacity_update:rejected_unknown_chain_id': 1,
    'capacity_update:rejected_unknown_token_network': 1,
    'capacity_update:rejected_impossible_updating_capacity': 1,
    'capacity_update:rejected_impossible_other_capacity': 1,
    'message:rejected_bad_sender': 1,
    'message:rejected_invalid': 1,
    'message:ignored_other_type': 1,
    'fee_update:rejected_timestamp_not_increasing': 2,
    'fee_update:rejected_timestamp_in_future': 1,
    'fee_update:rejected_not_signed_correctly': 1,
    'channel_opened:ignored_already_open': 2,
    'channel_closed:rejected_unknown_channel': 1,
    'channel_opened:rejected_unknown_network': 1,
    'channel_closed:rejected_unknown_network': 1,
  };
  return { early, late, expected };
}

/** The counters of pfs_input_events_total as `kind:outcome` -> value. */
function inputCounts(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics.matchAll(/^pfs_input_events_total\{kind="([^"]+)",outcome="([^"]+)"\} (\S+)$/gm)) out[`${m[1]}:${m[2]}`] = Number(m[3]);
  return out;
}

/** Every answer that depends on the loaded state, keyed by request. */
async function answers(s: ServiceProcess): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const strip = (r: HttpResult) => {
    const body = r.json as Record<string, unknown> | undefined;
    if (body !== undefined && typeof body === 'object' && body !== null && 'feedback_token' in body) {
      assert.match(String(body.feedback_token), /^[0-9a-f]{32}$/);
      const { feedback_token: _, ...rest } = body;
      return { status: r.status, body: rest };
    }
    return { status: r.status, body: r.json ?? r.text };
  };
  const tn = toChecksumAddress(TN);
  for (const value of [10, 35, 60]) {
    for (let from = 0; from < NODES; from++) {
      for (let to = 0; to < NODES; to++) {
        if (from === to) continue;
        const body = { from: toChecksumAddress(address(from)), to: toChecksumAddress(address(to)), value, max_paths: 5 };
        out.set(`paths ${from}->${to} ${value}`, strip(await s.post(`/api/v1/${tn}/paths`, body)));
      }
    }
  }
  out.set('online_addresses', strip(await s.get('/api/v1/online_addresses')));
  const info = strip(await s.get('/api/v1/info'));
  // the info answer carries the current time
  delete (info.body as Record<string, unknown>).UTC;
  out.set('info', info);
  for (let i = 0; i < NODES; i++) {
    const r = strip(await s.get(`/api/v1/address/${toChecksumAddress(address(i))}/metadata`));
    // an offline address's answer carries a duration up to now: compare its code only
    out.set(`metadata ${i}`, r.status === 200 ? r : { status: r.status, code: (r.body as { error_code?: number }).error_code });
  }
  return out;
}

describe('the event-log source under hostile input (spawned service)', () => {
  const dir = tempDir();
  const goodLog = join(dir.path, 'good.ndjson');
  const hostileLog = join(dir.path, 'hostile.ndjson');
  let expected: Record<string, number>;
  let goodAnswers: Map<string, unknown>;
  let goodCounts: Record<string, number>;
  let hostileAnswers: Map<string, unknown>;
  let hostileCounts: Record<string, number>;
  let hostileService: ServiceProcess;

  before(async () => {
    writeSignedLog(goodLog, spec(), {
      chainId: CHAIN,
      token: asAddress('0x' + '07'.repeat(20)),
      network: TN,
      settleTimeout: 500n,
      server: SERVER,
      keys: KEYS,
      capacityRounds: 1,
      channelsPerBlock: 1,
      feeEpochMs: FEE_EPOCH,
    });
    const good = readFileSync(goodLog, 'utf8').trimEnd().split('\n').map(parse);
    const hostile = hostileLines(good);
    expected = hostile.expected;
    // the moved channel's updates go right after TokenNetworkCreated, before its ChannelOpened
    const moved = good.filter((l) => l.message?.channel === MOVED);
    assert.equal(moved.length, 3, 'two capacity updates and one fee update of the moved channel');
    const rest = good.filter((l) => l.message?.channel !== MOVED).map((l) => l.text);
    const firstOpen = rest.findIndex((t) => t.includes('"ChannelOpened"'));
    const lastBlock = rest.length - 1;
    assert.ok(rest[lastBlock]!.includes('"Block"'));
    const lines = [
      rest[0]!,
      ...moved.map((l) => l.text),
      ...hostile.early.slice(0, 5),
      ...rest.slice(1, firstOpen),
      ...hostile.early.slice(5),
      ...rest.slice(firstOpen, lastBlock),
      ...hostile.late,
      rest[lastBlock]!,
      '',
      '   ',
    ];
    // CRLF line ends; the file ends in a line without a newline, which is not JSON either
    writeFileSync(hostileLog, lines.join('\r\n') + '\r\n{"kind":"chain","block":3,"event":"Bl');

    const goodService = await ServiceProcess.start({ dataDir: join(dir.path, 'good-data'), events: goodLog });
    await goodService.waitReady();
    goodAnswers = await answers(goodService);
    goodCounts = inputCounts((await goodService.get('/metrics')).text);
    assert.equal(await goodService.stop(), 0);

    hostileService = await ServiceProcess.start({ dataDir: join(dir.path, 'hostile-data'), events: hostileLog });
    await hostileService.waitReady();
    hostileAnswers = await answers(hostileService);
    hostileCounts = inputCounts((await hostileService.get('/metrics')).text);
  });

  after(async () => {
    if (hostileService !== undefined && hostileService.child.exitCode === null) await hostileService.stop();
    dir.cleanup();
  });

  it('the clean log is accepted without a single rejection', () => {
    const bad = Object.entries(goodCounts).filter(([k, v]) => v > 0 && !/:(applied|opened|created|dispatched|online|offline)$/.test(k));
    assert.deepEqual(bad, []);
    assert.equal(goodCounts['capacity_update:applied'], 2 * CASE_1.length);
    assert.equal(goodCounts['fee_update:applied'], 7);
  });

  it('keeps running through the hostile log and becomes ready', async () => {
    assert.equal(hostileService.child.exitCode, null);
    assert.equal((await hostileService.get('/health')).status, 200);
    assert.equal((await hostileService.get('/ready')).status, 200);
  });

  it('counts every hostile line under its reason in /metrics', () => {
    for (const [key, n] of Object.entries(expected)) assert.equal(hostileCounts[key] ?? 0, n, key);
    // and nothing else was rejected
    const rejected = Object.entries(hostileCounts).filter(([k, v]) => v > 0 && (k.includes(':rejected_') || k.includes(':ignored_') || /:(timestamp_|sender_not|other_not|already_open|unknown_channel|exists)/.test(k)));
    assert.deepEqual(Object.fromEntries(rejected.sort()), Object.fromEntries(Object.entries(expected).sort()));
  });

  it('defers updates for unknown channels: replayed when the channel opens, kept out of the graph otherwise', async () => {
    // the moved channel's two capacity updates and fee update, and the two for channel 999
    assert.equal(hostileCounts['capacity_update:deferred'], 4);
    assert.equal(hostileCounts['fee_update:deferred'], 1);
    assert.equal(hostileCounts['channel_opened:opened_with_deferred'], 1);
    // the moved updates apply as part of their channel's open (counted there), and the two
    // harmless replays apply
    assert.equal(hostileCounts['capacity_update:applied'], goodCounts['capacity_update:applied']! - 2 + 2);
    assert.equal(hostileCounts['fee_update:applied'], goodCounts['fee_update:applied']! - 1);
  });

  it('answers every path, presence, metadata and info request exactly as after the clean log', () => {
    assert.equal(hostileAnswers.size, goodAnswers.size);
    const routes = [...goodAnswers].filter(([k, v]) => k.startsWith('paths') && (v as { status: number }).status === 200);
    assert.ok(routes.length > 40, `a meaningful share of the requests find routes (${routes.length})`);
    const fees = routes.filter(([, v]) => JSON.stringify(v).includes('"estimated_fee":') && !/"estimated_fee":0[,}]/.test(JSON.stringify(v)));
    assert.ok(fees.length > 0, 'some routes carry fees');
    assert.deepEqual((goodAnswers.get('online_addresses') as { body: string[] }).body.length, NODES - 1);
    for (const [k, v] of goodAnswers) assert.deepEqual(hostileAnswers.get(k), v, k);
  });

  it('after a restart of the hostile data dir without --events, answers exactly as before', async () => {
    assert.equal(await hostileService.stop(), 0);
    // the update for the channel that never opened still waits (bounded and expiring), nothing else does
    // (an explicit --data-dir is used as given)
    const store = openStore(join(dir.path, 'hostile-data'));
    assert.equal(new DeferredStore(store, TN, { maxEntries: 10_000, expirySeconds: 3600 }).size, 2);
    await closeStore(store);
    const restarted = await ServiceProcess.start({ dataDir: join(dir.path, 'hostile-data') });
    try {
      await restarted.waitReady();
      const again = await answers(restarted);
      for (const [k, v] of hostileAnswers) assert.deepEqual(again.get(k), v, k);
    } finally {
      assert.equal(await restarted.stop(), 0);
    }
  });
});
