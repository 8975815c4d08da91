import type { Address } from '../domain/index.ts';
import type { IouLedger, StoredIou } from './iou-ledger.ts';

/**
 * Fee claiming (spec §5.3, `claim-pfs-fees`): every unclaimed IOU that expires soon enough
 * and is worth its gas is claimed through OneToN.claim, one transaction at a time, and
 * marked claimed only after a receipt with status 1. Crash safety: the signed claim's hash
 * is recorded in the ledger before it is broadcast, so the next run first settles what an
 * earlier one left open (receipt, else the session's on-chain state) and never claims a
 * session twice. The chain side is an interface (ethers in actors/claim-fees.ts).
 */

/** An exact positive rational (the `--rdn-per-eth` rate). */
export interface Rate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** What the claim run asks of the chain. */
export interface ClaimChain {
  /** The latest block's timestamp (the clock OneToN.claim checks), POSIX seconds. */
  now(): Promise<bigint>;
  /** Gas price for the claims, wei. */
  gasPrice(): Promise<bigint>;
  /**
   * Dry run of OneToN.claim from the service: what it would transfer and the gas it
   * needs, or the revert reason.
   */
  dryRun(iou: StoredIou): Promise<{ readonly ok: true; readonly transferable: bigint; readonly gas: bigint } | { readonly ok: false; readonly reason: string }>;
  /** True when OneToN has settled the IOU's session (settled_sessions ≠ 0). */
  settled(iou: StoredIou): Promise<boolean>;
  /** Signs the claim transaction; `broadcast` sends it. The hash is known before sending. */
  sign(iou: StoredIou, gasLimit: bigint, gasPrice: bigint): Promise<{ readonly hash: string; broadcast(): Promise<void> }>;
  /**
   * The outcome of a transaction after waiting at most `waitMs` for it to be mined: status
   * 1 or 0, `pending` (the node knows it, not mined yet) or `absent` (the node does not
   * know it: never sent, or dropped).
   */
  receipt(hash: string, waitMs: number): Promise<TxOutcome>;
}

/** What became of a transaction. */
export type TxOutcome = 'success' | 'failed' | 'pending' | 'absent';

/** Settings of a claim run. */
export interface ClaimSettings {
  readonly service: Address;
  readonly oneToN: Address;
  /** Claim IOUs that expire within this many seconds (--expire-within). */
  readonly expireWithin: bigint;
  /** Claim cost in RDN = cost in ETH / this (--rdn-per-eth). */
  readonly rdnPerEth: Rate;
  /** How long to wait for a claim's receipt. */
  readonly receiptWaitMs: number;
}

/** Gas cost margin of the reference (1.1). */
const GAS_MARGIN = { numerator: 11n, denominator: 10n };
/** Gas limit = estimate × 1.25: the estimate is exact on the dry-run state, the margin absorbs drift. */
const GAS_LIMIT = { numerator: 5n, denominator: 4n };

/** What a run did. */
export interface ClaimSummary {
  /** Sessions claimed by this run, and the tokens transferred (as the dry runs said). */
  claimed: number;
  claimedAmount: bigint;
  /** Sessions found settled on chain (an earlier run's claim) and marked claimed. */
  reconciled: number;
  /** IOUs not claimed on purpose, by reason. */
  skipped: Record<string, number>;
  /** Claims that failed (each with its reason); the command exits 1 when there is any. */
  failures: string[];
}

/** The claim cost in RDN base units for `gas` at `gasPrice`: ceil(gas × price × 1.1 / rate). */
export function claimCostRdn(gas: bigint, gasPrice: bigint, rate: Rate): bigint {
  const numerator = gas * gasPrice * GAS_MARGIN.numerator * rate.denominator;
  const denominator = GAS_MARGIN.denominator * rate.numerator;
  return (numerator + denominator - 1n) / denominator;
}

function skip(summary: ClaimSummary, reason: string): void {
  summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
}

