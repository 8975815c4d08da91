import type { NetworkSpec } from '../../src/demo/topology.ts';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { keyPair } from '../../src/protocol/index.ts';
import { writeSignedLog, type SignedLogSummary } from '../../src/demo/signed-log.ts';
import { address, privateKey } from '../fixtures/accounts.ts';
import type { FixtureChannel } from './reference-fixtures.ts';

/**
 * A reference fixture (spec §10.1 cases) as a signed event log: the fixture accounts' real
 * keys sign both sides' capacity updates (so the min-rule yields the fixture capacities),
 * every node is online, and channel k has id k, as in populate_token_network.
 */

/** DEFAULT_TOKEN_NETWORK_ADDRESS of the reference tests. */
export const FIXTURE_TOKEN_NETWORK = asAddress('0x6e46b62a245d9ee7758b8ddccdd1b85ff56b9bc9');
/** The chain id of the reference service tests. */
export const FIXTURE_CHAIN_ID = 131277322940537n;

export interface FixtureLogOptions {
  readonly chainId?: bigint;
  readonly network?: Address;
  /** Nodes to leave offline (their presence says offline). */
  readonly offline?: readonly number[];
  readonly server?: string;
}

export function writeFixtureLog(path: string, channels: readonly FixtureChannel[], o: FixtureLogOptions = {}): SignedLogSummary {
  const nodes = Math.max(...channels.flatMap(([a, , b]) => [a, b])) + 1;
  const keys = Array.from({ length: nodes }, (_, i) => keyPair(Buffer.from(privateKey(i).slice(2), 'hex')));
  const reachable = new Uint8Array(nodes).fill(1);
  for (const i of o.offline ?? []) reachable[i] = 0;
  const spec: NetworkSpec = {
    name: 'fixture',
    addresses: Array.from({ length: nodes }, (_, i) => address(i)),
    channels: channels.map(([a, capacityAB, b, capacityBA], k) => ({ id: BigInt(k), a, b, capacityAB, capacityBA, feeA: null, feeB: null })),
    reachable,
    medianCapacity: 0n,
  };
  return writeSignedLog(path, spec, {
    chainId: o.chainId ?? FIXTURE_CHAIN_ID,
    token: asAddress('0x' + '07'.repeat(20)),
    network: o.network ?? FIXTURE_TOKEN_NETWORK,
    settleTimeout: 500n,
    server: o.server ?? 'homeserver.com',
    keys,
    capacityRounds: 1,
    channelsPerBlock: 1,
    feeEpochMs: Date.UTC(2025, 0, 1),
  });
}
