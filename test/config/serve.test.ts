import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type ConfigDeps, configSummary, confirmationsFor, dataDirFor, parseConfig } from '../../src/config.ts';
import { assertErrors, CHECKSUMMED, CHECKSUMMED2, errorsOf, KEY1, MIN_SERVE, parse, serveOk, TEST_DEPS, tempDir, tempFile } from './helpers.ts';

/** The errors of a parse with some machine facts replaced. */
function parseConfigWith(argv: string[], deps: Partial<ConfigDeps>): readonly string[] {
  const result = parseConfig(argv, {}, { ...TEST_DEPS, ...deps });
  assert.equal(result.ok, false);
  return result.ok ? [] : result.errors;
}

describe('serve: defaults', () => {
  test('every default', () => {
    const c = serveOk(MIN_SERVE);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 6000);
    assert.deepEqual(c.dataDir, { path: '/home/tester/.local/share/raiden-pfs', perChain: true });
    assert.equal(dataDirFor(c.dataDir, 1n), '/home/tester/.local/share/raiden-pfs/1');
    assert.equal(c.events, null);
    assert.equal(c.record, null);
    assert.equal(c.chainId, 1n);
    assert.equal(c.serviceFee, 0n);
    assert.equal(c.workers, 4);
    assert.equal(c.shardWorkers, 8);
    assert.equal(c.enableDebug, false);
    assert.equal(c.operator, 'John Doe');
    assert.equal(c.infoMessage, 'This is your favorite PFS.');
    assert.equal(c.logLevel, 'INFO');
    assert.equal(c.logJson, false);
    assert.equal(c.ethRpc, null);
    assert.deepEqual(c.contracts, { registry: null, userDeposit: null, oneToN: null, serviceRegistry: null });
    assert.deepEqual(c.confirmations, { value: 5, explicit: false });
    assert.equal(c.startBlock, 0);
    assert.deepEqual(c.matrixServers, []);
    assert.equal(c.presenceRoom, null);
    assert.equal(c.matrixRateLimit, 5_000_000);
    assert.equal(c.maxBodyBytes, 65_536);
    assert.equal(c.queueLimit, 256 * 4);
    assert.equal(c.requestTimeoutMs, 2000);
    assert.equal(c.bodyTimeoutS, 10);
    assert.deepEqual(c.searchLimits, { maxCandidates: 5000, maxRelaxations: 2_000_000 });
    assert.equal(c.lmdbMapSize, null);
    assert.equal(c.deferredMax, 10_000);
    assert.equal(c.deferredExpiryS, 3600);
    assert.equal(c.key.kind, 'hex');
  });

  test('the config is deeply frozen', () => {
    const c = serveOk(MIN_SERVE);
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.contracts));
    assert.ok(Object.isFrozen(c.matrixServers));
    assert.ok(Object.isFrozen(c.searchLimits));
    assert.ok(Object.isFrozen(c.key));
  });

  test('data dir default follows XDG_DATA_HOME when absolute', () => {
    assert.equal(serveOk(MIN_SERVE, { XDG_DATA_HOME: '/xdg' }).dataDir.path, '/xdg/raiden-pfs');
    assert.equal(serveOk(MIN_SERVE, { XDG_DATA_HOME: 'relative' }).dataDir.path, '/home/tester/.local/share/raiden-pfs');
  });

  test('explicit data dir is used as given, resolved, ~ expanded', () => {
    const c = serveOk([...MIN_SERVE, '--data-dir', '/srv/pfs']);
    assert.deepEqual(c.dataDir, { path: '/srv/pfs', perChain: false });
    assert.equal(dataDirFor(c.dataDir, 5n), '/srv/pfs');
    assert.equal(serveOk([...MIN_SERVE, '--data-dir', '~/pfs']).dataDir.path, '/home/tester/pfs');
    assert.equal(serveOk([...MIN_SERVE, '--data-dir', 'rel']).dataDir.path, join(process.cwd(), 'rel'));
  });

  test('queue limit default follows an explicit --workers', () => {
    const c = serveOk([...MIN_SERVE, '--workers', '3']);
    assert.equal(c.workers, 3);
    assert.equal(c.queueLimit, 768);
    assert.equal(c.shardWorkers, 8);
  });

  test('confirmations: default 5 or 0 on Arbitrum; explicit 0 honoured', () => {
    const d = serveOk(MIN_SERVE).confirmations;
    assert.equal(confirmationsFor(d, 1n), 5);
    assert.equal(confirmationsFor(d, 42161n), 0);
    const zero = serveOk([...MIN_SERVE, '--confirmations', '0']).confirmations;
    assert.deepEqual(zero, { value: 0, explicit: true });
    assert.equal(confirmationsFor(zero, 1n), 0);
    const twelve = serveOk([...MIN_SERVE, '--confirmations=12']).confirmations;
    assert.equal(confirmationsFor(twelve, 42161n), 12);
  });

  test('the demo command takes the same options', () => {
    const result = parse(['demo', '--chain-id', '1', '--private-key', KEY1, '--port', '7000']);
    assert.ok(result.ok && result.command === 'demo');
    assert.equal(result.ok && result.command === 'demo' ? result.config.port : 0, 7000);
  });
});

