import { capacityUpdateJson, feeUpdateJson, userIdOf } from '../../src/demo/event-lines.ts';
import type { Address } from '../../src/domain/index.ts';
import { type FeeSchedule, makeFeeSchedule } from '../../src/graph/index.ts';
import { type KeyPair, isoFromEpochMs, signEip191Hex } from '../../src/protocol/index.ts';

/**
 * Builders of signed (and deliberately mis-signed or tampered) event-log lines for the
 * ingestion tests: every hostile variant starts from a correctly signed message, so a
 * rejection can only come from the one thing the test changed.
 */

/** What a capacity update says, with defaults for the rest. */
export interface CapacityOptions {
  readonly chainId: bigint;
  readonly network: Address;
  readonly channel: bigint;
  readonly other: Address;
  readonly capacity: bigint;
  readonly otherCapacity: bigint;
  readonly nonce?: bigint;
  readonly otherNonce?: bigint;
  readonly revealTimeout?: bigint;
  /** The updating participant named in the message (default: the signer's address). */
  readonly updating?: Address;
}

/** A PFSCapacityUpdate signed by `signer` (who may not be the one it names). */
export function capacity(signer: KeyPair, o: CapacityOptions): Record<string, unknown> {
  return capacityUpdateJson(
    {
      chainId: o.chainId,
      tokenNetwork: o.network,
      channelId: o.channel,
      updating: o.updating ?? signer.address,
      other: o.other,
      updatingNonce: o.nonce ?? 1n,
      otherNonce: o.otherNonce ?? 0n,
      updatingCapacity: o.capacity,
      otherCapacity: o.otherCapacity,
      revealTimeout: o.revealTimeout ?? 50n,
    },
    signer,
  );
}

/** What a fee update says. */
export interface FeeOptions {
  readonly chainId: bigint;
  readonly network: Address;
  readonly channel: bigint;
  readonly flat: bigint;
  readonly proportional?: bigint;
  /** Milliseconds since the epoch of the (naive UTC) timestamp. */
  readonly at: number;
  readonly updating?: Address;
}

/** A flat + proportional schedule. */
export function flatSchedule(flat: bigint, proportional = 0n): FeeSchedule {
  const s = makeFeeSchedule({ capFees: true, flat, proportional, imbalancePenalty: null });
  if (typeof s === 'string') throw new Error(s);
  return s;
}

/** A PFSFeeUpdate signed by `signer`. */
export function fee(signer: KeyPair, o: FeeOptions): Record<string, unknown> {
  return feeUpdateJson(
    {
      chainId: o.chainId,
      tokenNetwork: o.network,
      channelId: o.channel,
      updating: o.updating ?? signer.address,
      schedule: flatSchedule(o.flat, o.proportional ?? 0n),
      timestamp: isoFromEpochMs(o.at),
    },
    signer,
  );
}

/** A copy of a message with fields replaced after signing (the signature no longer fits). */
export function tampered(message: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...message, ...fields };
}

/** A to-device line from an explicit Matrix sender, one message per body line. */
export function toDeviceFrom(sender: string, messages: readonly (Record<string, unknown> | string)[]): string {
  return JSON.stringify({
    kind: 'to_device',
    sender,
    body: messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join('\n'),
  });
}

/** A to-device line from `key`'s own user. */
export function sendAs(key: KeyPair, server: string, ...messages: (Record<string, unknown> | string)[]): string {
  return toDeviceFrom(userIdOf(key.address, server), messages);
}

/** A presence line with an explicit displayname (the valid one is `signEip191Hex(key, userId)`). */
export function presenceWith(userId: string, presence: string, displayname: unknown, avatarUrl: unknown = 'mxc://raiden.network/cap?Receive=1&Mediate=1'): string {
  return JSON.stringify({ kind: 'presence', user_id: userId, presence, displayname, avatar_url: avatarUrl });
}

/** The valid displayname of a user id for a key. */
export function displaynameOf(key: KeyPair, userId: string): string {
  return signEip191Hex(key, Buffer.from(userId, 'utf8'));
}
