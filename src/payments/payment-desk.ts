import type { Address } from '../domain/index.ts';
import {
  type EnvelopeError,
  type IouFields,
  depositTooLow,
  insufficientServicePayment,
  invalidSignature,
  iouAlreadyClaimed,
  iouExpiredTooEarly,
  missingIou,
  unsupportedChainId,
  useThisIou,
  wrongIouRecipient,
  wrongOneToNAddress,
} from '../http/index.ts';
import { isUnpackable, packIou, recoverEip191Signer } from '../protocol/index.ts';
import { type IouLedger, type StoredIou, isSettling } from './iou-ledger.ts';

/**
 * `process_payment` of the reference (spec §5.2), every check in its order with its error,
 * and a ledger that is strictly serial per sender: one sender's requests are handled one
 * after the other (so two concurrent requests can never both spend the same increment),
 * and the final write re-checks the stored state in one LMDB transaction (so a concurrent
 * claim-fees process cannot be overwritten). Our additions: a `claimable_until` absurdly
 * far ahead is refused (2100), and a node that cannot be asked for the deposit gives a
 * retryable 503 instead of a crash.
 */

/** Fixed settings of the desk. */
export interface PaymentSettings {
  /** Price of one path request (> 0; with 0 the desk is not used). */
  readonly serviceFee: bigint;
  /** This service's address (the IOU receiver). */
  readonly service: Address;
  readonly chainId: bigint;
  readonly oneToN: Address;
  /** Confirmations of the pessimistic deposit check. */
  readonly confirmations: number;
}

/** A new session must be claimable at least this long (MIN_IOU_EXPIRY, 7 days). */
export const MIN_IOU_EXPIRY_SECONDS = 604_800n;
/** Ours: a session claimable further ahead than this is refused (it could not be claimed for that long). */
export const MAX_IOU_EXPIRY_SECONDS = 2n * 365n * 86_400n;
/** Required deposit = this × what is owed (UDC_SECURITY_MARGIN_FACTOR_PFS). */
export const UDC_SECURITY_MARGIN_FACTOR = 2n;
/** Deposit reads kept (sender, block); exact forever, bounded for memory. */
const DEPOSIT_CACHE_ENTRIES = 100_000;

/** What the desk needs from its surroundings. */
export interface PaymentEnv {
  readonly ledger: IouLedger;
  /** Wall clock, POSIX seconds. */
  nowSeconds(): bigint;
  /** The latest handled (committed) block. */
  latestBlock(): number;
  /** UserDeposit.effectiveBalance(sender) at `block`; rejects when the node cannot answer. */
  effectiveBalance(sender: Address, block: number): Promise<bigint>;
}

/** The final outcome of a payment: stored (durably), or the error to answer. */
export type PaymentOutcome = { readonly ok: true } | { readonly ok: false; readonly error: EnvelopeError };

/** A payment past its checks (its write under way, see `PaymentDesk.pay`), or the error to answer. */
export type PaymentStart = { readonly ok: true; readonly committed: Promise<PaymentOutcome> } | { readonly ok: false; readonly error: EnvelopeError };

/** Thrown inside the desk when the deposit could not be read. */
class DepositUnavailable extends Error {}

/** Seconds a client is asked to wait when the deposit could not be read. */
export const DEPOSIT_RETRY_AFTER_SECONDS = 5;

/**
 * 2903 (ours, HTTP 503): the Ethereum node did not answer the deposit check; nothing was
 * charged, the client retries later (the reference crashes with 500 here).
 */
export function depositCheckUnavailable(reason: string): EnvelopeError {
  return {
    kind: 'envelope',
    status: 503,
    code: 2903,
    message: 'The pathfinding service cannot check the deposit right now (its Ethereum node does not answer). Please try again later.',
    details: { retry_after: DEPOSIT_RETRY_AFTER_SECONDS, reason },
  };
}

/** 2100 (ours): claimable_until further ahead than the service accepts. */
export function iouExpiresTooLate(maxExpiry: bigint, received: bigint): EnvelopeError {
  return {
    kind: 'envelope',
    status: 400,
    code: 2100,
    message: 'Please use a lower `claimable_until`: the service does not accept sessions that far ahead.',
    details: { max_expiry: maxExpiry, claimable_until_received: received },
  };
}

/** Takes IOU payments for path requests. */
export class PaymentDesk {
  private readonly settings: PaymentSettings;
  private readonly env: PaymentEnv;
  /** Tail of each sender's queue of payments (removed when it drains). */
  private readonly queues = new Map<Address, Promise<unknown>>();
  private readonly deposits = new Map<string, Promise<bigint>>();

  constructor(settings: PaymentSettings, env: PaymentEnv) {
    this.settings = settings;
    this.env = env;
  }

  /**
   * Checks the IOU of one request, after every earlier request of its sender, and starts
   * storing it. Accepted: `committed` resolves once the IOU is durable, or with the error
   * to answer instead when another process changed the sender's sessions meanwhile (the
   * checks ran again). The caller may search meanwhile but answers only after `committed`;
   * the sender's next payment waits for it.
   */
  pay(iou: IouFields | null): Promise<PaymentStart> {
    if (iou === null) return Promise.resolve({ ok: false, error: missingIou() });
    const sender = iou.sender;
    const previous = this.queues.get(sender) ?? Promise.resolve();
    const started = previous.then(() => this.start(iou, 0));
    const tail = started.then((s) => (s.ok ? s.committed : s)).catch(() => undefined);
    this.queues.set(sender, tail);
    void tail.then(() => {
      if (this.queues.get(sender) === tail) this.queues.delete(sender);
    });
    return started;
  }

