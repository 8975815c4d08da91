import type { Address } from '../../src/domain/index.ts';
import {
  type ApiError,
  type HttpReply,
  type RouteAnswer,
  type FailedRequests,
  type ServiceInfo,
  addressNotOnline,
  inconsistentInternalState,
  infoReply,
  internalServerError,
  metadataReply,
  newFeedbackToken,
  noRouteFound,
  onlineAddressesReply,
  parseAddressArgument,
  parsePathsRequest,
  type PathsRequest,
  parseTokenNetworkArgument,
  pathsReply,
  readJsonBody,
  renderError,
  searchBudgetExhausted,
  secondsSince,
  serviceOverloaded,
  unsupportedTokenNetwork,
  utcNowMicros,
} from '../../src/http/index.ts';
import type { SearchLimits } from '../../src/routing/index.ts';
import type { FeedbackStore } from '../../src/store/feedback-store.ts';
import type { NetworkView, PresenceView } from '../service.ts';
import type { PathTask, PathTaskResult, SuggestTask, SuggestTaskResult } from '../path-pool/task.ts';
import type { AddressRegistryHandle, NetworkSnapshotHandle } from '../../src/graph/index.ts';
import type { IouDebugSource } from './debug-api.ts';
import type { PaymentsFront } from './payment-api.ts';
import type { SuggestCache, SuggestSettings } from './partner-api.ts';
import type { ServiceMetrics } from './service-metrics.ts';

/**
 * The API's endpoint logic (spec §2), independent of the HTTP server: each handler takes
 * the decoded request and returns the complete answer as a value. The server only moves
 * bytes; everything a client can observe is decided here.
 */

/** A request as the server hands it over (body already read and within the limit). */
export interface ApiRequest {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly body: Uint8Array;
  /** The raw query string (after `?`), empty when there is none. */
  readonly query?: string;
}

/** Everything the handlers read from the running service. */
export interface ApiDeps {
  readonly searchLimits: SearchLimits;
  readonly requestTimeoutMs: number;
  readonly registry: AddressRegistryHandle;
  readonly metrics: ServiceMetrics;
  /** Static /info fields; `confirmedBlock` is filled in per request. */
  readonly info: Omit<ServiceInfo, 'confirmedBlock'>;
  readonly startedAtMs: number;
  network(address: Address): NetworkView | undefined;
  presence(address: Address): PresenceView | undefined;
  onlineAddresses(): Iterable<Address>;
  confirmedBlock(): number;
  /** Runs a search in the pool; rejects with QueueFull when the pool queue is at its limit. */
  search(task: PathTask): Promise<PathTaskResult>;
  /** Whether the /v1/_debug routes exist (--enable-debug). */
  readonly enableDebug: boolean;
  /** The feedback rows of paths answers (spec §9.1). */
  readonly feedback: FeedbackStore;
  /** Failed paths requests for /_debug/routes; filled only with enableDebug. */
  readonly failedRequests: FailedRequests;
  /** IOUs as /_debug/ious reads them. */
  readonly ious: IouDebugSource;
  /** Matrix users whose presence is ONLINE (/_debug/stats). */
  onlineUsers(): number;
  /** Reachability-change times by registry index, NaN where not REACHABLE (suggest_partner uptime). */
  reachableSince(): Float64Array;
  /** Runs a suggest_partner computation in the pool; rejects with QueueFull like `search`. */
  suggest(task: SuggestTask): Promise<SuggestTaskResult>;
  readonly suggestCache: SuggestCache;
  readonly suggestSettings: SuggestSettings;
  /** IOU payments (spec §5); absent: requests are free and GET payment/iou finds nothing. */
  readonly payments?: PaymentsFront;
  /** True when a path request would be refused for a full queue (checked before charging). */
  queueFull?(): boolean;
  /** Asks the Ethereum node for its block number (/v2/info's liveness probe); rejects when it fails. */
  chainProbe?(): Promise<unknown>;
}

/** Thrown by `search` when the pool's queue is full. */
export class QueueFull extends Error {}

/** Seconds a client is asked to wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 1;

/** A 503 with the Retry-After header. */
export function overloadReply(reason: 'queue_full' | 'deadline' | 'not_published'): HttpReply {
  const reply = renderError(serviceOverloaded(RETRY_AFTER_SECONDS, reason));
  return { ...reply, headers: [...reply.headers, ['Retry-After', String(RETRY_AFTER_SECONDS)]] };
}

function fail(error: ApiError): HttpReply {
  return renderError(error);
}

/** Resolves after `ms` with `value` (and can be cancelled). */
function timer<T>(ms: number, value: T): { promise: Promise<T>; cancel: () => void } {
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => {
    handle = setTimeout(() => resolve(value), ms);
  });
  return { promise, cancel: () => clearTimeout(handle) };
}

