import { toChecksumAddress, type Address } from '../domain/index.ts';
import type { JsonOutRecord } from './json-write.ts';

/** The fields of a stored or received IOU (spec §5.1), as the HTTP layer needs them. */
export interface IouFields {
  readonly sender: Address;
  readonly receiver: Address;
  readonly amount: bigint;
  /** POSIX seconds. */
  readonly claimableUntil: bigint;
  readonly oneToNAddress: Address;
  readonly chainId: bigint;
  /** Raw signature bytes (normally 65: r, s, v). */
  readonly signature: Uint8Array;
  readonly claimed: boolean | null;
}

/**
 * The reference's `IOU.Schema().dump(iou)`: checksummed addresses, exact integers, the
 * signature as `0x` + lower-case hex. `withClaimed: false` leaves `claimed` out, as GET iou
 * does (`exclude=["claimed"]`); the 2106 error details include it.
 */
export function iouToJson(iou: IouFields, withClaimed: boolean): JsonOutRecord {
  const base: JsonOutRecord = {
    sender: toChecksumAddress(iou.sender),
    receiver: toChecksumAddress(iou.receiver),
    amount: iou.amount,
    claimable_until: iou.claimableUntil,
    one_to_n_address: toChecksumAddress(iou.oneToNAddress),
    chain_id: iou.chainId,
    signature: '0x' + Buffer.from(iou.signature.buffer, iou.signature.byteOffset, iou.signature.byteLength).toString('hex'),
  };
  return withClaimed ? { ...base, claimed: iou.claimed } : base;
}
