export { DEFAULT_SEARCH_LIMITS, type SearchLimits } from './budget.ts';
export { amountWithFees, linearWeightFee, mediatorCapsFees, weightFee, type BackwardFeeInput } from './fees.ts';
export { type RouteQuery, type FoundRoute, type RouteOutcome, type SearchStats, RouteFinder } from './route-finder.ts';