/** POST /api/v1/<token_network>/paths (spec §2.3, in its processing order). */
export async function handlePaths(deps: ApiDeps, rawNetwork: string, req: ApiRequest): Promise<HttpReply> {
  const tn = parseTokenNetworkArgument(rawNetwork);
  if (!tn.ok) return fail(tn.error);
  const network = deps.network(tn.value);
  if (network === undefined) return fail(unsupportedTokenNetwork(rawNetwork));
  const body = readJsonBody(req.contentType, req.body);
  if (!body.ok) return fail(body.error);
  const parsed = parsePathsRequest(body.value);
  if (!parsed.ok) return fail(parsed.error);
  const request = parsed.value;
  const snapshot = network.snapshot;
  if (snapshot === null) return overloadReply('not_published');
  // Payment (step 3). The IOU is stored while the search runs and before the answer, so a
  // request that ends in 404 (no route) is paid for, as in the reference (W11); a full
  // queue is answered before charging. With fee 0 the IOU has only been schema-checked.
  if (deps.payments !== undefined) {
    if (deps.queueFull?.() === true) return overloadedBy(deps, 'queue_full');
    const paid = await deps.payments.pay(request.iou);
    if (!paid.ok) return fail(paid.error);
    const reply = await searchAndAnswer(deps, tn.value, snapshot, request);
    const stored = await paid.committed;
    return stored.ok ? reply : fail(stored.error);
  }
  return searchAndAnswer(deps, tn.value, snapshot, request);
}

/** Steps 4 to 6 of §2.3: the quick checks and the search in the pool, and the answer. */
async function searchAndAnswer(deps: ApiDeps, network: Address, snapshot: NetworkSnapshotHandle, request: PathsRequest): Promise<HttpReply> {
  const task: PathTask = {
    kind: 'path',
    network,
    snapshot,
    registry: deps.registry,
    query: {
      source: request.from,
      target: request.to,
      value: request.value,
      maxPaths: request.maxPaths,
      diversityPenalty: request.diversityPenalty,
      feePenalty: request.feePenalty,
    },
    limits: deps.searchLimits,
    deadline: Date.now() + deps.requestTimeoutMs,
  };
  let searched: Promise<PathTaskResult>;
  try {
    searched = deps.search(task);
  } catch (e) {
    if (e instanceof QueueFull) return overloadedBy(deps, 'queue_full');
    throw e;
  }
  const deadline = timer(deps.requestTimeoutMs, 'deadline' as const);
  let result: PathTaskResult | 'deadline';
  try {
    result = await Promise.race([searched, deadline.promise]);
  } catch (e) {
    if (e instanceof QueueFull) return overloadedBy(deps, 'queue_full');
    throw e;
  } finally {
    deadline.cancel();
  }
  if (result === 'deadline') {
    // the pool drops the task unrun if it is still queued; a running search ends on its budget
    searched.catch(() => undefined);
    return overloadedBy(deps, 'deadline');
  }
  if (result.kind === 'expired') return overloadedBy(deps, 'deadline');
  deps.metrics.searchSeconds.observe(result.searchMs / 1000);
  const outcome = result.outcome;
  deps.metrics.searchOutcomes.labels({ outcome: outcome.kind }).inc();
  const summary = { from: request.from, to: request.to, value: request.value };
  // debug mode remembers failures for /_debug/routes (the reference's last_failed_requests);
  // an exhausted search budget is a failure without routes too
  if (outcome.kind !== 'routes' && deps.enableDebug) deps.failedRequests.add({ network, source: request.from, target: request.to });
  switch (outcome.kind) {
    case 'no_route':
      return fail(noRouteFound(summary, outcome.reason, BigInt(deps.confirmedBlock())));
    case 'budget_exhausted':
      return fail(searchBudgetExhausted(summary));
    case 'routes': {
      const routes: RouteAnswer[] = [];
      for (const route of outcome.routes) {
        const metadata = [];
        for (const node of route.path) {
          const m = deps.presence(node)?.metadata;
          // the search saw the node reachable; presence on this thread lags by a message at most
          if (m === undefined || m === null) return fail(inconsistentInternalState());
          metadata.push({ userId: m.user_id, capabilities: m.capabilities, displayname: m.displayname });
        }
        routes.push({ path: route.path, estimatedFee: route.estimatedFee, metadata });
      }
      // one feedback row per route (spec §2.3); the write is queued, not awaited
      const token = newFeedbackToken();
      deps.feedback.record(token, network, Date.now(), routes);
      return pathsReply(routes, token);
    }
  }
}

function overloadedBy(deps: ApiDeps, reason: 'queue_full' | 'deadline'): HttpReply {
  deps.metrics.rejectedOverload.labels({ reason }).inc();
  return overloadReply(reason);
}

/** GET /api/v1/online_addresses (spec §2.7). */
export function handleOnlineAddresses(deps: ApiDeps): HttpReply {
  return onlineAddressesReply(deps.onlineAddresses());
}

/** GET /api/v1/address/<address>/metadata (spec §2.9). */
export function handleMetadata(deps: ApiDeps, rawAddress: string): HttpReply {
  const parsed = parseAddressArgument(rawAddress);
  if (!parsed.ok) return fail(parsed.error);
  const view = deps.presence(parsed.value);
  if (view?.metadata != null) {
    const m = view.metadata;
    return metadataReply({ userId: m.user_id, capabilities: m.capabilities, displayname: m.displayname });
  }
  const now = utcNowMicros();
  const offlineSinceMs = view?.record.firstSeenOffline ?? deps.startedAtMs;
  return fail(addressNotOnline(rawAddress, secondsSince(now, BigInt(offlineSinceMs) * 1000n)));
}

/**
 * GET /api/v1/info and /api/v2/info (spec §2.8; file-only fields from configuration). v2
 * first asks the node for its block number, a liveness probe: 500 when that fails.
 */
export function handleInfo(deps: ApiDeps, version: 1 | 2): HttpReply | Promise<HttpReply> {
  const reply = () => infoReply(version, { ...deps.info, confirmedBlock: BigInt(deps.confirmedBlock()) });
  if (version === 1 || deps.chainProbe === undefined) return reply();
  return deps.chainProbe().then(reply, () => renderError(internalServerError()));
}
