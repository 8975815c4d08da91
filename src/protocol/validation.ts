import { type Address, UINT256_MAX } from '../domain/index.ts';
import type { CapacityUpdate, FeeUpdate, UpdateResult } from '../graph/index.ts';
import { isFeeTimestampInFuture } from './naive-timestamp.ts';
import { type Unpackable, isUnpackable, packCapacityUpdate, packFeeUpdate } from './packing.ts';
import type { DecodedCapacityUpdate, DecodedFeeUpdate } from './raiden-messages.ts';
import { recoverEip191Signer } from './signatures.ts';

/**
 * Validation of decoded capacity and fee updates (spec §6.3, §8.5), split in two:
 *
 * - Here, statelessly in the ingress: the Matrix-sender check (§8.5, which the reference
 *   runs first, while deserialising the batch), then §6.3's chain id, token network,
 *   capacity bounds (capacity updates) and signature steps, in the reference's order.
 * - Later, in the token network's shard, against the channel: unknown channel → defer
 *   (§6.4), participant checks, and for fee updates "Timestamp is in the future" and
 *   "Timestamp must increase". `TokenNetworkState.applyCapacityUpdate/applyFeeUpdate`
 *   report those as `UpdateResult`s; `channelRejection` and `feeTimestampRejection` give
 *   them the reference's log texts. The future check must run after the deferral decision
 *   (a deferred update is replayed, and then judged against the clock of that moment) and
 *   after the participant check, before the timestamp-increase check.
 *
 * Nonces are not checked, as in the reference.
 */

/** Why an update was dropped. */
export type RejectionReason =
  | 'not_signed_by_sender'
  | 'unknown_chain_id'
  | 'unknown_token_network'
  | 'impossible_updating_capacity'
  | 'impossible_other_capacity'
  | 'not_signed_correctly'
  | 'sender_not_in_channel'
  | 'other_not_in_channel'
  | 'timestamp_in_future'
  | 'timestamp_not_increasing';

/** A dropped update: a reason code and the reference's (info-level) log text. */
export interface Rejection {
  readonly ok: false;
  readonly reason: RejectionReason;
  readonly message: string;
}

/** A capacity update that passed the stateless steps; `update` goes to the shard. */
export interface AcceptedCapacityUpdate {
  readonly ok: true;
  readonly tokenNetwork: Address;
  readonly signer: Address;
  readonly update: CapacityUpdate;
}

/** A fee update that passed the stateless steps; `update` goes to the shard. */
export interface AcceptedFeeUpdate {
  readonly ok: true;
  readonly tokenNetwork: Address;
  readonly signer: Address;
  readonly update: FeeUpdate;
}

/** What validation needs from its surroundings. */
export interface ValidationContext {
  /** The service's chain id. */
  readonly chainId: bigint;
  /** True when the token network is followed (created on chain and known to the service). */
  readonly isKnownTokenNetwork: (tokenNetwork: Address) => boolean;
  /**
   * The Matrix sender's address (from its verified displayname, §8.5); when given, the
   * signer must equal it. Omit for messages replayed from storage.
   */
  readonly expectedSender?: Address | undefined;
  /**
   * Recovers the EIP-191 signer of packed bytes, null when there is none. Defaults to the
   * native recovery; injectable so batches can be recovered elsewhere (worker pool) or
   * cached.
   */
  readonly recoverSigner?: ((data: Uint8Array, signature: Uint8Array) => Address | null) | undefined;
  /** The message's signed bytes when the caller packed them already (saves packing twice). */
  readonly packed?: Uint8Array | Unpackable | undefined;
}

type Kind = 'Capacity Update' | 'Fee Update';

/** The reference's log text for a reason (service.py, token_network.py, channel.py, matrix.py). */
export function rejectionMessage(kind: Kind, reason: RejectionReason): string {
  switch (reason) {
    case 'not_signed_by_sender':
      return 'Message not signed by sender!';
    case 'unknown_chain_id':
      return `Received ${kind} with unknown chain identifier`;
    case 'unknown_token_network':
      return `Received ${kind} with unknown token network`;
    case 'impossible_updating_capacity':
      return `Received ${kind} with impossible updating_capacity`;
    case 'impossible_other_capacity':
      return `Received ${kind} with impossible other_capacity`;
    case 'not_signed_correctly':
      return `${kind} not signed correctly`;
    case 'sender_not_in_channel':
      return `Sender of ${kind} does not match the internal channel`;
    case 'other_not_in_channel':
      return `Other Participant of ${kind} does not match the internal channel`;
    case 'timestamp_in_future':
      return 'Timestamp is in the future';
    case 'timestamp_not_increasing':
      return 'Timestamp must increase between fee updates';
  }
}

function reject(kind: Kind, reason: RejectionReason): Rejection {
  return { ok: false, reason, message: rejectionMessage(kind, reason) };
}

function defaultRecover(data: Uint8Array, signature: Uint8Array): Address | null {
  const r = recoverEip191Signer(data, signature);
  return r.ok ? r.address : null;
}