describe('serve: sources and precedence', () => {
  test('every option can come from PFS_* variables', () => {
    const dir = tempDir();
    const events = tempFile('e.ndjson', '{}\n');
    const env = {
      PFS_HOST: '0.0.0.0', PFS_PORT: '7001', PFS_DATA_DIR: dir, PFS_EVENTS: events, PFS_RECORD: join(dir, 'rec.ndjson'),
      PFS_CHAIN_ID: '5', PFS_PRIVATE_KEY: KEY1, PFS_SERVICE_FEE: '100', PFS_WORKERS: '2', PFS_SHARD_WORKERS: '3',
      PFS_ENABLE_DEBUG: 'yes', PFS_OPERATOR: 'Op', PFS_INFO_MESSAGE: 'Hi', PFS_LOG_LEVEL: 'debug', PFS_LOG_JSON: '1',
      PFS_ETH_RPC: 'http://node:8545', PFS_REGISTRY: CHECKSUMMED, PFS_USER_DEPOSIT: CHECKSUMMED2, PFS_ONE_TO_N: CHECKSUMMED,
      PFS_SERVICE_REGISTRY: CHECKSUMMED2, PFS_CONFIRMATIONS: '0', PFS_START_BLOCK: '99',
      PFS_MATRIX_SERVER: 'https://a.example, https://b.example', PFS_PRESENCE_ROOM: '#presence:a.example',
      PFS_MATRIX_RATE_LIMIT: '1000', PFS_MAX_BODY_BYTES: '1024', PFS_QUEUE_LIMIT: '10', PFS_REQUEST_TIMEOUT_MS: '500',
      PFS_BODY_TIMEOUT_S: '30', PFS_SEARCH_MAX_CANDIDATES: '7', PFS_SEARCH_MAX_RELAXATIONS: '8',
      PFS_LMDB_MAP_SIZE: '1073741824', PFS_DEFERRED_MAX: '0', PFS_DEFERRED_EXPIRY_S: '60',
    };
    const c = serveOk(['serve'], env);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 7001);
    assert.deepEqual(c.dataDir, { path: dir, perChain: false });
    assert.equal(c.events, events);
    assert.equal(c.record, join(dir, 'rec.ndjson'));
    assert.equal(c.chainId, 5n);
    assert.equal(c.serviceFee, 100n);
    assert.equal(c.workers, 2);
    assert.equal(c.shardWorkers, 3);
    assert.equal(c.enableDebug, true);
    assert.equal(c.operator, 'Op');
    assert.equal(c.infoMessage, 'Hi');
    assert.equal(c.logLevel, 'DEBUG');
    assert.equal(c.logJson, true);
    assert.equal(c.ethRpc, 'http://node:8545');
    assert.deepEqual(c.contracts, {
      registry: CHECKSUMMED.toLowerCase(), userDeposit: CHECKSUMMED2.toLowerCase(),
      oneToN: CHECKSUMMED.toLowerCase(), serviceRegistry: CHECKSUMMED2.toLowerCase(),
    });
    assert.deepEqual(c.confirmations, { value: 0, explicit: true });
    assert.equal(c.startBlock, 99);
    assert.deepEqual(c.matrixServers, ['https://a.example', 'https://b.example']);
    assert.equal(c.presenceRoom, '#presence:a.example');
    assert.equal(c.matrixRateLimit, 1000);
    assert.equal(c.maxBodyBytes, 1024);
    assert.equal(c.queueLimit, 10);
    assert.equal(c.requestTimeoutMs, 500);
    assert.equal(c.bodyTimeoutS, 30);
    assert.deepEqual(c.searchLimits, { maxCandidates: 7, maxRelaxations: 8 });
    assert.equal(c.lmdbMapSize, 1073741824);
    assert.equal(c.deferredMax, 0);
    assert.equal(c.deferredExpiryS, 60);
  });

  test('the command line wins over the environment, option by option', () => {
    const c = serveOk([...MIN_SERVE, '--port', '7002', '--no-enable-debug'], { PFS_PORT: '7003', PFS_OPERATOR: 'Env', PFS_ENABLE_DEBUG: 'true', PFS_CHAIN_ID: '9' });
    assert.equal(c.port, 7002);
    assert.equal(c.operator, 'Env');
    assert.equal(c.enableDebug, false);
    assert.equal(c.chainId, 1n);
  });

  test('a bad env value is not an error when the command line overrides it', () => {
    assert.equal(serveOk([...MIN_SERVE, '--port', '7002'], { PFS_PORT: 'nope' }).port, 7002);
  });

  test('an empty variable counts as unset', () => {
    assert.equal(serveOk(MIN_SERVE, { PFS_PORT: '', PFS_EVENTS: '' }).port, 6000);
  });

  test('flag forms', () => {
    assert.equal(serveOk([...MIN_SERVE, '--enable-debug']).enableDebug, true);
    assert.equal(serveOk([...MIN_SERVE, '--enable-debug=false']).enableDebug, false);
    assert.equal(serveOk([...MIN_SERVE, '--log-json=YES']).logJson, true);
    for (const word of ['0', 'false', 'no', 'FALSE']) assert.equal(serveOk(MIN_SERVE, { PFS_LOG_JSON: word }).logJson, false);
    for (const word of ['1', 'true', 'yes', 'True']) assert.equal(serveOk(MIN_SERVE, { PFS_LOG_JSON: word }).logJson, true);
  });

  test('--opt=value, values starting with a single dash, repeated list options', () => {
    const c = serveOk([...MIN_SERVE, '--info-message=--loud--', '--operator', '-x-', '--matrix-server', 'https://a.example', '--matrix-server=https://b.example,https://c.example']);
    assert.equal(c.infoMessage, '--loud--');
    assert.equal(c.operator, '-x-');
    assert.deepEqual(c.matrixServers, ['https://a.example', 'https://b.example', 'https://c.example']);
  });

  test('argv lists replace env lists', () => {
    const c = serveOk([...MIN_SERVE, '--matrix-server', 'https://a.example'], { PFS_MATRIX_SERVER: 'https://x.example' });
    assert.deepEqual(c.matrixServers, ['https://a.example']);
  });

  test('known-servers list: auto by default, "none", a URL, or $URL_KNOWN_FEDERATION_SERVERS', () => {
    assert.deepEqual(serveOk(MIN_SERVE).knownServers, { kind: 'auto' });
    assert.deepEqual(serveOk([...MIN_SERVE, '--known-servers-url', 'None']).knownServers, { kind: 'none' });
    const list = 'http://127.0.0.1:8080/list.json';
    assert.deepEqual(serveOk([...MIN_SERVE, '--known-servers-url', list]).knownServers, { kind: 'url', url: list });
    assert.deepEqual(serveOk(MIN_SERVE, { PFS_KNOWN_SERVERS_URL: list }).knownServers, { kind: 'url', url: list });
    assert.deepEqual(serveOk(MIN_SERVE, { URL_KNOWN_FEDERATION_SERVERS: list }).knownServers, { kind: 'url', url: list });
    // the option, even "none", wins over the reference's variable
    assert.deepEqual(serveOk([...MIN_SERVE, '--known-servers-url', 'none'], { URL_KNOWN_FEDERATION_SERVERS: list }).knownServers, { kind: 'none' });
    assertErrors(errorsOf([...MIN_SERVE, '--known-servers-url', 'list.json']), [/^--known-servers-url: must be an http:\/\/ or https:\/\/ URL/]);
    assertErrors(errorsOf(MIN_SERVE, { URL_KNOWN_FEDERATION_SERVERS: 'ftp://x' }), [/^\$URL_KNOWN_FEDERATION_SERVERS: must be an http:\/\/ or https:\/\/ URL/]);
    // a list can name servers, so --presence-room has an effect with one
    const withList = parse([...MIN_SERVE, '--presence-room', '!abc:x.org', '--known-servers-url', list]);
    assert.ok(withList.ok);
    assert.doesNotMatch(withList.warnings.join('\n'), /presence-room/);
  });

  test('log level is case-insensitive and stored upper case', () => {
    for (const level of ['critical', 'Error', 'WARNING', 'info', 'DeBuG']) {
      assert.equal(serveOk([...MIN_SERVE, '--log-level', level]).logLevel, level.toUpperCase());
    }
  });

  test('contract addresses: all-digit addresses count as checksummed', () => {
    const digits = '0x' + '1'.repeat(40);
    assert.equal(serveOk([...MIN_SERVE, '--registry', digits]).contracts.registry, digits);
  });

  test('service fee > 0 with a chain; amounts stay exact above 2^53', () => {
    const c = serveOk(['serve', '--private-key', KEY1, '--eth-rpc', 'https://node.example', '--registry', CHECKSUMMED,
      '--user-deposit', CHECKSUMMED2, '--one-to-n', CHECKSUMMED, '--service-fee', '123456789012345678901234567890']);
    assert.equal(c.serviceFee, 123456789012345678901234567890n);
    assert.equal(c.chainId, null);
    assert.equal(c.dataDir.perChain, true);
  });

  test('warnings: unknown PFS_ variable, argv private key, localhost, no-effect options', () => {
    const result = parse([...MIN_SERVE, '--host', 'localhost', '--start-block', '5', '--presence-room', '!abc:x.org'], { PFS_NOPE: '1', OTHER: 'x' });
    assert.ok(result.ok);
    const w = result.warnings.join('\n');
    assert.match(w, /PFS_NOPE/);
    assert.doesNotMatch(w, /OTHER/);
    assert.match(w, /--private-key on the command line/);
    assert.match(w, /localhost/);
    assert.match(w, /--start-block has no effect without --eth-rpc/);
    assert.match(w, /--presence-room has no effect without --matrix-server/);
    assert.equal(serveOk([...MIN_SERVE, '--host', '[::1]']).host, '::1');
  });

  test('options of another command in the environment are ignored', () => {
    assert.equal(parse(MIN_SERVE, { PFS_RDN_PER_ETH: 'garbage' }).ok, true);
  });

  test('the summary is JSON-safe and holds no secret', () => {
    const summary = JSON.stringify(configSummary(serveOk([...MIN_SERVE, '--service-fee', '0'])));
    assert.ok(!summary.includes(KEY1));
    assert.match(summary, /"key":"--private-key"/);
    assert.match(summary, /"chainId":"1"/);
  });
});

