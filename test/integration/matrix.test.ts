import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FULL_CAPABILITIES, blockLine, channelOpenedLine, tokenNetworkCreatedLine } from '../../src/demo/event-lines.ts';
import { asAddress, toChecksumAddress } from '../../src/domain/index.ts';
import { type KeyPair, derivedKey, keyPair } from '../../src/protocol/index.ts';
import { address, privateKey } from '../fixtures/accounts.ts';
import { FIXTURE_CHAIN_ID, FIXTURE_TOKEN_NETWORK } from '../helpers/fixture-log.ts';
import { RaidenNode, raidenCredentials } from '../helpers/raiden-node.ts';
import { ServiceProcess, TEST_SERVICE_KEY } from '../helpers/service-process.ts';
import { capacity, displaynameOf, fee, tampered } from '../helpers/signed-lines.ts';
import { Synapse } from '../helpers/synapse.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * The live Matrix source against a real Synapse (spec §8, issue 5). Raiden-like nodes
 * register, log in with Raiden's credentials, join the presence room (a plain Synapse shares
 * presence only between users in a common room), come online and go offline, and send
 * signed PFSCapacityUpdate and PFSFeeUpdate messages to the service's PATH_FINDING device.
 * The chain (token network, channels) comes from an event log. Each test builds on the
 * state the previous ones left.
 */

const CHAIN = FIXTURE_CHAIN_ID;
const TN = FIXTURE_TOKEN_NETWORK;
const TN_CS = toChecksumAddress(TN);
const ROOM = '#raiden_pfs_presence:localhost';
/** Small enough that a padded body exceeds it, large enough for every honest message here. */
const RATE_LIMIT = 40_000;
const NODES = 4;
const KEYS: KeyPair[] = Array.from({ length: NODES }, (_, i) => keyPair(Buffer.from(privateKey(i).slice(2), 'hex')));
const SERVICE = keyPair(Buffer.from(TEST_SERVICE_KEY.slice(2), 'hex'));
const A = (i: number) => toChecksumAddress(address(i));
/** Channels of the line 0 - 1 - 2 - 3: channel k joins k and k + 1. */
const CHANNELS = [0n, 1n, 2n];

const cap = (i: number, channel: bigint, other: number, own: bigint, theirs: bigint, over: Partial<Parameters<typeof capacity>[1]> = {}) =>
  capacity(KEYS[i]!, { chainId: CHAIN, network: TN, channel, other: address(other), capacity: own, otherCapacity: theirs, ...over });

