import type { Address } from '../domain/index.ts';
import type { FeeSchedule } from '../graph/index.ts';
import {
  type CapacityUpdateFields,
  type FeeUpdateFields,
  isUnpackable,
  packCapacityUpdate,
  packFeeUpdate,
} from '../protocol/index.ts';
import { type KeyPair, signEip191Hex } from '../protocol/index.ts';

/**
 * Writers of event-log lines (spec/event-log.md) with real signatures, for the demo
 * network and the ingestion benchmark. Messages are serialised the way Raiden nodes send
 * them: integers as decimal strings, addresses as 0x-hex.
 */

/** Capabilities string of a current Raiden light or full client. */
export const FULL_CAPABILITIES = 'mxc://raiden.network/cap?Receive=1&Mediate=1&Delivery=1&webRTC=1&toDevice=1&immutableMetadata=1';

/** `@0x<address>:<server>`. */
export function userIdOf(address: Address, server: string): string {
  return `@${address}:${server}`;
}

export function tokenNetworkCreatedLine(block: number, token: Address, network: Address, settleTimeout: bigint): string {
  return JSON.stringify({
    kind: 'chain',
    block,
    event: 'TokenNetworkCreated',
    token_address: token,
    token_network_address: network,
    settle_timeout: settleTimeout.toString(),
  });
}

export function channelOpenedLine(block: number, network: Address, id: bigint, p1: Address, p2: Address): string {
  return JSON.stringify({
    kind: 'chain',
    block,
    event: 'ChannelOpened',
    token_network_address: network,
    channel_identifier: id.toString(),
    participant1: p1,
    participant2: p2,
  });
}

export function channelClosedLine(block: number, network: Address, id: bigint, closing: Address): string {
  return JSON.stringify({
    kind: 'chain',
    block,
    event: 'ChannelClosed',
    token_network_address: network,
    channel_identifier: id.toString(),
    closing_participant: closing,
  });
}

export function blockLine(block: number): string {
  return JSON.stringify({ kind: 'chain', block, event: 'Block' });
}

/** A presence event whose displayname is the user's real signature of its user id. */
export function presenceLine(key: KeyPair, server: string, presence: 'online' | 'unavailable' | 'offline', capabilities = FULL_CAPABILITIES): string {
  const userId = userIdOf(key.address, server);
  return JSON.stringify({
    kind: 'presence',
    user_id: userId,
    presence,
    displayname: signEip191Hex(key, Buffer.from(userId, 'utf8')),
    avatar_url: capabilities,
  });
}

/** The wire JSON of a signed PFSCapacityUpdate. */
export function capacityUpdateJson(fields: CapacityUpdateFields, key: KeyPair): Record<string, unknown> {
  const packed = packCapacityUpdate(fields);
  if (isUnpackable(packed)) throw new Error(`capacity update cannot be packed: ${packed.field}`);
  return {
    type: 'PFSCapacityUpdate',
    canonical_identifier: {
      chain_identifier: fields.chainId.toString(),
      token_network_address: fields.tokenNetwork,
      channel_identifier: fields.channelId.toString(),
    },
    updating_participant: fields.updating,
    other_participant: fields.other,
    updating_nonce: fields.updatingNonce.toString(),
    other_nonce: fields.otherNonce.toString(),
    updating_capacity: fields.updatingCapacity.toString(),
    other_capacity: fields.otherCapacity.toString(),
    reveal_timeout: fields.revealTimeout.toString(),
    signature: signEip191Hex(key, packed),
  };
}

function scheduleJson(s: FeeSchedule): Record<string, unknown> {
  return {
    cap_fees: s.capFees,
    flat: s.flat.toString(),
    proportional: s.proportional.toString(),
    imbalance_penalty: s.imbalancePenalty === null ? null : s.imbalancePenalty.map(([x, y]) => [x.toString(), y.toString()]),
  };
}

/** The wire JSON of a signed PFSFeeUpdate. */
export function feeUpdateJson(fields: FeeUpdateFields, key: KeyPair): Record<string, unknown> {
  const packed = packFeeUpdate(fields);
  if (isUnpackable(packed)) throw new Error(`fee update cannot be packed: ${packed.field}`);
  return {
    type: 'PFSFeeUpdate',
    canonical_identifier: {
      chain_identifier: fields.chainId.toString(),
      token_network_address: fields.tokenNetwork,
      channel_identifier: fields.channelId.toString(),
    },
    updating_participant: fields.updating,
    fee_schedule: scheduleJson(fields.schedule),
    timestamp: fields.timestamp,
    signature: signEip191Hex(key, packed),
  };
}

/** A to-device line carrying messages (one JSON per body line) from `key`'s user. */
export function toDeviceLine(key: KeyPair, server: string, messages: readonly Record<string, unknown>[]): string {
  return JSON.stringify({
    kind: 'to_device',
    sender: userIdOf(key.address, server),
    body: messages.map((m) => JSON.stringify(m)).join('\n'),
  });
}
