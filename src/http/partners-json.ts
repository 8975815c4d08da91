import { type Address, toChecksumAddress } from '../domain/index.ts';
import { JsonFloat, type JsonOutRecord } from './json-write.ts';
import { jsonReply, type HttpReply } from './reply.ts';

/** One partner suggestion (spec §2.6, §9.2). */
export interface PartnerSuggestionJson {
  readonly address: Address;
  readonly score: number;
  readonly centrality: number;
  /** Seconds. */
  readonly uptime: number;
  /** Sum of out-edge capacities (exact). */
  readonly capacity: bigint;
}

/**
 * The body of GET /suggest_partner: `[{"address", "score", "centrality", "uptime",
 * "capacity"}, ...]`, best first. Score, centrality and uptime are Python floats in the
 * reference (`0.0`, `1.0`, `12.345`); capacity is a Python int (exact JSON integer).
 */
export function suggestPartnerBody(suggestions: readonly PartnerSuggestionJson[]): JsonOutRecord[] {
  return suggestions.map((s) => ({
    address: toChecksumAddress(s.address),
    score: new JsonFloat(s.score),
    centrality: new JsonFloat(s.centrality),
    uptime: new JsonFloat(s.uptime),
    capacity: s.capacity,
  }));
}

/** 200 answer of GET /suggest_partner. */
export function suggestPartnerReply(suggestions: readonly PartnerSuggestionJson[]): HttpReply {
  return jsonReply(200, suggestPartnerBody(suggestions));
}