/** What a timed-out wait reports besides its name (the service's counters and log). */
let diagnostics: () => Promise<string> = async () => '';

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}\n${await diagnostics()}`);
}

/** The `kind:outcome` counters of the input metric. */
async function inputCounters(service: ServiceProcess): Promise<Map<string, number>> {
  const text = (await service.get('/metrics')).text;
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^pfs_input_events(?:_total)?\{kind="([^"]+)",outcome="([^"]+)"\} (\d+)/gm)) out.set(`${m[1]}:${m[2]}`, Number(m[3]));
  return out;
}

interface RouteAnswer {
  readonly status: number;
  readonly paths: readonly (readonly string[])[];
  readonly fees: readonly number[];
  readonly metadata: readonly unknown[];
  readonly error: unknown;
}

async function routes(service: ServiceProcess, from: number, to: number, value: number): Promise<RouteAnswer> {
  const r = await service.post(`/api/v1/${TN_CS}/paths`, { from: A(from), to: A(to), value, max_paths: 3 });
  const body = r.json as { result?: { path: string[]; estimated_fee: number; address_metadata: unknown }[]; error_code?: number; errors?: string };
  return {
    status: r.status,
    paths: body.result?.map((x) => x.path) ?? [],
    fees: body.result?.map((x) => x.estimated_fee) ?? [],
    metadata: body.result?.map((x) => x.address_metadata) ?? [],
    error: body.error_code === undefined ? null : [body.error_code, body.errors],
  };
}

async function online(service: ServiceProcess): Promise<string[]> {
  return ((await service.get('/api/v1/online_addresses')).json as string[]).slice().sort();
}

/** Everything a client could observe about the network, for "nothing changed" checks. */
async function observe(service: ServiceProcess): Promise<unknown> {
  const answers: unknown[] = [];
  for (const [from, to] of [[0, 3], [3, 0], [1, 2], [2, 1], [0, 1]] as const) {
    for (const value of [1, 10, 60, 95]) answers.push(await routes(service, from, to, value));
  }
  return { answers, online: await online(service) };
}

describe('the live Matrix source against a real Synapse', () => {
  const dir = tempDir();
  let synapse: Synapse;
  let service: ServiceProcess;
  let serviceUserId: string;
  const nodes: RaidenNode[] = [];
  const dataDir = join(dir.path, 'data');
  const events = join(dir.path, 'chain.ndjson');

  const startService = () =>
    ServiceProcess.start({
      dataDir,
      events,
      args: ['--matrix-server', synapse.url, '--presence-room', ROOM, '--matrix-rate-limit', String(RATE_LIMIT), '--workers', '1'],
    });

  before(async () => {
    synapse = await Synapse.start();
    // a plain Synapse has no Raiden auth provider: the operator registers the service user
    const { username, password } = raidenCredentials(SERVICE, synapse);
    serviceUserId = (await synapse.register(username, password)).userId;
    writeFileSync(
      events,
      [
        tokenNetworkCreatedLine(1, asAddress('0x' + '07'.repeat(20)), TN, 500n),
        ...CHANNELS.map((id) => channelOpenedLine(2, TN, id, address(Number(id)), address(Number(id) + 1))),
        blockLine(3),
      ].join('\n') + '\n',
    );
    service = await startService();
    diagnostics = async () => `counters: ${JSON.stringify([...(await inputCounters(service).catch(() => new Map()))])}\nservice log:\n${service.log.slice(-6000)}`;
    await service.waitReady(120_000);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stopSyncing()));
    if (service !== undefined) await service.stop();
    await synapse?.stop();
    dir.cleanup();
  });

  it('logs in as a Raiden service: PATH_FINDING device, displayname signed, presence room created and joined', async () => {
    const token = (await synapse.login(raidenCredentials(SERVICE, synapse).username, raidenCredentials(SERVICE, synapse).password)).accessToken;
    const profile = await synapse.api<{ displayname: string }>('GET', `/profile/${encodeURIComponent(serviceUserId)}`, token);
    assert.equal(profile.displayname, displaynameOf(SERVICE, serviceUserId));
    const devices = await synapse.api<{ devices: { device_id: string }[] }>('GET', '/devices', token);
    assert.ok(devices.devices.some((d) => d.device_id === 'PATH_FINDING'));
    const room = await synapse.api<{ room_id: string }>('GET', `/directory/room/${encodeURIComponent(ROOM)}`, token);
    const members = await synapse.api<{ joined: Record<string, unknown> }>('GET', `/rooms/${encodeURIComponent(room.room_id)}/joined_members`, token);
    assert.deepEqual(Object.keys(members.joined), [serviceUserId]);
    const info = (await service.get('/api/v1/info')).json as { matrix_server: string };
    assert.equal(info.matrix_server, synapse.url);
  });

  it('nodes that come online are reachable, with the metadata they set', async () => {
    for (const key of KEYS) {
      const node = new RaidenNode(synapse, key, { room: ROOM });
      await node.start();
      nodes.push(node);
    }
    await eventually('every node online', async () => ((await online(service)).length === NODES ? true : undefined));
    assert.deepEqual(await online(service), KEYS.map((_, i) => A(i)).sort());
    const m = await service.get(`/api/v1/address/${A(1)}/metadata`);
    assert.equal(m.status, 200);
    assert.deepEqual(m.json, { user_id: nodes[1]!.userId, capabilities: FULL_CAPABILITIES, displayname: displaynameOf(KEYS[1]!, nodes[1]!.userId) });
  });

  it('capacity updates from both sides make routes; a fee update changes the estimate', async () => {
    // no route while no update arrived: capacities are 0 until both sides report
    assert.equal((await routes(service, 0, 3, 10)).status, 404);
    for (const id of CHANNELS) {
      const a = Number(id);
      await nodes[a]!.send(serviceUserId, cap(a, id, a + 1, 100n, 50n));
      await nodes[a + 1]!.send(serviceUserId, cap(a + 1, id, a, 50n, 100n));
    }
    const r = await eventually('a route 0 -> 3', async () => {
      const x = await routes(service, 0, 3, 10);
      return x.status === 200 ? x : undefined;
    });
    assert.deepEqual(r.paths, [[A(0), A(1), A(2), A(3)]]);
    assert.deepEqual(r.fees, [0]);
    assert.deepEqual(Object.keys(r.metadata[0] as object), [A(0), A(1), A(2), A(3)]);
    assert.equal((r.metadata[0] as Record<string, { user_id: string }>)[A(2)]!.user_id, nodes[2]!.userId);
    // min-rule: 100 forward, 50 back
    assert.equal((await routes(service, 0, 3, 100)).status, 200);
    assert.equal((await routes(service, 0, 3, 101)).status, 404);
    assert.equal((await routes(service, 3, 0, 50)).status, 200);
    assert.equal((await routes(service, 3, 0, 51)).status, 404);

    // node 1 charges a flat fee for mediating out on channel 1
    await nodes[1]!.send(serviceUserId, fee(KEYS[1]!, { chainId: CHAIN, network: TN, channel: 1n, flat: 3n, at: Date.now() - 60_000 }));
    const priced = await eventually('the fee in the estimate', async () => {
      const x = await routes(service, 0, 3, 10);
      return x.fees[0] !== 0 ? x : undefined;
    });
    assert.ok(priced.fees[0]! > 0, JSON.stringify(priced));
    // and drops it again (a later timestamp), so capacities below are exact amounts
    await nodes[1]!.send(serviceUserId, fee(KEYS[1]!, { chainId: CHAIN, network: TN, channel: 1n, flat: 0n, at: Date.now() - 30_000 }));
    await eventually('the fee gone', async () => ((await routes(service, 0, 3, 10)).fees[0] === 0 ? true : undefined));
  });

  it('two updates in one message body are both applied', async () => {
    await nodes[1]!.send(serviceUserId, cap(1, 1n, 2, 90n, 45n), cap(1, 0n, 0, 40n, 90n));
    await eventually('both lowered', async () => ((await routes(service, 0, 3, 91)).status === 404 && (await routes(service, 3, 0, 41)).status === 404 ? true : undefined));
    assert.equal((await routes(service, 0, 3, 90)).status, 200);
    assert.equal((await routes(service, 3, 0, 40)).status, 200);
  });

  it('a node that goes offline is not routed through and reports seen_offline_since; back online it is', async () => {
    await nodes[2]!.offline();
    await eventually('node 2 offline', async () => ((await online(service)).includes(A(2)) ? undefined : true));
    const r = await routes(service, 0, 3, 10);
    assert.equal(r.status, 404, JSON.stringify(r));
    const m = await service.get(`/api/v1/address/${A(2)}/metadata`);
    assert.equal(m.status, 404);
    const details = (m.json as { error_details: { seen_offline_since: number } }).error_details;
    assert.ok(details.seen_offline_since >= 0 && details.seen_offline_since < 60, JSON.stringify(m.json));
    await nodes[2]!.online();
    await eventually('node 2 back', async () => ((await routes(service, 0, 3, 10)).status === 200 ? true : undefined));
  });

  it('forged displaynames, wrong signers, a rate-limited sender and garbage bodies change nothing, each counted', async () => {
    const before = await observe(service);
    const countsBefore = await inputCounters(service);

    // Mallory registers a user id that names node 3's address (the optional .xxxxxxxx suffix is
    // allowed) with a displayname she signed herself, comes online, and replays a genuine,
    // older update of node 3 that would lower channel 2's capacity.
    const mallory = new RaidenNode(synapse, KEYS[3]!, {
      username: `${address(3)}.deadbeef`,
      displayname: displaynameOf(derivedKey('mallory', 0), `@${address(3)}.deadbeef:localhost`),
      room: ROOM,
    });
    await mallory.start();
    nodes.push(mallory);
    await mallory.send(serviceUserId, cap(3, 2n, 2, 1n, 1n));
    // node 0 sends an update for its channel signed by node 1 (naming node 1 as updater)
    await nodes[0]!.send(serviceUserId, capacity(KEYS[1]!, { chainId: CHAIN, network: TN, channel: 0n, other: address(0), capacity: 1n, otherCapacity: 1n }));
    // a tampered update (field changed after signing)
    await nodes[0]!.send(serviceUserId, tampered(cap(0, 0n, 1, 1n, 1n), { updating_capacity: '100' }));
    // rate limit: a valid lowering update padded beyond the per-sender budget is dropped whole
    await nodes[1]!.send(serviceUserId, cap(1, 1n, 2, 5n, 5n), ' '.repeat(RATE_LIMIT));
    // garbage bodies and non-text messages
    await nodes[0]!.sendRaw(serviceUserId, { msgtype: 'm.text', body: 'this is not json\n{"type":"PFSCapacityUpdate"}\n\n' });
    await nodes[0]!.sendRaw(serviceUserId, { msgtype: 'm.text', body: { type: 'PFSCapacityUpdate' } });
    await nodes[0]!.sendRaw(serviceUserId, { msgtype: 'm.notice', body: JSON.stringify(cap(0, 0n, 1, 1n, 1n)) });
    await nodes[0]!.sendRaw(serviceUserId, { body: JSON.stringify(cap(0, 0n, 1, 1n, 1n)) }, 'm.room.encrypted');
    // a marker that is applied: once it shows, everything sent before it was handled
    await nodes[3]!.send(serviceUserId, cap(3, 2n, 2, 55n, 100n));

    const expected: Record<string, number> = {
      'matrix_to_device:rejected_sender_displayname': 1,
      'capacity_update:rejected_not_signed_by_sender': 2,
      'matrix_to_device:rejected_rate_limited': 1,
      'message:rejected_invalid': 2,
      'matrix_to_device:rejected_body_not_a_string': 1,
      'matrix_to_device:ignored_not_text': 2,
    };
    const counts = await eventually('every hostile message counted', async () => {
      const c = await inputCounters(service);
      const delta = (k: string) => (c.get(k) ?? 0) - (countsBefore.get(k) ?? 0);
      return Object.keys(expected).every((k) => delta(k) >= expected[k]!) && delta('capacity_update:applied') >= 1 ? c : undefined;
    });
    for (const [k, n] of Object.entries(expected)) assert.equal((counts.get(k) ?? 0) - (countsBefore.get(k) ?? 0), n, k);
    assert.ok(((counts.get('presence:rejected_address_mismatch') ?? 0) - (countsBefore.get('presence:rejected_address_mismatch') ?? 0)) >= 1, 'the forged presence was refused');
    // the marker raised node 3's report on channel 2 back to what it was: nothing else moved
    assert.deepEqual(await observe(service), before);
    assert.deepEqual(await online(service), KEYS.map((_, i) => A(i)).sort());

    // the same update without the padding is accepted: it was the budget, not the message
    await nodes[1]!.send(serviceUserId, cap(1, 1n, 2, 5n, 5n));
    await eventually('the unpadded update applied', async () => ((await routes(service, 0, 3, 6)).status === 404 ? true : undefined));
    await nodes[1]!.send(serviceUserId, cap(1, 1n, 2, 90n, 45n));
    await eventually('restored', async () => ((await routes(service, 0, 3, 90)).status === 200 ? true : undefined));
  });

  it('reconnects by itself after the homeserver restarts; messages sent meanwhile arrive', async () => {
    await synapse.pause();
    await synapse.resume();
    // sent before the service has reconnected: queued for its device
    await nodes[1]!.send(serviceUserId, cap(1, 1n, 2, 30n, 45n));
    await eventually('the update after the restart', async () => ((await routes(service, 0, 3, 31)).status === 404 && (await routes(service, 0, 3, 30)).status === 200 ? true : undefined), 120_000);
    assert.match(service.log, /Matrix connection restored/);
  });

  it('after a restart, stored presence is stale until the first sync confirms it', async () => {
    assert.equal(await service.stop(), 0);
    // node 3 leaves while the service is down; then the homeserver is down as the service starts
    await nodes[3]!.offline();
    await synapse.pause();
    service = await startService();
    await service.waitListening();
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await service.get('/ready')).status, 503);
    // nothing is routed on what was last known
    assert.deepEqual(await online(service), []);
    assert.equal((await routes(service, 0, 2, 10)).status, 404);
    // what is kept: the users and their verified displaynames (metadata follows once online)
    await synapse.resume();
    await service.waitReady(120_000);
    const r = await eventually('routes after the first sync', async () => {
      const x = await routes(service, 0, 2, 10);
      return x.status === 200 ? x : undefined;
    });
    assert.deepEqual(r.paths, [[A(0), A(1), A(2)]]);
    // node 3 was not confirmed: it went offline meanwhile
    await eventually('nodes 0-2 online', async () => ((await online(service)).length === 3 ? true : undefined));
    assert.deepEqual(await online(service), [A(0), A(1), A(2)].sort());
    assert.equal((await routes(service, 0, 3, 10)).status, 404);
    // the stored displaynames made profile fetches for known users unnecessary: the one
    // fetch is Mallory's, whose forged presence was never stored
    const counts = await inputCounters(service);
    assert.equal(counts.get('matrix_profile:fetched') ?? 0, 1, JSON.stringify([...counts]));
    assert.equal(counts.get('presence:rejected_address_mismatch'), 1);
  });
});