/** Logger of the run. */
export type ClaimLog = (level: 'info' | 'warning' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Runs one claim pass over the ledger. */
export async function claimFees(ledger: IouLedger, chain: ClaimChain, s: ClaimSettings, log: ClaimLog): Promise<ClaimSummary> {
  const summary: ClaimSummary = { claimed: 0, claimedAmount: 0n, reconciled: 0, skipped: {}, failures: [] };
  // first what an earlier run left open: a claim signed (maybe sent) without a known outcome
  for (const iou of ledger.all().filter((i) => !i.claimed && i.claimTx !== null)) {
    const outcome = await chain.receipt(iou.claimTx!, s.receiptWaitMs);
    if (outcome === 'success' || (await chain.settled(iou))) {
      ledger.markClaimed(iou.sender, iou.claimableUntil);
      summary.reconciled++;
      log('info', 'an earlier claim went through; marked claimed', { sender: iou.sender, claimable_until: iou.claimableUntil, tx: iou.claimTx });
    } else if (outcome === 'pending') {
      // left alone: claiming the session again could only waste gas on a revert
      summary.failures.push(`${iou.sender}/${iou.claimableUntil}: an earlier claim ${iou.claimTx} is still not mined`);
    } else {
      // failed, or never sent (a crash between signing and sending) or dropped: still open
      ledger.clearClaiming(iou.sender, iou.claimableUntil);
    }
  }
  const now = await chain.now();
  const candidates = ledger.all().filter((i) => !i.claimed && i.claimTx === null);
  const due: StoredIou[] = [];
  for (const iou of candidates) {
    if (iou.oneToN !== s.oneToN) skip(summary, 'other_one_to_n');
    else if (iou.claimableUntil <= now) skip(summary, 'expired');
    else if (iou.claimableUntil >= now + s.expireWithin) skip(summary, 'not_expiring_soon');
    else due.push(iou);
  }
  if (due.length === 0) return summary;
  const gasPrice = await chain.gasPrice();
  for (const iou of due) {
    const fields = { sender: iou.sender, claimable_until: iou.claimableUntil, amount: iou.amount };
    const dry = await chain.dryRun(iou);
    if (!dry.ok) {
      if (await chain.settled(iou)) {
        ledger.markClaimed(iou.sender, iou.claimableUntil);
        summary.reconciled++;
        continue;
      }
      summary.failures.push(`${iou.sender}/${iou.claimableUntil}: the dry run reverts (${dry.reason})`);
      log('error', 'claim dry run reverts', { ...fields, reason: dry.reason });
      continue;
    }
    const cost = claimCostRdn(dry.gas, gasPrice, s.rdnPerEth);
    if (dry.transferable === 0n || dry.transferable < cost) {
      skip(summary, 'below_claim_cost');
      log('info', 'not worth claiming: the transferable amount is below the claim cost', { ...fields, transferable: dry.transferable, cost });
      continue;
    }
    const signed = await chain.sign(iou, (dry.gas * GAS_LIMIT.numerator) / GAS_LIMIT.denominator, gasPrice);
    if (!ledger.markClaiming(iou.sender, iou.claimableUntil, iou.amount, signed.hash)) {
      skip(summary, 'changed_meanwhile');
      continue;
    }
    let outcome: TxOutcome;
    try {
      await signed.broadcast();
      outcome = await chain.receipt(signed.hash, s.receiptWaitMs);
    } catch (e) {
      // the node may have taken it all the same: ask before calling it failed
      outcome = await chain.receipt(signed.hash, 0).catch(() => 'pending' as const);
      log('error', 'sending the claim failed', { ...fields, error: String((e as Error)?.message ?? e), outcome });
    }
    if (outcome === 'success') {
      ledger.markClaimed(iou.sender, iou.claimableUntil);
      summary.claimed++;
      summary.claimedAmount += dry.transferable;
      log('info', 'claimed', { ...fields, transferred: dry.transferable, tx: signed.hash });
    } else if (outcome === 'failed' || outcome === 'absent') {
      ledger.clearClaiming(iou.sender, iou.claimableUntil);
      summary.failures.push(`${iou.sender}/${iou.claimableUntil}: transaction ${signed.hash} ${outcome === 'failed' ? 'failed' : 'was not accepted'}`);
      log('error', 'claim transaction failed', { ...fields, tx: signed.hash, outcome });
    } else {
      // still pending: left marked; the next run settles it from the receipt or the session
      summary.failures.push(`${iou.sender}/${iou.claimableUntil}: transaction ${signed.hash} not mined within ${s.receiptWaitMs} ms`);
      log('warning', 'claim not mined yet; the next run settles it', { ...fields, tx: signed.hash });
    }
  }
  return summary;
}
