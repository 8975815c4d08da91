/**
 * Work budget of one route request (fix for reference weakness W3). When no valid path
 * exists the reference can walk an exponential number of candidates; here every request
 * counts its work and stops when a limit is reached. Work, not time, is counted, so the
 * same request on the same state always gets the same answer.
 */
export interface SearchLimits {
  /** Candidate paths taken from the k-shortest-paths generator and checked, all rounds. */
  readonly maxCandidates: number;
  /** Adjacency entries scanned by all shortest-path searches of the request. */
  readonly maxRelaxations: number;
}

/**
 * Defaults: far above what a typical request needs (a few candidates and tens of thousands
 * of relaxations on a 20,000-node network) and beyond the point where the reference stops
 * being usable (seconds per candidate at that size, hours for the searches cut off here).
 * 2,000,000 relaxations bound the worst request to about a second of one core.
 */
export const DEFAULT_SEARCH_LIMITS: SearchLimits = Object.freeze({
  maxCandidates: 5000,
  maxRelaxations: 2_000_000,
});

/** Thrown inside a search when a limit is reached; caught by the request loop. */
export class BudgetExhausted extends Error {
  readonly limit: 'candidates' | 'relaxations';
  constructor(limit: 'candidates' | 'relaxations') {
    super(`search budget exhausted (${limit})`);
    this.limit = limit;
  }
}

/** Counts the work of one request. */
export class Budget {
  candidates = 0;
  relaxations = 0;
  feeComputations = 0;
  private readonly limits: SearchLimits;

  constructor(limits: SearchLimits) {
    this.limits = limits;
  }

  /** Records one examined candidate path. */
  chargeCandidate(): void {
    if (++this.candidates > this.limits.maxCandidates) throw new BudgetExhausted('candidates');
  }

  /** Records `n` scanned adjacency entries. */
  chargeRelaxations(n: number): void {
    this.relaxations += n;
    if (this.relaxations > this.limits.maxRelaxations) throw new BudgetExhausted('relaxations');
  }

  /** Records one edge fee evaluation (statistics only). */
  chargeFee(): void {
    this.feeComputations++;
  }
}