  private async start(iou: IouFields, attempt: number): Promise<PaymentStart> {
    try {
      return await this.check(iou, attempt);
    } catch (e) {
      if (e instanceof DepositUnavailable) return { ok: false, error: depositCheckUnavailable(e.message) };
      throw e;
    }
  }

  private async check(iou: IouFields, attempt: number): Promise<PaymentStart> {
    const s = this.settings;
    if (iou.receiver !== s.service) return { ok: false, error: wrongIouRecipient(s.service) };
    if (iou.chainId !== s.chainId) return { ok: false, error: unsupportedChainId(s.chainId) };
    if (iou.oneToNAddress !== s.oneToN) return { ok: false, error: wrongOneToNAddress(s.oneToN, iou.oneToNAddress) };
    const packed = packIou({ oneToN: iou.oneToNAddress, chainId: iou.chainId, sender: iou.sender, receiver: iou.receiver, amount: iou.amount, claimableUntil: iou.claimableUntil });
    const signer = isUnpackable(packed) ? null : recoverEip191Signer(packed, iou.signature);
    if (signer === null || !signer.ok || signer.address !== iou.sender) return { ok: false, error: invalidSignature() };
    const active = this.env.ledger.active(iou.sender);
    const decided = await this.decide(iou, active);
    if (!decided.ok) return decided;
    // the write re-checks the state in its transaction; it changes under us only through
    // another process (claim-fees): then everything is checked again on the new state
    const stored = this.env.ledger.storeIfUnchanged(
      { sender: iou.sender, claimableUntil: iou.claimableUntil, amount: iou.amount, signature: iou.signature, oneToN: iou.oneToNAddress, chainId: iou.chainId },
      active,
    );
    const committed = stored.then(async (ok): Promise<PaymentOutcome> => {
      if (ok) return { ok: true };
      if (attempt >= 3) throw new Error('IOU ledger keeps changing under the payment desk');
      const again = await this.start(iou, attempt + 1);
      return again.ok ? again.committed : again;
    });
    return { ok: true, committed };
  }

  /** Steps 4 to 6 of §5.2 against the sender's active session. */
  private async decide(iou: IouFields, active: StoredIou | null): Promise<{ readonly ok: true } | { readonly ok: false; readonly error: EnvelopeError }> {
    const s = this.settings;
    let expected: bigint;
    if (active !== null) {
      if (active.claimableUntil !== iou.claimableUntil) return { ok: false, error: useThisIou(asFields(active, s.service)) };
      expected = active.amount + s.serviceFee;
    } else {
      const same = this.env.ledger.get(iou.sender, iou.claimableUntil);
      if (same !== null && isSettling(same)) return { ok: false, error: iouAlreadyClaimed() };
      const now = this.env.nowSeconds();
      const minExpiry = now + MIN_IOU_EXPIRY_SECONDS;
      if (iou.claimableUntil < minExpiry) return { ok: false, error: iouExpiredTooEarly(minExpiry, iou.claimableUntil) };
      const maxExpiry = now + MAX_IOU_EXPIRY_SECONDS;
      if (iou.claimableUntil > maxExpiry) return { ok: false, error: iouExpiresTooLate(maxExpiry, iou.claimableUntil) };
      expected = s.serviceFee;
    }
    if (iou.amount < expected) return { ok: false, error: insufficientServicePayment(expected, iou.amount) };
    const latest = this.env.latestBlock();
    const [older, newer] = await Promise.all([this.deposit(iou.sender, Math.max(0, latest - s.confirmations)), this.deposit(iou.sender, latest)]);
    const seen = older < newer ? older : newer;
    const required = expected * UDC_SECURITY_MARGIN_FACTOR;
    if (seen < required) return { ok: false, error: depositTooLow(required, seen, BigInt(latest)) };
    return { ok: true };
  }

  /** effectiveBalance at a block, read once per (sender, block): a past block's value never changes. */
  private deposit(sender: Address, block: number): Promise<bigint> {
    const k = `${sender}@${block}`;
    let read = this.deposits.get(k);
    if (read === undefined) {
      if (this.deposits.size >= DEPOSIT_CACHE_ENTRIES) this.deposits.clear();
      read = this.env.effectiveBalance(sender, block).catch((e: unknown) => {
        this.deposits.delete(k);
        throw new DepositUnavailable(String((e as Error)?.message ?? e));
      });
      this.deposits.set(k, read);
    }
    return read;
  }
}

/** A stored IOU in the HTTP layer's shape (receiver: this service, as the reference answers). */
export function asFields(iou: StoredIou, service: Address): IouFields {
  return {
    sender: iou.sender,
    receiver: service,
    amount: iou.amount,
    claimableUntil: iou.claimableUntil,
    oneToNAddress: iou.oneToN,
    chainId: iou.chainId,
    signature: iou.signature,
    claimed: isSettling(iou),
  };
}
