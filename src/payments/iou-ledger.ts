import { type Address, addressFromBytes, addressToBytes, writeAddressBytes } from '../domain/index.ts';
import { Reader, Writer, writeUint256BE } from '../store/codec.ts';
import type { Store } from '../store/environment.ts';

/**
 * The IOU ledger in LMDB (the reference's `iou` table, spec §7.4): one record per
 * (sender, claimable_until), amounts as explicit uints. At most one session per sender is
 * active (unclaimed and not being claimed); every change that depends on what is stored is
 * made in one synchronous LMDB write transaction that checks the record first, so the
 * service and a concurrent `pfs claim-fees` process (LMDB is multi-process) can never
 * both act on the same state.
 */

/** A stored IOU. */
export interface StoredIou {
  readonly sender: Address;
  /** POSIX seconds; with `sender` the key. */
  readonly claimableUntil: bigint;
  readonly amount: bigint;
  /** 65 bytes r ‖ s ‖ v, as received. */
  readonly signature: Uint8Array;
  readonly oneToN: Address;
  readonly chainId: bigint;
  /** Claimed on chain (OneToN.claim succeeded, or the session was found settled). */
  readonly claimed: boolean;
  /** A claim transaction sent and not yet resolved (claim-fees), or null. */
  readonly claimTx: string | null;
}

const VERSION = 1;

/** The LMDB key of an IOU: sender (20) ‖ claimable_until (32, big-endian). */
export function iouKey(sender: Address, claimableUntil: bigint): Buffer {
  const k = Buffer.allocUnsafe(52);
  writeAddressBytes(sender, k, 0);
  writeUint256BE(k, 20, claimableUntil);
  return k;
}

function encode(iou: StoredIou): Buffer {
  return new Writer(200)
    .u8(VERSION)
    .uint(iou.amount)
    .bytes(iou.signature)
    .fixed(addressToBytes(iou.oneToN))
    .uint(iou.chainId)
    .u8(iou.claimed ? 1 : 0)
    .string(iou.claimTx ?? '')
    .done();
}

function decode(k: Uint8Array, v: Uint8Array): StoredIou {
  const r = new Reader(v);
  if (r.u8() !== VERSION) throw new Error('unknown IOU record version');
  const amount = r.uint();
  const signature = r.bytes();
  const oneToN = addressFromBytes(r.fixed(20));
  const chainId = r.uint();
  const claimed = r.u8() === 1;
  const claimTx = r.string();
  const kb = Buffer.from(k.buffer, k.byteOffset, k.byteLength);
  return {
    sender: addressFromBytes(kb.subarray(0, 20)),
    claimableUntil: BigInt('0x' + kb.subarray(20, 52).toString('hex')),
    amount,
    signature: Uint8Array.from(signature),
    oneToN,
    chainId,
    claimed,
    claimTx: claimTx === '' ? null : claimTx,
  };
}

/** True when the session is closed for payments: claimed, or a claim is under way. */
export function isSettling(iou: StoredIou): boolean {
  return iou.claimed || iou.claimTx !== null;
}

/** Equal as far as a payment decision is concerned. */
function sameState(a: StoredIou | null, b: StoredIou | null): boolean {
  if (a === null || b === null) return a === b;
  return a.claimableUntil === b.claimableUntil && a.amount === b.amount && a.claimed === b.claimed && a.claimTx === b.claimTx;
}

/** Reads and writes IOUs. */
export class IouLedger {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /** Every IOU of a sender, by claimable_until. */
  ofSender(sender: Address): StoredIou[] {
    const start = Buffer.from(addressToBytes(sender));
    const end = Buffer.concat([start, Buffer.alloc(33, 0xff)]);
    const out: StoredIou[] = [];
    for (const { key: k, value } of this.store.dbs.ious.getRange({ start, end })) out.push(decode(k, value));
    return out;
  }

  /** The sender's active session (unclaimed, no claim under way), or null. */
  active(sender: Address): StoredIou | null {
    return this.ofSender(sender).find((i) => !isSettling(i)) ?? null;
  }

  /** The IOU of (sender, claimable_until), or null. */
  get(sender: Address, claimableUntil: bigint): StoredIou | null {
    const v = this.store.dbs.ious.get(iouKey(sender, claimableUntil));
    return v === undefined ? null : decode(iouKey(sender, claimableUntil), v);
  }

  /** The sender's first IOU, claimed or not (the reference's debug `get_iou`). */
  first(sender: Address): StoredIou | null {
    return this.ofSender(sender)[0] ?? null;
  }

  /** Every IOU (the claim command filters them). */
  all(): StoredIou[] {
    const out: StoredIou[] = [];
    for (const { key: k, value } of this.store.dbs.ious.getRange({})) out.push(decode(k, value));
    return out;
  }

  /**
   * Stores `iou` (unclaimed) as the sender's active session, but only if the sender's
   * active session is still `basedOn` and the target session is not settling: the state
   * the payment checks ran against. Atomic across threads and processes. False when the
   * state changed meanwhile (the caller checks again).
   */
  storeIfUnchanged(iou: Omit<StoredIou, 'claimed' | 'claimTx'>, basedOn: StoredIou | null): Promise<boolean> {
    // an asynchronous write transaction: the check and the write are one atomic step in
    // LMDB's write thread, and concurrent payments share a commit (no fsync per request
    // on the main thread); it resolves once durable
    return this.store.env.transaction(() => {
      if (!sameState(this.active(iou.sender), basedOn)) return false;
      const existing = this.get(iou.sender, iou.claimableUntil);
      if (existing !== null && isSettling(existing)) return false;
      void this.store.dbs.ious.put(iouKey(iou.sender, iou.claimableUntil), encode({ ...iou, claimed: false, claimTx: null }));
      return true;
    });
  }

  /**
   * Records that a claim transaction for the session is being sent (before sending it), if
   * the session is still active with `amount`; false otherwise. From here on the session
   * takes no more payments.
   */
  markClaiming(sender: Address, claimableUntil: bigint, amount: bigint, tx: string): boolean {
    return this.update(sender, claimableUntil, (i) => (i.claimed || i.amount !== amount ? null : { ...i, claimTx: tx }));
  }

  /** The session was claimed (receipt with status 1, or found settled on chain). */
  markClaimed(sender: Address, claimableUntil: bigint): boolean {
    return this.update(sender, claimableUntil, (i) => ({ ...i, claimed: true, claimTx: null }));
  }

  /** A claim attempt failed for sure: the session is active again (if no other is). */
  clearClaiming(sender: Address, claimableUntil: bigint): boolean {
    return this.update(sender, claimableUntil, (i) => (i.claimed || this.active(sender) !== null ? null : { ...i, claimTx: null }));
  }

  private update(sender: Address, claimableUntil: bigint, change: (i: StoredIou) => StoredIou | null): boolean {
    return this.store.env.transactionSync(() => {
      const current = this.get(sender, claimableUntil);
      if (current === null) return false;
      const next = change(current);
      if (next === null) return false;
      this.store.dbs.ious.putSync(iouKey(sender, claimableUntil), encode(next));
      return true;
    });
  }
}
