import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Address, addressFromBytes, keccak256 } from '../domain/index.ts';
import { type SignedLogSummary, writeSignedLog } from './signed-log.ts';
import { derivedKey, type KeyPair } from '../protocol/index.ts';
import { type NetworkSpec, scaleFree } from './topology.ts';

/**
 * The embedded demo: a seeded 2,000-node, 5,000-channel token network whose every node has
 * a real key, written once as a signed event log and loaded through the file source like
 * any other. Deterministic, so a restart on the same data dir finds the same file (same
 * content key) and resumes instead of applying it again.
 */

export const DEMO_NODES = 2000;
export const DEMO_CHANNELS = 5000;
const DEMO_SEED = 20261121;
const KEY_LABEL = 'raiden-pfs-demo-node';
/** Bumped whenever the generator's output changes, so an old file is not reused. */
const DEMO_FORMAT = 1;

function demoAddress(label: string): Address {
  return addressFromBytes(keccak256(Buffer.from(label, 'utf8')).subarray(12));
}

/** The demo's token network and token. */
export const DEMO_TOKEN_NETWORK = demoAddress('raiden-pfs-demo-token-network');
export const DEMO_TOKEN = demoAddress('raiden-pfs-demo-token');

/** The generated demo network. */
export interface DemoNetwork {
  readonly path: string;
  readonly spec: NetworkSpec;
  readonly written: SignedLogSummary | null;
}

/** Builds the demo network (keys included) without writing anything. */
export function demoSpec(nodes = DEMO_NODES, channels = DEMO_CHANNELS): { spec: NetworkSpec; keys: KeyPair[] } {
  const keys: KeyPair[] = [];
  const spec = scaleFree(DEMO_SEED, nodes, channels, (_rng, n) => {
    for (let i = 0; i < n; i++) keys.push(derivedKey(KEY_LABEL, i));
    return keys.map((k) => k.address);
  });
  return { spec, keys };
}

/** The demo event log in `dir`, written if it is not there yet. */
export function ensureDemoEventLog(dir: string, chainId: bigint): DemoNetwork {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `demo-events-v${DEMO_FORMAT}-chain${chainId}.ndjson`);
  const { spec, keys } = demoSpec();
  if (existsSync(path)) return { path, spec, written: null };
  const written = writeSignedLog(path, spec, {
    chainId,
    token: DEMO_TOKEN,
    network: DEMO_TOKEN_NETWORK,
    settleTimeout: 500n,
    server: 'demo.raiden.local',
    keys,
    capacityRounds: 1,
    channelsPerBlock: 100,
    feeEpochMs: Date.UTC(2026, 0, 1),
  });
  return { path, spec, written };
}

/**
 * Source/target pairs worth showing: well-connected reachable nodes, far apart in the
 * seeding order, with an amount well inside typical capacities.
 */
export function demoCandidatePairs(spec: NetworkSpec, count = 20): { source: Address; target: Address; value: bigint }[] {
  const degree = new Uint32Array(spec.addresses.length);
  for (const c of spec.channels) {
    degree[c.a]!++;
    degree[c.b]!++;
  }
  const hubs = spec.addresses
    .map((_, i) => i)
    .filter((i) => spec.reachable[i] === 1 && degree[i]! >= 3)
    .sort((x, y) => degree[y]! - degree[x]! || x - y);
  const out: { source: Address; target: Address; value: bigint }[] = [];
  const value = spec.medianCapacity / 20n > 0n ? spec.medianCapacity / 20n : 1n;
  for (let i = 0; out.length < count && i + 1 < hubs.length; i++) {
    const tail = hubs[hubs.length - 1 - i]!;
    out.push({ source: spec.addresses[hubs[i]!]!, target: spec.addresses[tail]!, value });
  }
  return out;
}
