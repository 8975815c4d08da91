import { demoCandidatePairs, ensureDemoEventLog, DEMO_TOKEN_NETWORK } from '../src/demo/demo-network.ts';
import { toChecksumAddress } from '../src/domain/index.ts';
import type { Logger } from '../src/log.ts';
import { DEFAULT_SEARCH_LIMITS } from '../src/routing/index.ts';
import type { Actors } from './service.ts';

/**
 * `pfs demo`: writes the demo network's signed event log into the data dir (once), serves
 * it like any event log, and once the service is ready prints two curl commands whose
 * requests it has just answered with routes itself, so they are known to work.
 */
export function startDemo(dataDir: string, chainId: bigint, log: Logger): { path: string; whenReady: (actors: Actors, base: string) => void } {
  const started = Date.now();
  const demo = ensureDemoEventLog(dataDir, chainId);
  if (demo.written !== null) {
    log.info('demo network written', { path: demo.path, lines: demo.written.lines, ms: Date.now() - started });
  }
  return {
    path: demo.path,
    whenReady: (actors, base) => {
      const tick = (): void => {
        if (actors.notReadyReason !== null) {
          setTimeout(tick, 100);
          return;
        }
        void printCommands(actors, base, demo.spec).catch((e: unknown) => log.error('demo: no example requests', { error: String(e) }));
      };
      tick();
    },
  };
}

async function printCommands(actors: Actors, base: string, spec: Parameters<typeof demoCandidatePairs>[0]): Promise<void> {
  const network = actors.networks.get(DEMO_TOKEN_NETWORK);
  if (network?.snapshot == null) throw new Error('the demo token network has no snapshot');
  const lines: string[] = [];
  for (const pair of demoCandidatePairs(spec)) {
    if (lines.length === 2) break;
    const result = await actors.search({
      kind: 'path',
      network: DEMO_TOKEN_NETWORK,
      snapshot: network.snapshot,
      registry: actors.registryHandle,
      query: { source: pair.source, target: pair.target, value: pair.value, maxPaths: lines.length === 0 ? 3 : 5, diversityPenalty: 5, feePenalty: 100 },
      limits: DEFAULT_SEARCH_LIMITS,
      deadline: Date.now() + 10_000,
    });
    if (result.kind !== 'searched' || result.outcome.kind !== 'routes') continue;
    // written by hand so that values above 2^53 stay exact integer literals
    const body = `{"from": "${toChecksumAddress(pair.source)}", "to": "${toChecksumAddress(pair.target)}", "value": ${pair.value}, "max_paths": ${lines.length === 0 ? 3 : 5}}`;
    lines.push(`curl -s -X POST ${base}/api/v1/${toChecksumAddress(DEMO_TOKEN_NETWORK)}/paths -H 'Content-Type: application/json' -d '${body}'`);
  }
  process.stdout.write(
    [
      '',
      `Demo ready: ${spec.addresses.length} nodes, ${spec.channels.length} channels, token network ${toChecksumAddress(DEMO_TOKEN_NETWORK)}.`,
      `Service: ${base}  (info: curl -s ${base}/api/v1/info)`,
      'Try:',
      ...lines,
      '',
    ].join('\n') + '\n',
  );
}
