import {
  type HttpReply,
  parseTokenNetworkArgument,
  renderError,
  serviceOverloaded,
  suggestPartnerReply,
  unsupportedTokenNetwork,
} from '../../src/http/index.ts';
import { DEFAULT_SUGGEST_WORK_LIMIT, SUGGESTION_LIMIT } from '../../src/partners/index.ts';
import type { SuggestTask } from '../path-pool/task.ts';
import { type ApiDeps, QueueFull, overloadReply } from './api.ts';

/**
 * GET /api/v1/<token_network>/suggest_partner (spec §2.6, §9.2). The computation runs in a
 * pool thread on the network's snapshot (never on this thread); its answer is cached per
 * URL token-network string for 60 s, as the reference caches it, and concurrent requests
 * for the same network share one computation.
 */

/** How long an answer is served from the cache (CACHE_TIMEOUT_SUGGEST_PARTNER). */
export const SUGGEST_CACHE_MS = 60_000;

/**
 * Most cached answers. Only checksummed addresses of known networks reach the cache, so
 * the network count bounds it already (the reference's dict has no bound at all); this is
 * the second line of defence for a registry with very many networks.
 */
export const SUGGEST_CACHE_MAX = 1024;

/** Settings of the computation. */
export interface SuggestSettings {
  readonly limit: number;
  readonly workLimit: number;
}

/** The defaults: 5 suggestions, the default work cap of suggestPartners. */
export const DEFAULT_SUGGEST_SETTINGS: SuggestSettings = { limit: SUGGESTION_LIMIT, workLimit: DEFAULT_SUGGEST_WORK_LIMIT };

interface Entry {
  readonly reply: HttpReply;
  readonly expires: number;
}

/** Answers per URL string for SUGGEST_CACHE_MS, at most `max` of them; plus the computations in flight. */
export class SuggestCache {
  private readonly entries = new Map<string, Entry>();
  private readonly running = new Map<string, Promise<HttpReply>>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(ttlMs = SUGGEST_CACHE_MS, max = SUGGEST_CACHE_MAX) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  /** Number of cached answers (fresh or not yet evicted). */
  get size(): number {
    return this.entries.size;
  }

  /** The cached answer of `key` if it is younger than the TTL. */
  fresh(key: string, now: number): HttpReply | null {
    const e = this.entries.get(key);
    return e !== undefined && e.expires > now ? e.reply : null;
  }

  /**
   * The answer of `key`: computed by `compute` unless a computation for it is running
   * already. `cacheable` decides which answers are kept (not transient overload answers).
   */
  compute(key: string, compute: () => Promise<HttpReply>, cacheable: (r: HttpReply) => boolean, now: () => number): Promise<HttpReply> {
    const running = this.running.get(key);
    if (running !== undefined) return running;
    const p = compute()
      .then((reply) => {
        if (cacheable(reply)) this.store(key, reply, now());
        return reply;
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  private store(key: string, reply: HttpReply, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
    }
    // still full: drop the oldest (Map order is insertion order)
    while (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { reply, expires: now + this.ttlMs });
  }
}

/** Reason of the 503 when the centrality search hit its work cap (cached like an answer). */
export const SUGGEST_BUDGET_REASON = 'suggest_partner_budget_exhausted';

/** GET /api/v1/<token_network>/suggest_partner. */
export async function handleSuggestPartner(deps: ApiDeps, rawNetwork: string): Promise<HttpReply> {
  const tn = parseTokenNetworkArgument(rawNetwork);
  if (!tn.ok) return renderError(tn.error);
  const network = deps.network(tn.value);
  if (network === undefined) return renderError(unsupportedTokenNetwork(rawNetwork));
  const cached = deps.suggestCache.fresh(rawNetwork, Date.now());
  if (cached !== null) return cached;
  const snapshot = network.snapshot;
  if (snapshot === null) return overloadReply('not_published');
  const compute = async (): Promise<HttpReply> => {
    const task: SuggestTask = {
      kind: 'suggest',
      network: tn.value,
      snapshot,
      since: deps.reachableSince(),
      now: Date.now(),
      limit: deps.suggestSettings.limit,
      workLimit: deps.suggestSettings.workLimit,
    };
    let result;
    try {
      result = await deps.suggest(task);
    } catch (e) {
      if (e instanceof QueueFull) {
        deps.metrics.rejectedOverload.labels({ reason: 'queue_full' }).inc();
        return overloadReply('queue_full');
      }
      throw e;
    }
    deps.metrics.suggestSeconds.observe(result.ms / 1000);
    deps.metrics.suggestOutcomes.labels({ outcome: result.kind }).inc();
    if (result.kind === 'budget_exhausted') {
      const retry = Math.ceil(SUGGEST_CACHE_MS / 1000);
      const reply = renderError(serviceOverloaded(retry, SUGGEST_BUDGET_REASON));
      return { ...reply, headers: [...reply.headers, ['Retry-After', String(retry)]] };
    }
    return suggestPartnerReply(result.suggestions);
  };
  const isCacheable = (r: HttpReply) => r.status === 200 || (r.status === 503 && r.body.includes(SUGGEST_BUDGET_REASON));
  return deps.suggestCache.compute(rawNetwork, compute, isCacheable, Date.now);
}
