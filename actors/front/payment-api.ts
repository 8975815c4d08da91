import type { Address } from '../../src/domain/index.ts';
import {
  type EnvelopeError,
  type HttpReply,
  type IouFields,
  invalidSignature,
  lastIouReply,
  noLastIou,
  parseIouQuery,
  renderError,
  requestOutdated,
  utcNowMicros,
} from '../../src/http/index.ts';
import { packIouRequest, recoverEip191Signer } from '../../src/protocol/index.ts';

/**
 * Payments as the HTTP front sees them: the payment step of POST /paths and
 * GET /api/v1/<token_network>/payment/iou (spec §2.4).
 */

/** The payment side of the service. */
export interface PaymentsFront {
  /**
   * Takes the payment of one path request (with a service fee of 0 it accepts anything).
   * Accepted: `committed` says, once the IOU is stored, whether the answer may be given
   * (or which error to give instead); the search may run meanwhile.
   */
  pay(iou: IouFields | null): Promise<{ readonly ok: true; readonly committed: Promise<{ readonly ok: true } | { readonly ok: false; readonly error: EnvelopeError }> } | { readonly ok: false; readonly error: EnvelopeError }>;
  /** The sender's active (unclaimed) IOU, receiver = this service, or null. */
  lastIou(sender: Address): IouFields | null;
}

/** How old a GET iou request may be (MAX_AGE_OF_IOU_REQUESTS, 1 h). */
export const MAX_AGE_OF_IOU_REQUESTS_MICROS = 3_600_000_000n;

/**
 * GET payment/iou: query `sender`, `receiver`, `timestamp` (naive ISO), `signature`. The
 * signature (EIP-191 over sender ‖ receiver ‖ the timestamp text as sent) must recover to
 * the sender (2001), the timestamp must be at most an hour old (2002). Like the reference,
 * neither the token network argument nor `receiver` is checked. 200 with the last unclaimed
 * IOU, else 404 `{"last_iou": null}`.
 */
export function handleLastIou(payments: PaymentsFront | undefined, query: string, nowMicros: bigint = utcNowMicros()): HttpReply {
  const parsed = parseIouQuery(new URLSearchParams(query).entries());
  if (!parsed.ok) return renderError(parsed.error);
  const q = parsed.value;
  const signer = recoverEip191Signer(packIouRequest(q.sender, q.receiver, q.timestamp.text), q.signature);
  if (!signer.ok || signer.address !== q.sender) return renderError(invalidSignature());
  if (q.timestamp.epochMicros < nowMicros - MAX_AGE_OF_IOU_REQUESTS_MICROS) return renderError(requestOutdated());
  const iou = payments?.lastIou(q.sender) ?? null;
  return iou === null ? renderError(noLastIou()) : lastIouReply(iou);
}
