import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SCHEMA_VERSION } from '../../src/store/environment.ts';
import { ServiceProcess } from '../../test/helpers/service-process.ts';
import { BENCH_CHAIN_ID, type BenchLog, benchLog } from './bench-logs.ts';

/**
 * A data dir that holds a benchmark network, ingested once through the real service and
 * reused (marked complete only after a clean stop, and rebuilt when the log or the storage
 * schema changed, or with --rebuild).
 */
export async function benchDataDir(
  nodes: number,
  channels: number,
  rounds: number,
  rebuild: boolean,
  log: (s: string) => void,
): Promise<{ dataDir: string; benchLog: BenchLog }> {
  const source = benchLog(nodes, channels, rounds, log);
  const dataDir = join(dirname(source.path), `data-${basename(source.path, '.ndjson')}`);
  const marker = join(dataDir, 'bench-complete.json');
  const expected = JSON.stringify({ log: basename(source.path), schema: SCHEMA_VERSION });
  if (!rebuild && existsSync(marker) && readFileSync(marker, 'utf8') === expected) return { dataDir, benchLog: source };
  rmSync(dataDir, { recursive: true, force: true });
  log(`ingesting ${basename(source.path)} into ${dataDir} (once)`);
  const started = Date.now();
  const service = await ServiceProcess.start({ dataDir, events: source.path, chainId: BENCH_CHAIN_ID });
  await service.waitReady(3_600_000);
  const code = await service.stop();
  if (code !== 0) throw new Error(`ingestion run exited with ${code}:\n${service.log.slice(-3000)}`);
  writeFileSync(marker, expected);
  log(`  done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { dataDir, benchLog: source };
}
