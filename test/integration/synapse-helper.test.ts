import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type MatrixSession, Synapse } from '../helpers/synapse.ts';

/*
 * The test homeserver itself: a real Synapse installs, starts, registers users through the
 * shared-secret admin API, carries a to-device message, survives a stop and a restart on
 * the same data, and is gone after `stop`.
 */

describe('the Synapse test helper', () => {
  let synapse: Synapse;
  let alice: MatrixSession;
  let bob: MatrixSession;
  before(async () => {
    synapse = await Synapse.start();
    alice = await synapse.register('alice', 'alice-password');
    bob = await synapse.register('bob', 'bob-password');
  });
  after(async () => {
    await synapse.stop();
  });

  it('registers users with their server name and logs them in with a chosen device id', async () => {
    assert.equal(alice.userId, '@alice:localhost');
    const session = await synapse.login('bob', 'bob-password', 'PATH_FINDING');
    assert.equal(session.userId, '@bob:localhost');
    assert.equal(session.deviceId, 'PATH_FINDING');
    await assert.rejects(synapse.login('bob', 'wrong'), /403/);
  });

  it('delivers a to-device message, also after a restart of the server', async () => {
    const device = await synapse.login('bob', 'bob-password', 'PATH_FINDING');
    const first = await synapse.api<{ next_batch: string }>('GET', '/sync?timeout=0', device.accessToken);
    await synapse.api('PUT', '/sendToDevice/m.room.message/txn-1', alice.accessToken, {
      messages: { [bob.userId]: { PATH_FINDING: { msgtype: 'm.text', body: 'hello' } } },
    });
    await synapse.pause();
    await assert.rejects(fetch(`${synapse.url}/_matrix/client/versions`));
    await synapse.resume();
    const next = await synapse.api<{ to_device?: { events: { sender: string; type: string; content: { body: string } }[] } }>(
      'GET',
      `/sync?timeout=5000&since=${encodeURIComponent(first.next_batch)}`,
      device.accessToken,
    );
    assert.deepEqual(
      next.to_device?.events.map((e) => [e.sender, e.type, e.content.body]),
      [[alice.userId, 'm.room.message', 'hello']],
    );
  });

  it('removes its data when stopped', async () => {
    const other = await Synapse.start({ serverName: 'other.test' });
    const user = await other.register('carol', 'pw');
    assert.equal(user.userId, '@carol:other.test');
    await other.stop();
    assert.equal(existsSync(other.dir), false);
    await assert.rejects(fetch(`${other.url}/_matrix/client/versions`));
  });
});
