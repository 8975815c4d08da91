import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SignedLogSummary, writeSignedLog } from '../../src/demo/signed-log.ts';
import { type NetworkSpec, scaleFree } from '../../src/demo/topology.ts';
import { type Address, addressFromBytes, keccak256 } from '../../src/domain/index.ts';
import { derivedKey, type KeyPair } from '../../src/protocol/index.ts';

/**
 * The benchmark networks as signed event logs, generated once and cached under
 * load-tests/.cache (signing a million messages takes minutes; the files are
 * deterministic, so a cached one is exactly what would be generated again).
 */

export const BENCH_CHAIN_ID = 337n;
export const BENCH_NETWORK: Address = addressFromBytes(keccak256(Buffer.from('bench-token-network')).subarray(12));
const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache');

export interface BenchLog {
  readonly path: string;
  readonly spec: NetworkSpec;
  /** Signed updates in the file (capacity + fee), null when the file was cached. */
  readonly summary: SignedLogSummary | null;
}

/** Signed updates a log of these parameters holds (without reading it). */
export function updatesIn(spec: NetworkSpec, rounds: number): number {
  let fees = 0;
  for (const c of spec.channels) fees += (c.feeA === null ? 0 : 1) + (c.feeB === null ? 0 : 1);
  return spec.channels.length * 2 * rounds + fees;
}

/** The scale-free network of `nodes`/`channels` as a log with `rounds` capacity rounds. */
export function benchLog(nodes: number, channels: number, rounds: number, log: (s: string) => void = () => undefined): BenchLog {
  mkdirSync(CACHE, { recursive: true });
  const keys: KeyPair[] = [];
  const spec = scaleFree(42, nodes, channels, (_rng, n) => {
    for (let i = 0; i < n; i++) keys.push(derivedKey('bench-node', i));
    return keys.map((k) => k.address);
  });
  const path = join(CACHE, `scale-free-${nodes}-${channels}-r${rounds}-v1.ndjson`);
  if (existsSync(path)) return { path, spec, summary: null };
  log(`generating ${path} (signing ${updatesIn(spec, rounds).toLocaleString('en-US')} messages, once)`);
  const started = Date.now();
  const summary = writeSignedLog(path, spec, {
    chainId: BENCH_CHAIN_ID,
    token: addressFromBytes(keccak256(Buffer.from('bench-token')).subarray(12)),
    network: BENCH_NETWORK,
    settleTimeout: 500n,
    server: 'bench.raiden.local',
    keys,
    capacityRounds: rounds,
    channelsPerBlock: 100,
    feeEpochMs: Date.UTC(2025, 0, 1),
    progress: (lines) => {
      if (lines % 100_000 === 0) log(`  ${lines.toLocaleString('en-US')} lines, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  log(`  done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { path, spec, summary };
}
