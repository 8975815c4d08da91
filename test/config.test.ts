// Tests of the public entry src/config.ts: the black-box invocation and the help text. The
// parts under src/config/ are tested in test/config/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { envName, helpText, OPTIONS } from '../src/config.ts';
import { KEY1, parse, serveOk, tempDir, tempFile } from './config/helpers.ts';

describe('the black-box invocation', () => {
  test('with and without --events', () => {
    const dir = tempDir();
    const events = tempFile('events.ndjson', '');
    const args = ['serve', '--host', '127.0.0.1', '--port', '16123', '--data-dir', join(dir, 'data'), '--chain-id', '131277322940537', '--private-key', '0x' + KEY1];
    const withEvents = serveOk([...args.slice(0, 7), '--events', events, ...args.slice(7)]);
    assert.equal(withEvents.events, events);
    assert.equal(withEvents.port, 16123);
    assert.equal(withEvents.chainId, 131277322940537n);
    assert.deepEqual(withEvents.dataDir, { path: join(dir, 'data'), perChain: false });
    const without = serveOk(args);
    assert.equal(without.events, null);
    assert.equal(without.host, '127.0.0.1');
  });
});

describe('help', () => {
  test('--help, -h and help anywhere give the help text, even with errors around', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['serve', '--port', 'x', '--help'], ['claim-fees', '-h'], ['bogus', '--help']]) {
      const result = parse(argv);
      assert.ok(result.ok && result.command === 'help', argv.join(' '));
      assert.equal(result.ok && result.command === 'help' ? result.text : '', helpText());
    }
  });

  test('a value that looks like help is a value', () => {
    const result = parse(['serve', '--chain-id', '1', '--private-key', KEY1, '--info-message=--help']);
    assert.ok(result.ok && result.command === 'serve');
  });

  test('names every command and every option, with the env convention', () => {
    const text = helpText();
    for (const command of ['serve', 'demo', 'claim-fees']) assert.match(text, new RegExp(`pfs ${command} `));
    for (const option of OPTIONS) assert.ok(text.includes(`--${option.name}`), option.name);
    assert.match(text, /PFS_<NAME>/);
    assert.match(text, /PFS_DATA_DIR/);
    assert.equal(envName('data-dir'), 'PFS_DATA_DIR');
    for (const line of text.split('\n')) assert.ok(line.length <= 100, line);
  });

  test('the option table has the options the brief asks for', () => {
    const names = new Set(OPTIONS.map((o) => o.name));
    for (const name of ['host', 'port', 'data-dir', 'events', 'record', 'chain-id', 'private-key', 'private-key-file', 'keystore-file',
      'password', 'password-file', 'service-fee', 'workers', 'shard-workers', 'enable-debug', 'operator', 'info-message', 'log-level',
      'log-json', 'eth-rpc', 'registry', 'user-deposit', 'one-to-n', 'service-registry', 'confirmations', 'start-block',
      'matrix-server', 'presence-room', 'matrix-rate-limit', 'max-body-bytes', 'queue-limit', 'request-timeout-ms', 'body-timeout-s',
      'search-max-candidates', 'search-max-relaxations', 'lmdb-map-size', 'deferred-max', 'deferred-expiry-s', 'rdn-per-eth',
      'expire-within', 'gas-price']) {
      assert.ok(names.has(name), name);
    }
  });
});
