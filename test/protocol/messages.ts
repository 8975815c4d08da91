import type { Address } from '../../src/domain/index.ts';
import type { FeeSchedule } from '../../src/graph/index.ts';
import {
  type CapacityUpdateFields,
  type FeeUpdateFields,
  eip191Hash,
  isUnpackable,
  packCapacityUpdate,
  packFeeUpdate,
} from '../../src/protocol/index.ts';
import { PRIVATE_KEY_1, PRIVATE_KEY_2, addressOf, hex, signHash } from './keys.ts';

/**
 * Builders of signed Raiden message lines, serialised the way raiden's MessageSerializer
 * writes them: integers as decimal strings, addresses as 0x-hex.
 */

/** The chain id of the reference's service tests. */
export const TEST_CHAIN_ID = 131277322940537n;
/** DEFAULT_TOKEN_NETWORK_ADDRESS of the reference tests. */
export const TEST_TOKEN_NETWORK = '0x6e46b62a245d9ee7758b8ddccdd1b85ff56b9bc9' as Address;

/** The defaults of the reference's capacity update tests (spec §10.5). */
export function capacityFields(overrides: Partial<CapacityUpdateFields> = {}): CapacityUpdateFields {
  return {
    chainId: TEST_CHAIN_ID,
    tokenNetwork: TEST_TOKEN_NETWORK,
    channelId: 0n,
    updating: addressOf(PRIVATE_KEY_1),
    other: addressOf(PRIVATE_KEY_2),
    updatingNonce: 1n,
    otherNonce: 0n,
    updatingCapacity: 90n,
    otherCapacity: 110n,
    revealTimeout: 2n,
    ...overrides,
  };
}

/** A fee update like the reference's fee tests (flat 1, proportional 1). */
export function feeFields(overrides: Partial<FeeUpdateFields> = {}): FeeUpdateFields {
  const schedule: FeeSchedule = { capFees: true, flat: 1n, proportional: 1n, imbalancePenalty: null };
  return {
    chainId: TEST_CHAIN_ID,
    tokenNetwork: TEST_TOKEN_NETWORK,
    channelId: 0n,
    updating: addressOf(PRIVATE_KEY_1),
    schedule,
    timestamp: '2022-01-01T00:00:00',
    ...overrides,
  };
}

/** The JSON object of a capacity update signed by `privateKey`. */
export function capacityJson(fields: CapacityUpdateFields, privateKey: string): Record<string, unknown> {
  const packed = packCapacityUpdate(fields);
  if (isUnpackable(packed)) throw new Error(`cannot sign: ${packed.field}`);
  return {
    type: 'PFSCapacityUpdate',
    canonical_identifier: {
      chain_identifier: String(fields.chainId),
      token_network_address: fields.tokenNetwork,
      channel_identifier: String(fields.channelId),
    },
    updating_participant: fields.updating,
    other_participant: fields.other,
    updating_nonce: String(fields.updatingNonce),
    other_nonce: String(fields.otherNonce),
    updating_capacity: String(fields.updatingCapacity),
    other_capacity: String(fields.otherCapacity),
    reveal_timeout: String(fields.revealTimeout),
    signature: hex(signHash(privateKey, eip191Hash(packed))),
  };
}

/**
 * The JSON object of a fee update signed by `privateKey`. `wireTimestamp` is what goes on
 * the wire (default: the canonical text that is signed).
 */
export function feeJson(
  fields: FeeUpdateFields,
  privateKey: string,
  wireTimestamp = fields.timestamp,
): Record<string, unknown> {
  const packed = packFeeUpdate(fields);
  if (isUnpackable(packed)) throw new Error(`cannot sign: ${packed.field}`);
  const s = fields.schedule;
  return {
    type: 'PFSFeeUpdate',
    canonical_identifier: {
      chain_identifier: String(fields.chainId),
      token_network_address: fields.tokenNetwork,
      channel_identifier: String(fields.channelId),
    },
    updating_participant: fields.updating,
    fee_schedule: {
      cap_fees: s.capFees,
      flat: String(s.flat),
      proportional: String(s.proportional),
      imbalance_penalty: s.imbalancePenalty === null ? null : s.imbalancePenalty.map(([x, y]) => [String(x), String(y)]),
    },
    timestamp: wireTimestamp,
    signature: hex(signHash(privateKey, eip191Hash(packed))),
  };
}

/** One message line. */
export function line(json: Record<string, unknown>): string {
  return JSON.stringify(json);
}
