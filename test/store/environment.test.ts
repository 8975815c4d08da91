import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type DataDirIdentity, SCHEMA_VERSION, checkDataDir, closeStore, openStore } from '../../src/store/environment.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((c) => c()));

function dir(): string {
  const d = tempDir();
  cleanups.push(d.cleanup);
  return d.path;
}

const IDENTITY: DataDirIdentity = {
  chainId: '131277322940537',
  serviceAddress: '0x' + 'aa'.repeat(20),
  registry: '0x' + '00'.repeat(20),
  userDeposit: '0x' + '00'.repeat(20),
};

describe('the LMDB environment', () => {
  test('openStore creates a missing (nested) data dir and every named database', async () => {
    const path = join(dir(), 'a', 'b', 'data');
    const store = openStore(path);
    assert.ok(existsSync(path));
    assert.equal(store.path, path);
    assert.deepEqual(Object.keys(store.dbs).sort(), ['addresses', 'channels', 'cursors', 'deferred', 'feedback', 'images', 'ious', 'meta', 'networks', 'nodes', 'presence']);
    // binary databases take and return raw bytes (no implicit codec)
    await store.dbs.channels.put(Buffer.from([0, 1, 2]), Buffer.from([0xff, 0x00]));
    await store.env.committed;
    assert.deepEqual([...store.dbs.channels.get(Buffer.from([0, 1, 2]))!], [0xff, 0x00]);
    await closeStore(store);
  });

  test('a new data dir is created with the schema version and the identity, which survive a reopen', async () => {
    const path = dir();
    let store = openStore(path);
    assert.deepEqual(await checkDataDir(store, IDENTITY), { kind: 'created' });
    assert.equal(store.dbs.meta.get('schema'), SCHEMA_VERSION);
    await closeStore(store);
    store = openStore(path);
    assert.equal(store.dbs.meta.get('schema'), SCHEMA_VERSION);
    assert.deepEqual(store.dbs.meta.get('identity'), IDENTITY);
    assert.deepEqual(await checkDataDir(store, { ...IDENTITY }), { kind: 'matches' });
    await closeStore(store);
  });

  for (const found of [SCHEMA_VERSION + 1, SCHEMA_VERSION - 1, 0, '1', null, { v: 1 }]) {
    test(`a data dir of schema ${JSON.stringify(found)} is refused and left unchanged`, async () => {
      const store = openStore(dir());
      await store.dbs.meta.put('schema', found);
      await store.dbs.meta.put('identity', IDENTITY);
      assert.deepEqual(await checkDataDir(store, IDENTITY), { kind: 'schema_mismatch', found });
      assert.deepEqual(store.dbs.meta.get('schema'), found, 'the refused data dir is not rewritten');
      await closeStore(store);
    });
  }

  for (const field of ['chainId', 'serviceAddress', 'registry', 'userDeposit'] as const) {
    test(`a data dir created with another ${field} is refused, naming the field and both values`, async () => {
      const path = dir();
      let store = openStore(path);
      await checkDataDir(store, IDENTITY);
      await closeStore(store);
      store = openStore(path);
      const given = field === 'chainId' ? '1' : '0x' + 'bb'.repeat(20);
      assert.deepEqual(await checkDataDir(store, { ...IDENTITY, [field]: given }), {
        kind: 'identity_mismatch',
        field,
        stored: IDENTITY[field],
        given,
      });
      // the stored identity is kept: the rightful owner still matches
      assert.deepEqual(await checkDataDir(store, IDENTITY), { kind: 'matches' });
      await closeStore(store);
    });
  }

  test('a data dir with a schema but no identity adopts the first identity presented', async () => {
    const store = openStore(dir());
    await store.dbs.meta.put('schema', SCHEMA_VERSION);
    assert.deepEqual(await checkDataDir(store, IDENTITY), { kind: 'matches' });
    assert.deepEqual(store.dbs.meta.get('identity'), IDENTITY);
    assert.equal((await checkDataDir(store, { ...IDENTITY, chainId: '5' })).kind, 'identity_mismatch');
    await closeStore(store);
  });
});
