import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FULL_CAPABILITIES, channelOpenedLine, tokenNetworkCreatedLine } from '../../src/demo/event-lines.ts';
import { asAddress, toChecksumAddress } from '../../src/domain/index.ts';
import { type KeyPair, derivedKey, keyPair } from '../../src/protocol/index.ts';
import { FIXTURE_CHAIN_ID, FIXTURE_TOKEN_NETWORK } from '../helpers/fixture-log.ts';
import { RaidenNode, raidenCredentials } from '../helpers/raiden-node.ts';
import { PROJECT_ROOT, ServiceProcess, TEST_SERVICE_KEY } from '../helpers/service-process.ts';
import { capacity, displaynameOf } from '../helpers/signed-lines.ts';
import { Synapse } from '../helpers/synapse.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * Two homeservers, one connection each (spec §8.1-§8.2): `a.test`, the main one, is a plain
 * Synapse where presence is shared through the presence room; `b.test` runs a presence
 * router that pushes every user's presence to the service users, as Raiden's production
 * homeservers do, so its nodes share no room with the service, and it lets the service
 * register itself. Nodes send their updates to
 * the service user on their own homeserver. The service is not ready until both servers
 * have synced once, and a server that is down at start joins when it comes up.
 */

const CHAIN = FIXTURE_CHAIN_ID;
const TN = FIXTURE_TOKEN_NETWORK;
const ROOM = '#pfs_presence:a.test';
const SERVICE = keyPair(Buffer.from(TEST_SERVICE_KEY.slice(2), 'hex'));
const KEYS: KeyPair[] = [derivedKey('matrix-servers-test', 0), derivedKey('matrix-servers-test', 1)];
const A = (i: number) => toChecksumAddress(KEYS[i]!.address);

async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('two homeservers: presence room on one, presence router on the other', () => {
  const dir = tempDir();
  let a: Synapse;
  let b: Synapse;
  let service: ServiceProcess;
  const nodes: RaidenNode[] = [];
  const serviceUser = (server: string) => `@${SERVICE.address}:${server}`;

  before(async () => {
    [a, b] = await Promise.all([
      Synapse.start({ serverName: 'a.test' }),
      Synapse.start({
        serverName: 'b.test',
        openRegistration: true,
        presenceRouter: {
          module: 'pfs_presence_router.AllPresenceToServices',
          config: { service_user_ids: [serviceUser('b.test')] },
          pythonPath: join(PROJECT_ROOT, 'test', 'fixtures', 'synapse'),
        },
      }),
    ]);
    // a.test is closed: the operator registers the service user; on b.test (open
    // registration) the service registers itself at its first login
    const { username, password } = raidenCredentials(SERVICE, a);
    await a.register(username, password);
    const events = join(dir.path, 'chain.ndjson');
    writeFileSync(
      events,
      [tokenNetworkCreatedLine(1, asAddress('0x' + '07'.repeat(20)), TN, 500n), channelOpenedLine(2, TN, 1n, KEYS[0]!.address, KEYS[1]!.address)].join('\n') + '\n',
    );
    // b.test is down when the service starts
    await b.pause();
    service = await ServiceProcess.start({
      dataDir: join(dir.path, 'data'),
      events,
      args: ['--matrix-server', a.url, '--matrix-server', b.url, '--presence-room', ROOM, '--workers', '1'],
    });
    await service.waitListening();
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stopSyncing()));
    if (service !== undefined) await service.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    dir.cleanup();
  });

  it('is not ready while a homeserver has not synced; ready once it is up', async () => {
    await eventually('the first sync of a.test', async () => service.log.includes(`Matrix first sync applied server=${a.url}`), 60_000);
    const r = await service.get('/ready');
    assert.equal(r.status, 503);
    assert.match(r.text, new RegExp(`waiting for the first sync of matrix:${b.url.replace(/[.]/g, '\\.')}`));
    await b.resume();
    await service.waitReady(120_000);
    // registered with the Raiden password, so a later login works too
    const { username, password } = raidenCredentials(SERVICE, b);
    assert.equal((await b.login(username, password)).userId, serviceUser('b.test'));
  });

  it('routes between nodes of both servers; each server’s presence and updates arrive through its own connection', async () => {
    nodes.push(new RaidenNode(a, KEYS[0]!, { room: ROOM }), new RaidenNode(b, KEYS[1]!));
    for (const n of nodes) await n.start();
    // the node on b.test shares no room with the service: its presence comes from the router
    const rooms = await b.api<{ joined_rooms: string[] }>('GET', '/joined_rooms', nodes[1]!.session.accessToken);
    assert.deepEqual(rooms.joined_rooms, []);
    await eventually('both online', async () => ((await service.get('/api/v1/online_addresses')).json as string[]).length === 2);
    const meta = await service.get(`/api/v1/address/${A(1)}/metadata`);
    assert.deepEqual(meta.json, { user_id: nodes[1]!.userId, capabilities: FULL_CAPABILITIES, displayname: displaynameOf(KEYS[1]!, nodes[1]!.userId) });
    assert.match(nodes[1]!.userId, /:b\.test$/);

    const update = (i: number, own: bigint, theirs: bigint) =>
      capacity(KEYS[i]!, { chainId: CHAIN, network: TN, channel: 1n, other: KEYS[1 - i]!.address, capacity: own, otherCapacity: theirs });
    await nodes[0]!.send(serviceUser('a.test'), update(0, 80n, 20n));
    await nodes[1]!.send(serviceUser('b.test'), update(1, 20n, 80n));
    const tn = toChecksumAddress(TN);
    await eventually('a route from a.test to b.test', async () => (await service.post(`/api/v1/${tn}/paths`, { from: A(0), to: A(1), value: 80, max_paths: 1 })).status === 200);
    assert.equal((await service.post(`/api/v1/${tn}/paths`, { from: A(0), to: A(1), value: 81, max_paths: 1 })).status, 404);
    assert.equal((await service.post(`/api/v1/${tn}/paths`, { from: A(1), to: A(0), value: 20, max_paths: 1 })).status, 200);

    // b.test cannot reach the room alias of a.test (no federation here): counted, not fatal
    assert.match((await service.get('/metrics')).text, /kind="matrix_presence_room",outcome="failed_/);

    // presence routed by b.test follows the node: offline there, unreachable here
    await nodes[1]!.offline();
    await eventually('the b.test node offline', async () => !((await service.get('/api/v1/online_addresses')).json as string[]).includes(A(1)));
    assert.equal((await service.post(`/api/v1/${tn}/paths`, { from: A(0), to: A(1), value: 10, max_paths: 1 })).status, 404);
  });
});
