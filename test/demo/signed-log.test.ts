import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLogLine } from '../../actors/ingress/log-line.ts';
import { signHash, keyPair, derivedKey } from '../../src/protocol/index.ts';
import { writeSignedLog } from '../../src/demo/signed-log.ts';
import { scaleFree } from '../../src/demo/topology.ts';
import { asAddress } from '../../src/domain/index.ts';
import {
  decodeRaidenMessage,
  recoverAddress,
  splitMessageBody,
  validateCapacityUpdate,
  validateFeeUpdate,
  verifyDisplayname,
} from '../../src/protocol/index.ts';
import { PRIVATE_KEY_1, addressOf, signHash as ethersSign } from '../protocol/keys.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('the native signer matches ethers byte for byte and recovers to its address', () => {
  const privateKey = Buffer.from(PRIVATE_KEY_1.slice(2), 'hex');
  const key = keyPair(privateKey);
  assert.equal(key.address, addressOf(PRIVATE_KEY_1));
  const hash = new Uint8Array(32).fill(7);
  const ours = signHash(key, hash);
  // RFC 6979 makes both deterministic, so the bytes must be equal
  assert.deepEqual(Buffer.from(ours), Buffer.from(ethersSign(PRIVATE_KEY_1, hash)));
  assert.deepEqual(recoverAddress(hash, ours), { ok: true, address: key.address });
});

test('derived keys are deterministic and distinct', () => {
  assert.equal(derivedKey('x', 1).address, derivedKey('x', 1).address);
  assert.notEqual(derivedKey('x', 1).address, derivedKey('x', 2).address);
  assert.notEqual(derivedKey('x', 1).address, derivedKey('y', 1).address);
});

test('a written signed log parses and every message verifies against its sender', (t) => {
  const { path: dir, cleanup } = tempDir();
  t.after(cleanup);
  {
    const keys = Array.from({ length: 30 }, (_, i) => derivedKey('signed-log-test', i));
    const spec = scaleFree(3, 30, 60, () => keys.map((k) => k.address));
    const network = asAddress('0x' + '12'.repeat(20));
    const path = join(dir, 'log.ndjson');
    const summary = writeSignedLog(path, spec, {
      chainId: 5n,
      token: asAddress('0x' + '34'.repeat(20)),
      network,
      settleTimeout: 500n,
      server: 'test.local',
      keys,
      capacityRounds: 2,
      channelsPerBlock: 7,
      feeEpochMs: Date.UTC(2025, 0, 1),
    });
    assert.equal(summary.capacityUpdates, spec.channels.length * 2 * 2);
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(lines.length, summary.lines);
    let messages = 0;
    let lastBlock = 0;
    for (const line of lines) {
      const input = parseLogLine(line);
      assert.notEqual(input.kind, 'invalid', line);
      if ('block' in input) {
        assert.ok(input.block >= lastBlock, 'blocks never go back');
        lastBlock = input.block;
      }
      if (input.kind === 'presence') assert.equal(verifyDisplayname(input.userId, input.displayname).ok, true);
      if (input.kind !== 'to_device') continue;
      const sender = input.sender.slice(1, 43);
      for (const body of splitMessageBody(input.body)) {
        const m = decodeRaidenMessage(body);
        const ctx = { chainId: 5n, isKnownTokenNetwork: (a: string) => a === network, expectedSender: asAddress(sender) };
        const r = m.kind === 'capacity_update' ? validateCapacityUpdate(m, ctx) : m.kind === 'fee_update' ? validateFeeUpdate(m, ctx) : null;
        assert.ok(r !== null && r.ok, `message verifies: ${body.slice(0, 80)}`);
        messages++;
      }
    }
    assert.equal(messages, summary.capacityUpdates + summary.feeUpdates);
  }
});
