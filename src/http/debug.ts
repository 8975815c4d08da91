import { type Address, asAddress, toChecksumAddress } from '../domain/index.ts';
import type { JsonOutRecord } from './json-write.ts';
import { jsonReply, type HttpReply } from './reply.ts';

/*
 * The debug endpoints (spec §2.10, only with --enable-debug): the deque of failed paths
 * requests and the answers of GET /_debug/routes, /_debug/ious and /_debug/stats, with the
 * reference's keys and order.
 */

/** How many failed paths requests the debug deque keeps (the reference's `maxlen=200`). */
export const FAILED_REQUESTS_KEPT = 200;

/** A paths request that ended without routes (404), as the debug deque records it. */
export interface FailedRequest {
  readonly network: Address;
  readonly source: Address;
  readonly target: Address;
}

/** The last FAILED_REQUESTS_KEPT failed paths requests, oldest first (in memory only, as in the reference). */
export class FailedRequests {
  private readonly kept: FailedRequest[] = [];
  private readonly max: number;

  constructor(max = FAILED_REQUESTS_KEPT) {
    this.max = max;
  }

  /** Appends a failure, dropping the oldest beyond the bound. */
  add(failure: FailedRequest): void {
    this.kept.push(failure);
    if (this.kept.length > this.max) this.kept.shift();
  }

  /** The failures of a network from `source` (and to `target` when given), oldest first. */
  matching(network: Address, source: Address, target: Address | null): FailedRequest[] {
    return this.kept.filter((f) => f.network === network && f.source === source && (target === null || f.target === target));
  }
}

const ANY_CASE_ADDRESS = /^(?:0[xX])?([0-9a-fA-F]{40})$/;

/**
 * A debug URL argument: the reference does not validate these but compares them with
 * `is_same_address` / converts them with `to_checksum_address`, which accept any letter
 * case and an optional prefix. Null where the reference raises (a 500).
 */
export function parseDebugAddress(raw: string): Address | null {
  const m = ANY_CASE_ADDRESS.exec(raw);
  return m === null ? null : asAddress('0x' + m[1]!.toLowerCase());
}

/** One entry of the debug routes answer: a request and the routes it got (none when it failed). */
export interface DebugRouteEntry {
  readonly source: Address;
  readonly target: Address;
  readonly routes: readonly { readonly path: readonly Address[]; readonly estimatedFee: bigint }[];
}

/** 200 `{"request_count": n, "responses": [{"source", "target", "routes": [{"path", "estimated_fee"}]}]}`. */
export function debugRoutesReply(entries: readonly DebugRouteEntry[]): HttpReply {
  return jsonReply(200, {
    request_count: entries.length,
    responses: entries.map(
      (e): JsonOutRecord => ({
        source: toChecksumAddress(e.source),
        target: toChecksumAddress(e.target),
        routes: e.routes.map((r) => ({ path: r.path.map(toChecksumAddress), estimated_fee: r.estimatedFee })),
      }),
    ),
  });
}

/** The IOU fields the debug IOU endpoint shows. */
export interface DebugIou {
  readonly sender: Address;
  readonly amount: bigint;
  readonly claimableUntil: bigint;
}

/** 200 `{"sender", "amount", "claimable_until"}` of the sender's first IOU, or 200 `{}` without one. */
export function debugIouReply(iou: DebugIou | null): HttpReply {
  if (iou === null) return jsonReply(200, {});
  return jsonReply(200, { sender: toChecksumAddress(iou.sender), amount: iou.amount, claimable_until: iou.claimableUntil });
}

/** The debug stats. */
export interface DebugStats {
  /** Feedback rows (routes returned). */
  readonly totalCalculatedRoutes: number;
  /** Rows with feedback. */
  readonly totalFeedbackReceived: number;
  /** Rows with successful feedback. */
  readonly totalSuccessfulRoutes: number;
  /** Matrix users whose presence is ONLINE. */
  readonly onlineNodes: number;
}

/** 200 `{"total_calculated_routes", "total_feedback_received", "total_successful_routes", "online_nodes"}`. */
export function debugStatsReply(s: DebugStats): HttpReply {
  return jsonReply(200, {
    total_calculated_routes: s.totalCalculatedRoutes,
    total_feedback_received: s.totalFeedbackReceived,
    total_successful_routes: s.totalSuccessfulRoutes,
    online_nodes: s.onlineNodes,
  });
}
