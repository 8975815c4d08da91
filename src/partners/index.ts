export { Bfs, closenessCentrality, closenessValue, type HopGraph } from './closeness.ts';
export {
  DEFAULT_SUGGEST_WORK_LIMIT,
  SUGGESTION_LIMIT,
  suggestPartners,
  type PartnerCandidate,
  type PartnerGraph,
  type PartnerSuggestion,
  type SuggestOutcome,
} from './suggest.ts';