/**
 * Lazily recovered signer: recovery is the costliest step, so it runs at most once and
 * only when a step needs it. Unpackable messages have no signer.
 */
function signerOnce(
  packed: Uint8Array | Unpackable,
  signature: Uint8Array,
  ctx: ValidationContext,
): () => Address | null {
  let done = false;
  let signer: Address | null = null;
  return (): Address | null => {
    if (!done) {
      done = true;
      if (!isUnpackable(packed)) signer = (ctx.recoverSigner ?? defaultRecover)(packed, signature);
    }
    return signer;
  };
}

/**
 * §8.5: the signer must be the Matrix sender. The reference computes the signer while
 * deserialising; for a message that cannot be packed (capacity ≥ 2^256) that computation
 * raises there, so here the check is skipped and the steps below drop the message.
 */
function wrongMatrixSender(
  packed: Uint8Array | Unpackable,
  signer: () => Address | null,
  ctx: ValidationContext,
): boolean {
  return ctx.expectedSender !== undefined && !isUnpackable(packed) && signer() !== ctx.expectedSender;
}

/** §6.3 steps 1-4 for a capacity update (steps 5-6 run in the shard). */
export function validateCapacityUpdate(
  m: DecodedCapacityUpdate,
  ctx: ValidationContext,
): AcceptedCapacityUpdate | Rejection {
  const kind = 'Capacity Update';
  const packed = ctx.packed ?? packCapacityUpdate(m);
  const signer = signerOnce(packed, m.signature, ctx);
  if (wrongMatrixSender(packed, signer, ctx)) return reject(kind, 'not_signed_by_sender');
  if (m.chainId !== ctx.chainId) return reject(kind, 'unknown_chain_id');
  if (!ctx.isKnownTokenNetwork(m.tokenNetwork)) return reject(kind, 'unknown_token_network');
  if (m.updatingCapacity > UINT256_MAX) return reject(kind, 'impossible_updating_capacity');
  if (m.otherCapacity > UINT256_MAX) return reject(kind, 'impossible_other_capacity');
  const recovered = signer();
  if (recovered === null || recovered !== m.updating) return reject(kind, 'not_signed_correctly');
  return {
    ok: true,
    tokenNetwork: m.tokenNetwork,
    signer: recovered,
    update: {
      channelId: m.channelId,
      updating: m.updating,
      other: m.other,
      updatingNonce: m.updatingNonce,
      otherNonce: m.otherNonce,
      updatingCapacity: m.updatingCapacity,
      otherCapacity: m.otherCapacity,
      revealTimeout: m.revealTimeout,
    },
  };
}

/**
 * §6.3 steps 1-3 for a fee update. Step 6 (timezone) happens at decoding; steps 4-5, 7
 * and 8 run in the shard (see the module comment and `feeTimestampRejection`).
 */
export function validateFeeUpdate(m: DecodedFeeUpdate, ctx: ValidationContext): AcceptedFeeUpdate | Rejection {
  const kind = 'Fee Update';
  const packed = ctx.packed ?? packFeeUpdate(m);
  const signer = signerOnce(packed, m.signature, ctx);
  if (wrongMatrixSender(packed, signer, ctx)) return reject(kind, 'not_signed_by_sender');
  if (m.chainId !== ctx.chainId) return reject(kind, 'unknown_chain_id');
  if (!ctx.isKnownTokenNetwork(m.tokenNetwork)) return reject(kind, 'unknown_token_network');
  const recovered = signer();
  if (recovered === null || recovered !== m.updating) return reject(kind, 'not_signed_correctly');
  return {
    ok: true,
    tokenNetwork: m.tokenNetwork,
    signer: recovered,
    update: {
      channelId: m.channelId,
      updating: m.updating,
      schedule: m.schedule,
      timestamp: m.sortableTimestamp,
    },
  };
}

/**
 * §6.3 step 7, for the shard once the channel and participant are known:
 * `timestamp > utcnow + 1 h` drops the update. Null when the timestamp is acceptable.
 */
export function feeTimestampRejection(update: FeeUpdate, nowMs: number): Rejection | null {
  return isFeeTimestampInFuture(update.timestamp, nowMs) ? reject('Fee Update', 'timestamp_in_future') : null;
}

/**
 * The reference's rejection for a token network `UpdateResult` that is neither applied
 * nor deferred; null for `applied` and `unknown_channel` (the caller defers, §6.4).
 */
export function channelRejection(kind: 'capacity_update' | 'fee_update', result: UpdateResult): Rejection | null {
  const k: Kind = kind === 'capacity_update' ? 'Capacity Update' : 'Fee Update';
  switch (result.kind) {
    case 'applied':
    case 'unknown_channel':
      return null;
    case 'sender_not_participant':
      return reject(k, 'sender_not_in_channel');
    case 'other_not_participant':
      return reject(k, 'other_not_in_channel');
    case 'timestamp_not_increasing':
      return reject(k, 'timestamp_not_increasing');
  }
}
