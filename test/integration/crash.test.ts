import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSignedLog } from '../../src/demo/signed-log.ts';
import { scaleFree } from '../../src/demo/topology.ts';
import { asAddress, toChecksumAddress } from '../../src/domain/index.ts';
import { derivedKey, type KeyPair } from '../../src/protocol/index.ts';
import { Random } from '../../src/util/random.ts';
import { ServiceProcess } from '../helpers/service-process.ts';
import { dumpRoutingState } from '../helpers/store-dump.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * kill -9 in the middle of an ingestion, restart on the same data dir with the same event
 * log, and the end state must equal that of one uninterrupted run (the reference's
 * test_crash idea): the same stored channels, capacities, fee schedules and tie order, and
 * byte-identical answers, also after a further restart without --events.
 */

const CHAIN_ID = 337n;
const NETWORK = asAddress('0x' + 'ab'.repeat(20));

function appliedUpdates(metrics: string): number {
  let n = 0;
  for (const line of metrics.split('\n')) {
    const m = /^pfs_input_events_total\{kind="(capacity_update|fee_update)",outcome="applied"\} (\S+)$/.exec(line);
    if (m !== null) n += Number(m[2]);
  }
  return n;
}

/** Waits until the process has applied at least `n` updates (per its own metrics). */
async function untilApplied(service: ServiceProcess, n: number): Promise<void> {
  let exited = false;
  void service.exited.then(() => (exited = true));
  // a deadline, so a stuck service fails this test instead of hanging the whole run
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited) throw new Error(`the service exited while ingesting:\n${service.log}`);
    if (Date.now() > deadline) throw new Error(`fewer than ${n} updates applied after 180 s:\n${service.log.slice(-3000)}`);
    const r = await service.get('/metrics').catch(() => null);
    if (r !== null && appliedUpdates(r.text) >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('crash safety (kill -9 during ingestion)', () => {
  const dir = tempDir();
  const events = join(dir.path, 'events.ndjson');
  const queries: string[] = [];
  let totalUpdates = 0;

  before(() => {
    const keys: KeyPair[] = [];
    const spec = scaleFree(11, 400, 2000, (_rng, n) => {
      for (let i = 0; i < n; i++) keys.push(derivedKey('crash-test', i));
      return keys.map((k) => k.address);
    });
    const summary = writeSignedLog(events, spec, {
      chainId: CHAIN_ID,
      token: asAddress('0x' + 'cd'.repeat(20)),
      network: NETWORK,
      settleTimeout: 500n,
      server: 'crash.test',
      keys,
      capacityRounds: 3,
      channelsPerBlock: 50,
      feeEpochMs: Date.UTC(2025, 0, 1),
    });
    totalUpdates = summary.capacityUpdates + summary.feeUpdates;
    const rng = new Random(5);
    const reachable = spec.addresses.filter((_, i) => spec.reachable[i] === 1);
    for (let i = 0; i < 40; i++) {
      const from = toChecksumAddress(rng.pick(reachable));
      const to = toChecksumAddress(rng.pick(reachable));
      // log-uniform from 1e-6 to 1x the median capacity
      const value = BigInt(Math.max(1, Math.round(Number(spec.medianCapacity) * 10 ** (-6 * rng.next()))));
      queries.push(`{"from": "${from}", "to": "${to}", "value": ${value}, "max_paths": 5}`);
    }
  });
  after(() => dir.cleanup());

  async function answers(service: ServiceProcess): Promise<string[]> {
    const out: string[] = [];
    for (const q of queries) {
      const r = await service.post(`/api/v1/${toChecksumAddress(NETWORK)}/paths`, q);
      // the feedback token is random per answer; everything else must be identical
      out.push(`${r.status} ${r.text.replace(/"feedback_token": "[0-9a-f]{32}"/, '"feedback_token": "*"')}`);
    }
    const online = await service.get('/api/v1/online_addresses');
    out.push(JSON.stringify((online.json as string[]).slice().sort()));
    return out;
  }

  it('ends in the state of an uninterrupted run', { timeout: 240_000 }, async () => {
    const clean = join(dir.path, 'clean');
    const cleanRecord = join(dir.path, 'clean.record.ndjson');
    const crashedRecord = join(dir.path, 'crashed.record.ndjson');
    const recording = (file: string) => ['--record', file];
    const a = await ServiceProcess.start({ dataDir: clean, events, chainId: CHAIN_ID, args: recording(cleanRecord) });
    await a.waitReady(120_000);
    const expected = await answers(a);
    assert.equal(await a.stop(), 0);
    assert.ok(expected.some((x) => x.startsWith('200 ')), 'some requests find routes');

    const crashed = join(dir.path, 'crashed');
    // first kill: a quarter of the updates in; second: right after the restart began
    const b1 = await ServiceProcess.start({ dataDir: crashed, events, chainId: CHAIN_ID, args: recording(crashedRecord) });
    await untilApplied(b1, Math.floor(totalUpdates / 4));
    assert.equal((await b1.get('/ready')).status, 503, 'killed while still ingesting');
    await b1.kill9();
    const b2 = await ServiceProcess.start({ dataDir: crashed, events, chainId: CHAIN_ID, args: recording(crashedRecord) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await b2.kill9();
    // third: in the middle of what is left
    const b3 = await ServiceProcess.start({ dataDir: crashed, events, chainId: CHAIN_ID, args: recording(crashedRecord) });
    await untilApplied(b3, Math.floor(totalUpdates / 4));
    assert.equal((await b3.get('/ready')).status, 503, 'killed while still ingesting');
    await b3.kill9();
    const b4 = await ServiceProcess.start({ dataDir: crashed, events, chainId: CHAIN_ID, args: recording(crashedRecord) });
    await b4.waitReady(120_000);
    assert.deepEqual(await answers(b4), expected);
    assert.equal(await b4.stop(), 0);

    assert.deepEqual(await dumpRoutingState(crashed), await dumpRoutingState(clean), 'stored routing state equals the clean run');
    assert.ok(readFileSync(crashedRecord).equals(readFileSync(cleanRecord)), '--record holds every accepted line once, crashes or not');

    // the recording replayed on a fresh data dir gives the same answers
    const replay = await ServiceProcess.start({ dataDir: join(dir.path, 'replay'), events: cleanRecord, chainId: CHAIN_ID });
    await replay.waitReady(120_000);
    assert.deepEqual(await answers(replay), expected, 'replaying the recording answers identically');
    assert.equal(await replay.stop(), 0);

    const b5 = await ServiceProcess.start({ dataDir: crashed, chainId: CHAIN_ID });
    await b5.waitReady(60_000);
    assert.deepEqual(await answers(b5), expected, 'a restart without --events answers identically');
    assert.equal(await b5.stop(), 0);
  });
});