describe('serve: validation errors', () => {
  test('several bad options give several messages, all at once', () => {
    const errors = errorsOf(['serve', '--port', '0', '--workers', 'many', '--log-level', 'loud', '--registry', CHECKSUMMED.toLowerCase(),
      '--eth-rpc', 'ftp://x', '--confirmations', '-1', '--private-key', 'abc'], { PFS_MAX_BODY_BYTES: '1.5' });
    assertErrors(errors, [
      /^--port: must be an integer from 1 to 65535, got "0"$/,
      /^--workers: must be an integer from 1 to 1024, got "many"$/,
      /^--log-level: must be one of CRITICAL, ERROR, WARNING, INFO, DEBUG, got "loud"$/,
      /^--registry: must be an EIP-55 checksummed address/,
      /^--eth-rpc: must be an http:\/\/ or https:\/\/ URL/,
      /^--confirmations: must be an integer >= 0, got "-1"$/,
      /^--private-key: must be 32 bytes of hex/,
      /^PFS_MAX_BODY_BYTES: must be an integer >= 1, got "1.5"$/,
    ]);
  });

  test('error messages about keys never echo the key', () => {
    const secret = 'ab'.repeat(31) + 'zz';
    const errors = errorsOf(['serve', '--chain-id', '1', '--private-key', secret]);
    assert.ok(errors.every((e) => !e.includes(secret)));
  });

  test('private key out of the secp256k1 range', () => {
    assertErrors(errorsOf(['serve', '--chain-id', '1', '--private-key', '00'.repeat(32)]), [/not a valid secp256k1 private key/]);
    assertErrors(errorsOf(['serve', '--chain-id', '1', '--private-key', 'ff'.repeat(32)]), [/not a valid secp256k1 private key/]);
  });

  test('contract address errors mention EIP-55', () => {
    const errors = errorsOf([...MIN_SERVE, '--registry', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', '--user-deposit', 'nope',
      '--one-to-n', '0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED', '--service-registry', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD']);
    assert.equal(errors.length, 4);
    for (const e of errors) assert.match(e, /EIP-55/);
  });

  test('no key, several keys', () => {
    assertErrors(errorsOf(['serve', '--chain-id', '1']), [/^no private key: give exactly one of/]);
    const file = tempFile('key', KEY1);
    assertErrors(errorsOf([...MIN_SERVE, '--private-key-file', file]), [/^several key sources \(--private-key, --private-key-file\)/]);
    assertErrors(errorsOf(['serve', '--chain-id', '1', '--private-key-file', file], { PFS_PRIVATE_KEY: KEY1 }), [/several key sources \(--private-key-file, PFS_PRIVATE_KEY\)|several key sources \(PFS_PRIVATE_KEY, --private-key-file\)/]);
  });

  test('--chain-id required without --eth-rpc; must be positive', () => {
    assertErrors(errorsOf(['serve', '--private-key', KEY1]), [/^--chain-id is required without --eth-rpc/]);
    assertErrors(errorsOf(['serve', '--private-key', KEY1, '--chain-id', '0']), [/^--chain-id: must be a decimal integer from 1/]);
    assertErrors(errorsOf(['serve', '--private-key', KEY1, '--chain-id', '0x1']), [/^--chain-id: must be a decimal integer >= 1/]);
  });

  test('service fee above 0 needs a chain, and with one the UserDeposit and OneToN', () => {
    assertErrors(errorsOf([...MIN_SERVE, '--service-fee', '1']), [/^--service-fee 1 needs --eth-rpc: payments need a chain/]);
    assertErrors(errorsOf([...MIN_SERVE, '--service-fee', '-1']), [/^--service-fee: must be a decimal integer/]);
    assertErrors(errorsOf([...MIN_SERVE, '--service-fee', '1', '--eth-rpc', 'http://n', '--registry', CHECKSUMMED]), [
      /^--user-deposit is required when --service-fee is above 0/,
      /^--one-to-n is required when --service-fee is above 0/,
    ]);
  });

  test('--eth-rpc needs --registry', () => {
    assertErrors(errorsOf([...MIN_SERVE, '--eth-rpc', 'http://n:8545']), [/^--registry is required with --eth-rpc/]);
  });

  test('--events must exist, be a file and be readable', () => {
    const dir = tempDir();
    assertErrors(errorsOf([...MIN_SERVE, '--events', join(dir, 'missing.ndjson')]), [/^--events: file .*missing\.ndjson does not exist$/]);
    assertErrors(errorsOf([...MIN_SERVE, '--events', dir]), [/^--events: .* is a directory, not a file$/]);
    const unreadable = parseConfigWith([...MIN_SERVE, '--events', tempFile('e.ndjson', '')], { isReadable: () => false });
    assertErrors(unreadable, [/^--events: file .* is not readable$/]);
  });

  test('--record: parent directory must exist; not a directory; not the event log', () => {
    const dir = tempDir();
    assertErrors(errorsOf([...MIN_SERVE, '--record', join(dir, 'no', 'such', 'r.ndjson')]), [/^--record: directory .*no\/such does not exist$/]);
    assertErrors(errorsOf([...MIN_SERVE, '--record', dir]), [/^--record: .* is a directory, not a file$/]);
    const events = tempFile('e.ndjson', '');
    assertErrors(errorsOf([...MIN_SERVE, '--events', events, '--record', events]), [/^--record: must not be the event log given to --events/]);
    assert.equal(serveOk([...MIN_SERVE, '--record', join(dir, 'r.ndjson')]).record, join(dir, 'r.ndjson'));
  });

  test('--data-dir must not be an existing file', () => {
    const file = tempFile('f', 'x');
    assertErrors(errorsOf([...MIN_SERVE, '--data-dir', file]), [/^--data-dir: .* exists and is not a directory$/]);
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    assert.equal(serveOk([...MIN_SERVE, '--data-dir', join(dir, 'sub')]).dataDir.path, join(dir, 'sub'));
  });

  test('each numeric option checks its range', () => {
    const cases: [string, string, RegExp][] = [
      ['port', '65536', /from 1 to 65535/],
      ['workers', '0', /from 1 to 1024/],
      ['shard-workers', '2000', /from 1 to 1024/],
      ['start-block', 'x', />= 0/],
      ['matrix-rate-limit', '0', />= 1/],
      ['max-body-bytes', '0', />= 1/],
      ['queue-limit', '0', />= 1/],
      ['request-timeout-ms', '0', />= 1/],
      ['body-timeout-s', '0', />= 1/],
      ['search-max-candidates', '0', />= 1/],
      ['search-max-relaxations', '1e6', />= 1/],
      ['lmdb-map-size', '1000', />= 1048576/],
      ['deferred-max', '-5', />= 0/],
      ['deferred-expiry-s', '0', />= 1/],
      ['confirmations', '99999999999999999999', />= 0/],
    ];
    const argv = [...MIN_SERVE];
    for (const [name, value] of cases) argv.push(`--${name}=${value}`);
    const errors = errorsOf(argv);
    assert.equal(errors.length, cases.length, errors.join('\n'));
    for (const [name, , pattern] of cases) {
      const e = errors.find((x) => x.startsWith(`--${name}:`));
      assert.ok(e !== undefined && pattern.test(e), `--${name}: ${e}`);
    }
  });

  test('text and URL options', () => {
    assertErrors(errorsOf([...MIN_SERVE, '--host', 'a b', '--matrix-server', 'matrix.org', '--presence-room', 'room', '--log-json=maybe']), [
      /^--host: must be a host name or IP address/,
      /^--matrix-server: must be an http:\/\/ or https:\/\/ URL including the scheme, got "matrix.org"$/,
      /^--presence-room: must be a Matrix room alias/,
      /^--log-json: must be one of 1\/0, true\/false/,
    ]);
  });

  test('command line syntax errors', () => {
    assertErrors(errorsOf([...MIN_SERVE, '--prot', '5', 'stray', '--port']), [
      /^unknown option --prot \(did you mean --port\?\)$/,
      /^unexpected argument "stray"$/,
      /^--port needs a value$/,
    ]);
    assertErrors(errorsOf([...MIN_SERVE, '--port', '1', '--port', '2']), [/^--port given more than once$/]);
    assertErrors(errorsOf([...MIN_SERVE, '--events', '--port', '1']), [/^--events needs a value$/]);
    assertErrors(errorsOf([...MIN_SERVE, '--rdn-per-eth', '1']), [/^--rdn-per-eth is not an option of serve/]);
    assertErrors(errorsOf([...MIN_SERVE, '-p', '1']), [/^unknown option -p \(options are spelt --name\)$/]);
    assertErrors(errorsOf([...MIN_SERVE, '--no-port']), [/^unknown option --no-port/]);
    assertErrors(errorsOf([...MIN_SERVE, '--', 'x']), [/^unexpected argument "x"$/]);
  });

  test('missing or unknown command', () => {
    assertErrors(errorsOf([]), [/^missing command: expected one of serve, demo, claim-fees/]);
    assertErrors(errorsOf(['start']), [/^unknown command "start"/]);
    assertErrors(errorsOf(['--port', '1']), [/^missing command before --port/]);
  });

  test('a bad env variable is named as such', () => {
    assertErrors(errorsOf(MIN_SERVE, { PFS_PORT: 'x', PFS_ENABLE_DEBUG: 'maybe' }), [/^PFS_PORT: /, /^PFS_ENABLE_DEBUG: /]);
  });
});

