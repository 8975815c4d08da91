import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, test } from 'node:test';
import { encryptKeystoreJson, Wallet } from 'ethers';
import { type Config, resolveKey } from '../../src/config.ts';
import { ADDRESS1, assertErrors, errorsOf, KEY1, parse, serveOk, tempFile } from './helpers.ts';

const SERVE = ['serve', '--chain-id', '1'];

/** A keystore of a fresh random key with a low scrypt cost, so the test stays fast. */
async function makeKeystore(password: string): Promise<{ json: string; privateKey: string; address: string }> {
  const wallet = Wallet.createRandom();
  const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, { scrypt: { N: 1024 } });
  return { json, privateKey: wallet.privateKey.toLowerCase(), address: wallet.address.toLowerCase() };
}

async function resolved(c: Config): Promise<{ privateKey: string; address: string }> {
  const key = await resolveKey(c.key);
  if (!key.ok) assert.fail(key.error);
  return { privateKey: key.privateKey.reveal(), address: key.address };
}

describe('key sources', () => {
  test('hex with and without 0x, any case, surrounding whitespace', async () => {
    for (const text of [KEY1, '0x' + KEY1, '0X' + KEY1, ` ${KEY1}\n`]) {
      const c = serveOk([...SERVE, '--private-key', text]);
      assert.deepEqual(await resolved(c), { privateKey: '0x' + KEY1, address: ADDRESS1 });
    }
    const upper = 'AB'.repeat(32);
    const c = serveOk([...SERVE], { PFS_PRIVATE_KEY: upper });
    assert.equal((await resolved(c)).privateKey, '0x' + upper.toLowerCase());
  });

  test('from a file, whitespace trimmed', async () => {
    const file = tempFile('key.hex', `\n  0x${KEY1}  \r\n`);
    const c = serveOk([...SERVE, '--private-key-file', file]);
    assert.equal(c.key.kind, 'hex');
    assert.equal(c.key.kind === 'hex' ? c.key.origin : '', `--private-key-file ${file}`);
    assert.deepEqual(await resolved(c), { privateKey: '0x' + KEY1, address: ADDRESS1 });
  });

  test('bad key files', () => {
    assertErrors(errorsOf([...SERVE, '--private-key-file', '/no/such/key']), [/^--private-key-file: file \/no\/such\/key does not exist$/]);
    const bad = tempFile('key.hex', 'not a key');
    assertErrors(errorsOf([...SERVE, '--private-key-file', bad]), [/^--private-key-file: the content of .* must be 32 bytes of hex/]);
  });

  test('from a keystore with --password, PFS_PASSWORD or --password-file', async () => {
    const ks = await makeKeystore('hunter2 ');
    const file = tempFile('keystore.json', ks.json);
    const passwordFile = tempFile('password', 'hunter2 \n');
    const variants: [string[], Record<string, string>][] = [
      [['--keystore-file', file, '--password', 'hunter2 '], {}],
      [['--keystore-file', file], { PFS_PASSWORD: 'hunter2 ' }],
      [['--keystore-file', file, '--password-file', passwordFile], {}],
      [[], { PFS_KEYSTORE_FILE: file, PFS_PASSWORD_FILE: passwordFile }],
    ];
    for (const [args, env] of variants) {
      const c = serveOk([...SERVE, ...args], env);
      assert.equal(c.key.kind, 'keystore');
      assert.deepEqual(await resolved(c), { privateKey: ks.privateKey, address: ks.address });
    }
  });

  test('a wrong keystore password is a value, not an exception', async () => {
    const ks = await makeKeystore('right');
    const c = serveOk([...SERVE, '--keystore-file', tempFile('ks.json', ks.json), '--password', 'wrong']);
    const key = await resolveKey(c.key);
    assert.equal(key.ok, false);
    assert.match(key.ok ? '' : key.error, /^cannot use the key of --keystore-file .*ks\.json: incorrect password/);
    assert.ok(!(key.ok ? '' : key.error).includes('wrong'));
  });

  test('keystore option errors', async () => {
    const ks = await makeKeystore('pw');
    const file = tempFile('ks.json', ks.json);
    assertErrors(errorsOf([...SERVE, '--keystore-file', file]), [/^--keystore-file needs --password or --password-file/]);
    assertErrors(errorsOf([...SERVE, '--keystore-file', file, '--password', 'pw', '--password-file', file]), [/^--password and --password-file are exclusive/]);
    assertErrors(errorsOf([...SERVE, '--keystore-file', tempFile('x.json', '{"version": 3}'), '--password', 'pw']), [/^--keystore-file: .* is not an Ethereum JSON keystore/]);
    assertErrors(errorsOf([...SERVE, '--keystore-file', '/no/ks.json', '--password', 'pw']), [/^--keystore-file: file \/no\/ks\.json does not exist/]);
    assertErrors(errorsOf([...SERVE, '--private-key', KEY1, '--password', 'pw']), [/^--password only applies to --keystore-file$/]);
    assertErrors(errorsOf([...SERVE, '--keystore-file', file, '--password-file', '/no/pw']), [/^--password-file: file \/no\/pw does not exist$/]);
    assertErrors(errorsOf([...SERVE, '--keystore-file', file, '--password', 'pw', '--private-key', KEY1]), [/^several key sources \(--private-key, --keystore-file\)/]);
  });

  test('secrets do not print', async () => {
    const c = serveOk([...SERVE, '--private-key', KEY1]);
    assert.ok(!inspect(c, { depth: 10 }).includes(KEY1));
    assert.ok(!JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).includes(KEY1));
    const key = await resolveKey(c.key);
    assert.ok(key.ok);
    assert.equal(`${key.ok ? key.privateKey : ''}`, '[secret]');
    const ks = await makeKeystore('s3cret-pass');
    const kc = serveOk([...SERVE, '--keystore-file', tempFile('k.json', ks.json), '--password', 's3cret-pass']);
    assert.ok(!inspect(kc, { depth: 10 }).includes('s3cret-pass'));
  });

  test('claim-fees takes the same key sources', async () => {
    const result = parse(['claim-fees', '--eth-rpc', 'http://n', '--one-to-n', '0x' + '1'.repeat(40), '--private-key', KEY1]);
    assert.ok(result.ok && result.command === 'claim-fees');
    const key = await resolveKey(result.ok && result.command === 'claim-fees' ? result.config.key : assert.fail());
    assert.equal(key.ok && key.address, ADDRESS1);
  });
});
