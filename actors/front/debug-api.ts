import type { Address } from '../../src/domain/index.ts';
import {
  type DebugIou,
  type DebugRouteEntry,
  type HttpReply,
  debugIouReply,
  debugRoutesReply,
  debugStatsReply,
  internalServerError,
  parseDebugAddress,
  renderError,
} from '../../src/http/index.ts';
import type { ApiDeps } from './api.ts';

/**
 * The debug endpoints (spec §2.10), routed only with --enable-debug. Like the reference
 * they validate nothing; an argument that is not an address in any letter case is where the
 * reference's address conversion raises, which it answers with a 500.
 */

/** Where the debug IOU endpoint reads IOUs. The IOU ledger arrives with the chain source and implements it. */
export interface IouDebugSource {
  /** The sender's first IOU, claimed or not (the reference's `get_iou(sender)`), or null. */
  firstIou(sender: Address): DebugIou | null;
}

/** No IOU ledger yet (payments need the chain): no sender has an IOU. */
export const NO_IOUS: IouDebugSource = { firstIou: () => null };

/**
 * GET /api/v1/_debug/routes/<tn>/<source>[/<target>]: first the failed requests of the
 * in-memory deque that match, then the answered requests from the feedback table, one
 * entry per feedback token with its routes, oldest first.
 */
export function handleDebugRoutes(deps: ApiDeps, rawNetwork: string, rawSource: string, rawTarget: string | null): HttpReply {
  const network = parseDebugAddress(rawNetwork);
  const source = parseDebugAddress(rawSource);
  const target = rawTarget === null ? null : parseDebugAddress(rawTarget);
  if (network === null || source === null || (rawTarget !== null && target === null)) return renderError(internalServerError());
  const entries: DebugRouteEntry[] = deps.failedRequests.matching(network, source, target).map((f) => ({ source: f.source, target: f.target, routes: [] }));
  for (const a of deps.feedback.answersFor(network, source, target)) entries.push({ source: a.source, target: a.target, routes: a.routes });
  return debugRoutesReply(entries);
}

/** GET /api/v1/_debug/ious/<source>: the sender's first IOU, or `{}`; always 200 for an address. */
export function handleDebugIous(deps: ApiDeps, rawSource: string): HttpReply {
  const sender = parseDebugAddress(rawSource);
  if (sender === null) return renderError(internalServerError());
  return debugIouReply(deps.ious.firstIou(sender));
}

/** GET /api/v1/_debug/stats: feedback row counts and ONLINE Matrix users. */
export function handleDebugStats(deps: ApiDeps): HttpReply {
  const c = deps.feedback.counts();
  return debugStatsReply({
    totalCalculatedRoutes: c.rows,
    totalFeedbackReceived: c.withFeedback,
    totalSuccessfulRoutes: c.successful,
    onlineNodes: deps.onlineUsers(),
  });
}
