import type { Address } from '../domain/index.ts';
import { type ChainEvent, decodeRegistryLog, decodeTokenNetworkLog } from './log-decoding.ts';
import { type ChainRpc, RpcFailure } from './rpc.ts';

/**
 * One polling round of the confirmed-block follower (spec §7.2): the range after the
 * committed block up to the confirmed head, bounded by an adaptive interval, read with two
 * eth_getLogs queries (the registry, then every known token network including those created
 * in the same range). Pure of timers: the loop around it is ChainSync.
 */

/** Adaptive eth_getLogs interval in blocks (spec §7.2, numbers of §13). */
export class FilterInterval {
  static readonly START = 1000;
  static readonly MIN = 2;
  static readonly MAX = 100_000;
  /** A round faster than this doubles the interval (ETH_GET_LOGS_THRESHOLD_FAST). */
  static readonly FAST_MS = 2000;
  /** A round slower than this halves it (ETH_GET_LOGS_THRESHOLD_SLOW). */
  static readonly SLOW_MS = 5000;

  value = FilterInterval.START;

  /** After a completed round of `ms` milliseconds. */
  completed(ms: number): void {
    if (ms < FilterInterval.FAST_MS) this.value = Math.min(FilterInterval.MAX, this.value * 2);
    else if (ms > FilterInterval.SLOW_MS) this.value = Math.max(FilterInterval.MIN, Math.floor(this.value / 2));
  }

  /** After a query the node could not answer (timeout, or a range it refuses): ÷5; false when already at the minimum. */
  failed(): boolean {
    if (this.value <= FilterInterval.MIN) return false;
    this.value = Math.max(FilterInterval.MIN, Math.floor(this.value / 5));
    return true;
  }
}

/**
 * The block range of the next round: from committed + 1 to min(confirmed head,
 * from + interval - 1), or null when there is nothing confirmed after the committed block.
 * `committed` is -1 before block 0 was handled.
 */
export function nextRange(committed: number, head: number, confirmations: number, interval: number): { from: number; to: number } | null {
  const confirmed = head - confirmations;
  const from = committed + 1;
  const to = Math.min(confirmed, from + interval - 1);
  return from > to ? null : { from, to };
}

/** Outcome of one round. */
export type Round =
  /** Nothing confirmed after the committed block. */
  | { readonly kind: 'idle'; readonly head: number; readonly confirmed: number }
  /** The node's confirmed head is below the committed block (it moved backwards or resyncs). */
  | { readonly kind: 'behind'; readonly head: number; readonly confirmed: number }
  /** The node refused or timed out on the range; the interval shrank: retry at once. */
  | { readonly kind: 'narrowed'; readonly head: number; readonly confirmed: number; readonly interval: number; readonly reason: string }
  /** A range was read: apply its events, then commit `to`. */
  | {
      readonly kind: 'range';
      readonly from: number;
      readonly to: number;
      readonly head: number;
      readonly confirmed: number;
      /** Registry events first, then token-network events, each in chain order. */
      readonly events: readonly ChainEvent[];
      /** Logs not turned into events, by counter label (`ignored_…`, `rejected_…`). */
      readonly outcomes: Readonly<Record<string, number>>;
    };

function byChainOrder(a: unknown, b: unknown): number {
  // the node returns logs in chain order; sorting (stable) makes positions monotonic even if it does not
  const key = (l: unknown) => {
    const log = l as { blockNumber?: unknown; logIndex?: unknown };
    const block = typeof log?.blockNumber === 'string' ? Number.parseInt(log.blockNumber, 16) : NaN;
    const index = typeof log?.logIndex === 'string' ? Number.parseInt(log.logIndex, 16) : NaN;
    return [Number.isFinite(block) ? block : -1, Number.isFinite(index) ? index : -1] as const;
  };
  const [ba, ia] = key(a);
  const [bb, ib] = key(b);
  return ba - bb || ia - ib;
}

/** Reads confirmed ranges of one TokenNetworkRegistry and its token networks. */
export class ChainFollower {
  readonly interval = new FilterInterval();
  private readonly rpc: ChainRpc;
  private readonly registry: Address;
  private readonly confirmations: number;
  private readonly now: () => number;

  constructor(rpc: ChainRpc, registry: Address, confirmations: number, now: () => number = () => performance.now()) {
    this.rpc = rpc;
    this.registry = registry;
    this.confirmations = confirmations;
    this.now = now;
  }

  /**
   * One round after `committed` over the known `networks`. Throws RpcFailure when the node
   * fails. A getLogs timeout or error answer shrinks the interval instead (÷5, as the
   * reference does on a timeout) and the round is skipped: `narrowed`.
   */
  async round(committed: number, networks: readonly Address[]): Promise<Round> {
    const head = await this.rpc.blockNumber();
    const confirmed = head - this.confirmations;
    if (confirmed < committed) return { kind: 'behind', head, confirmed };
    const range = nextRange(committed, head, this.confirmations, this.interval.value);
    if (range === null) return { kind: 'idle', head, confirmed };
    const started = this.now();
    const outcomes: Record<string, number> = {};
    const count = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);
    const inRange = (e: ChainEvent) => e.block >= range.from && e.block <= range.to;
    const events: ChainEvent[] = [];
    const known = new Set(networks);
    const followed = [...networks];
    try {
      for (const raw of [...(await this.rpc.getLogs([this.registry], range.from, range.to))].sort(byChainOrder)) {
        const d = decodeRegistryLog(raw, this.registry);
        if (!d.ok) count(d.outcome);
        else if (!inRange(d.event)) count('rejected_outside_range');
        else {
          events.push(d.event);
          // created and used in the same range: follow it in query 2 already
          if (d.event.kind === 'network_created' && !known.has(d.event.network)) {
            known.add(d.event.network);
            followed.push(d.event.network);
          }
        }
      }
      if (followed.length > 0) {
        for (const raw of [...(await this.rpc.getLogs(followed, range.from, range.to))].sort(byChainOrder)) {
          const d = decodeTokenNetworkLog(raw, known);
          if (!d.ok) count(d.outcome);
          else if (!inRange(d.event)) count('rejected_outside_range');
          else events.push(d.event);
        }
      }
    } catch (e) {
      // a range the node cannot serve in time or refuses (many hosted nodes cap it): narrow
      // it and retry; at the narrowest it is a plain failure (retried with backoff)
      if (e instanceof RpcFailure && (e.kind === 'timeout' || e.kind === 'rpc_error') && this.interval.failed()) {
        return { kind: 'narrowed', head, confirmed, interval: this.interval.value, reason: e.message };
      }
      throw e;
    }
    this.interval.completed(this.now() - started);
    return { kind: 'range', from: range.from, to: range.to, head, confirmed, events, outcomes };
  }
}
