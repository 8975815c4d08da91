import { setTimeout as delay } from 'node:timers/promises';
import type { Address } from '../domain/index.ts';
import type { ChainFollower, Round } from './follower.ts';
import { type ChainRpc, RpcFailure } from './rpc.ts';

/**
 * The follower's loop: rounds one after the other while catching up, one per poll interval
 * once at the head, and a bounded retry with exponential backoff while the node fails. The
 * service keeps serving from what it has meanwhile; the status says why it is lagging.
 * After any failure the node's chain id is checked again before anything is applied: a
 * node that comes back on another chain is refused, as at start.
 */

/** What the follower tells the rest of the service. */
export interface ChainStatus {
  /** Why the chain source is behind (not ready), or null when it is at the confirmed head. */
  readonly lagging: string | null;
  /** The node's latest block at the last successful round, or null before the first. */
  readonly head: number | null;
  /** The committed block (-1 before block 0 is handled). */
  readonly committed: number;
}

/** A range round, ready to apply. */
export type RangeRound = Extract<Round, { kind: 'range' }>;

/** The surroundings of the loop. */
export interface ChainSyncDeps {
  readonly rpc: ChainRpc;
  readonly follower: ChainFollower;
  /** The chain id of the data dir; a node on another chain is refused. */
  readonly expectedChainId: bigint;
  /** Pause between rounds at the head (the reference's 2 s). */
  readonly pollIntervalMs: number;
  /** Longest pause between retries while the node fails. */
  readonly maxBackoffMs: number;
  /** The committed block (-1 before block 0). */
  committed(): number;
  /** Token networks to follow. */
  networks(): readonly Address[];
  /** Applies a range and commits its end as the new committed block (durably) before resolving. */
  apply(round: RangeRound): Promise<void>;
  /** Called when the status changes. */
  status(s: ChainStatus): void;
  log(level: 'info' | 'warning' | 'error', message: string, fields?: Record<string, unknown>): void;
}

type Step = 'at_head' | 'more' | 'wait' | 'failed';

/** Failures logged individually before the log only reports every tenth. */
const LOGGED_FAILURES = 3;

/** Runs the follower until stopped. */
export class ChainSync {
  private readonly deps: ChainSyncDeps;
  private stopped = false;
  private readonly wake = new AbortController();
  private applying: Promise<void> | null = null;
  private failures = 0;
  /** The first round checks the chain id too: the node may have changed since start-up. */
  private verifyChainId = true;
  private behind = false;
  private lastLagging: string | null | undefined = undefined;
  private lastHead: number | null = null;

  constructor(deps: ChainSyncDeps) {
    this.deps = deps;
  }

  /** Runs rounds until the confirmed head is reached; false when stopped first. */
  catchUp(): Promise<boolean> {
    return this.run(true);
  }

  /** Follows the chain until stopped. */
  async follow(): Promise<void> {
    await this.run(false);
  }

  /** Stops the loop; resolves once no range is being applied any more. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.applying?.catch(() => undefined);
  }

  /** Pause before the next retry: the poll interval, doubled per consecutive failure, capped. */
  backoffMs(): number {
    const doubled = this.deps.pollIntervalMs * 2 ** Math.min(20, Math.max(0, this.failures - 1));
    return Math.min(this.deps.maxBackoffMs, doubled);
  }

  private async run(untilAtHead: boolean): Promise<boolean> {
    while (!this.stopped) {
      const step = await this.step();
      if (this.stopped) break;
      if (step === 'at_head' && untilAtHead) return true;
      if (step === 'more') continue;
      await this.sleep(step === 'failed' ? this.backoffMs() : this.deps.pollIntervalMs);
    }
    return false;
  }

  private async step(): Promise<Step> {
    const d = this.deps;
    let round: Round;
    try {
      if (this.verifyChainId) {
        const id = await d.rpc.chainId();
        if (id !== d.expectedChainId) {
          this.failures++;
          const reason = `the Ethereum node now reports chain id ${id}, but this data dir is for chain ${d.expectedChainId}; nothing is applied until it is back on chain ${d.expectedChainId}`;
          if (this.failures <= LOGGED_FAILURES || this.failures % 10 === 0) d.log('error', reason, { failures: this.failures });
          this.report(reason);
          return 'failed';
        }
        this.verifyChainId = false;
      }
      round = await d.follower.round(d.committed(), d.networks());
    } catch (e) {
      if (!(e instanceof RpcFailure)) throw e;
      return this.failed(e);
    }
    if (this.stopped) return 'wait';
    if (this.failures > 0) {
      d.log('info', 'the Ethereum node answers again', { failures: this.failures });
      this.failures = 0;
    }
    this.lastHead = round.head;
    switch (round.kind) {
      case 'behind': {
        const reason = `the Ethereum node's confirmed head ${round.confirmed} is below the committed block ${d.committed()} (its head moved backwards); waiting for it to pass that block`;
        if (!this.behind) d.log('warning', reason, { head: round.head });
        this.behind = true;
        this.report(reason);
        return 'wait';
      }
      case 'narrowed':
        d.log('info', 'eth_getLogs refused or timed out; narrowing the block range', { interval: round.interval, reason: round.reason });
        return 'more';
      case 'idle':
        this.behind = false;
        this.report(null);
        return 'at_head';
      case 'range': {
        this.behind = false;
        this.applying = d.apply(round);
        try {
          await this.applying;
        } finally {
          this.applying = null;
        }
        if (round.to < round.confirmed) {
          this.report(`catching up: block ${round.to} of ${round.confirmed} confirmed`);
          return 'more';
        }
        this.report(null);
        return 'at_head';
      }
    }
  }

  private failed(e: RpcFailure): Step {
    this.failures++;
    this.verifyChainId = true;
    const retry = this.backoffMs();
    const reason = `the Ethereum node failed (${e.kind}: ${e.message}); retry ${this.failures} in ${Math.round(retry / 100) / 10} s, serving from block ${this.deps.committed()}`;
    if (this.failures <= LOGGED_FAILURES || this.failures % 10 === 0) this.deps.log('warning', reason, { failures: this.failures });
    this.report(reason);
    return 'failed';
  }

  private report(lagging: string | null): void {
    if (lagging === this.lastLagging) return;
    this.lastLagging = lagging;
    this.deps.status({ lagging, head: this.lastHead, committed: this.deps.committed() });
  }

  private async sleep(ms: number): Promise<void> {
    // aborted by stop(): the rejection only ends the pause
    await delay(ms, undefined, { signal: this.wake.signal }).catch(() => undefined);
  }
}
