import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseGasPrice } from '../../src/config.ts';
import { assertErrors, CHECKSUMMED, claimOk, errorsOf, KEY1 } from './helpers.ts';

const CLAIM = ['claim-fees', '--eth-rpc', 'http://localhost:8545', '--one-to-n', CHECKSUMMED, '--private-key', KEY1];

describe('claim-fees', () => {
  test('defaults', () => {
    const c = claimOk(CLAIM);
    assert.equal(c.ethRpc, 'http://localhost:8545');
    assert.equal(c.contracts.oneToN, CHECKSUMMED.toLowerCase());
    assert.deepEqual(c.rdnPerEth, { numerator: 1n, denominator: 400n });
    assert.equal(c.expireWithin, 604_800);
    assert.equal(c.gasPrice, 'fast');
    assert.equal(c.chainId, null);
    assert.deepEqual(c.dataDir, { path: '/home/tester/.local/share/raiden-pfs', perChain: true });
    assert.equal(c.logLevel, 'INFO');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.rdnPerEth));
  });

  test('options from argv and env', () => {
    const c = claimOk([...CLAIM, '--rdn-per-eth', '0.5', '--gas-price', '20000000000', '--data-dir', '/d'], { PFS_EXPIRE_WITHIN: '60', PFS_CHAIN_ID: '5', PFS_LOG_LEVEL: 'warning' });
    assert.deepEqual(c.rdnPerEth, { numerator: 1n, denominator: 2n });
    assert.equal(c.gasPrice, 20_000_000_000n);
    assert.equal(c.expireWithin, 60);
    assert.equal(c.chainId, 5n);
    assert.deepEqual(c.dataDir, { path: '/d', perChain: false });
    assert.equal(c.logLevel, 'WARNING');
    assert.equal(claimOk([...CLAIM, '--gas-price', 'Normal']).gasPrice, 'normal');
    assert.deepEqual(claimOk([...CLAIM, '--rdn-per-eth', '12']).rdnPerEth, { numerator: 12n, denominator: 1n });
    assert.deepEqual(claimOk([...CLAIM, '--rdn-per-eth', '.125']).rdnPerEth, { numerator: 1n, denominator: 8n });
  });

  test('errors, all at once', () => {
    assertErrors(errorsOf(['claim-fees', '--rdn-per-eth', '0', '--expire-within', 'week', '--gas-price', 'slow', '--port', '1']), [
      /^--port is not an option of claim-fees/,
      /^--eth-rpc is required for claim-fees/,
      /^--one-to-n is required for claim-fees/,
      /^--rdn-per-eth: must be greater than 0/,
      /^--expire-within: must be an integer >= 1/,
      /^--gas-price: must be "fast", "normal" or a positive integer price in wei/,
      /^no private key/,
    ]);
    assertErrors(errorsOf([...CLAIM, '--rdn-per-eth', '1/400']), [/^--rdn-per-eth: must be a positive decimal number/]);
  });

  test('gas price parser', () => {
    assert.deepEqual(parseGasPrice('0'), { ok: false, message: 'must be "fast", "normal" or a positive integer price in wei, got "0"' });
    assert.deepEqual(parseGasPrice('FAST'), { ok: true, value: 'fast' });
  });
});
