import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type MessageCounts, signedLogLines, writeLines } from '../../src/demo/signed-log.ts';
import { scaleFree } from '../../src/demo/topology.ts';
import { type Address, addressFromBytes, keccak256, toChecksumAddress } from '../../src/domain/index.ts';
import { derivedKey } from '../../src/protocol/index.ts';
import { ServiceProcess } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * A registry with 250 small token networks in one event log (issue 3: ready within 60 s).
 * Nodes are shared between networks, as real users join several. Networks share shard
 * workers beyond --shard-workers, each still its own actor with its own state.
 */

const CHAIN_ID = 5n;
const NETWORKS = 250;
const KEYS = Array.from({ length: 600 }, (_, i) => derivedKey('many-networks', i));

function networkAddress(i: number): Address {
  return addressFromBytes(keccak256(Buffer.from(`many-networks/tn/${i}`)).subarray(12));
}

describe('250 token networks in one event log', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('are all served and /ready comes within 60 s', { timeout: 180_000 }, async (t) => {
    const events = join(dir.path, 'events.ndjson');
    const counts: MessageCounts = { capacityUpdates: 0, feeUpdates: 0 };
    const samples: { network: Address; from: Address; to: Address }[] = [];
    function* all(): Generator<string> {
      let block = 1;
      for (let n = 0; n < NETWORKS; n++) {
        // 20 of the shared keys per network, 40 channels
        const members = Array.from({ length: 20 }, (_, i) => KEYS[(n * 7 + i * 29) % KEYS.length]!);
        const spec = scaleFree(1000 + n, 20, 40, () => members.map((k) => k.address));
        const network = networkAddress(n);
        const c = spec.channels[0]!;
        samples.push({ network, from: spec.addresses[c.a]!, to: spec.addresses[c.b]! });
        for (const line of signedLogLines(
          { ...spec, reachable: new Uint8Array(20).fill(1) },
          {
            chainId: CHAIN_ID,
            token: networkAddress(10_000 + n),
            network,
            settleTimeout: 500n,
            server: 'many.test',
            keys: members,
            capacityRounds: 1,
            channelsPerBlock: 10,
            feeEpochMs: Date.UTC(2025, 0, 1),
          },
          counts,
          block,
        )) {
          const m = /"block":(\d+)/.exec(line);
          if (m !== null) block = Number(m[1]);
          yield line;
        }
      }
    }
    writeLines(events, all());

    const started = Date.now();
    const service = await ServiceProcess.start({ dataDir: join(dir.path, 'data'), events, chainId: CHAIN_ID });
    await service.waitReady(60_000);
    const readyMs = Date.now() - started;
    assert.ok(readyMs < 60_000, `ready after ${readyMs} ms`);
    t.diagnostic(`${NETWORKS} networks, ${counts.capacityUpdates + counts.feeUpdates} signed updates: ready after ${readyMs} ms`);

    for (const i of [0, 1, 124, 248, 249]) {
      const s = samples[i]!;
      const r = await service.post(`/api/v1/${toChecksumAddress(s.network)}/paths`, {
        from: toChecksumAddress(s.from),
        to: toChecksumAddress(s.to),
        value: 1,
      });
      assert.equal(r.status, 200, `network ${i}: ${r.text}`);
    }
    const metrics = (await service.get('/metrics')).text;
    const channelSeries = metrics.split('\n').filter((l) => l.startsWith('pfs_token_network_channels{'));
    assert.equal(channelSeries.length, NETWORKS, 'every network is known to the front');
    assert.equal(await service.stop(), 0);
  });
});
