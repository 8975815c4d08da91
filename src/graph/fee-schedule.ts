import { UINT256_MAX } from '../domain/index.ts';
import { decodeFeeSchedule, encodeFeeSchedule } from './fee-schedule-codec.ts';

/** One point of an imbalance-penalty curve: (balance, penalty), both uint256. */
export type PenaltyPoint = readonly [bigint, bigint];

/**
 * The routing-relevant part of one channel side's fee schedule (spec §4.1).
 * `imbalancePenalty` is null when absent; an empty list is normalised to null because
 * the reference treats both the same (`if self.imbalance_penalty:`).
 */
export interface FeeSchedule {
  readonly capFees: boolean;
  readonly flat: bigint;
  /** Parts per million per channel. */
  readonly proportional: bigint;
  readonly imbalancePenalty: readonly PenaltyPoint[] | null;
}

/**
 * A fee schedule together with the timestamp of the update that set it. Holds the
 * schedule in its canonical encoding (what the store and the snapshot use) and/or as
 * numbers, converting lazily: a restart never needs the numbers, routing readers decode
 * from shared memory, and a fee update is encoded once.
 */
export class TimedFeeSchedule {
  /** Sortable naive timestamp, always with microseconds: `YYYY-MM-DDTHH:MM:SS.ffffff`. */
  readonly timestamp: string;
  private decoded: FeeSchedule | undefined;
  private bytes: Uint8Array | undefined;

  private constructor(timestamp: string, schedule: FeeSchedule | undefined, encoded: Uint8Array | undefined) {
    this.timestamp = timestamp;
    this.decoded = schedule;
    this.bytes = encoded;
  }

  /** From a validated schedule. */
  static of(schedule: FeeSchedule, timestamp: string): TimedFeeSchedule {
    return new TimedFeeSchedule(timestamp, schedule, undefined);
  }

  /** From a canonical encoding (as stored). */
  static fromEncoded(encoded: Uint8Array, timestamp: string): TimedFeeSchedule {
    return new TimedFeeSchedule(timestamp, undefined, encoded);
  }

  /** The schedule as numbers. */
  get schedule(): FeeSchedule {
    return (this.decoded ??= decodeFeeSchedule(this.bytes!));
  }

  /** The canonical encoding. */
  get encoded(): Uint8Array {
    return (this.bytes ??= encodeFeeSchedule(this.decoded!));
  }
}

/**
 * Upper bound on imbalance-penalty points per schedule. Raiden clients send at most 21
 * (spec §4.6); the reference has no limit, which lets one update make every search
 * through that channel arbitrarily slow.
 */
export const MAX_PENALTY_POINTS = 100;

/** The schedule every channel side starts with (spec §3.1). */
export const DEFAULT_FEE_SCHEDULE: FeeSchedule = Object.freeze({
  capFees: true,
  flat: 0n,
  proportional: 0n,
  imbalancePenalty: null,
});

/** Timestamp of the default schedule; fee updates must be strictly later. */
export const DEFAULT_FEE_TIMESTAMP = '2000-01-01T00:00:00.000000';

/** The default schedule with its timestamp. */
export const DEFAULT_TIMED_FEE_SCHEDULE: TimedFeeSchedule = TimedFeeSchedule.of(DEFAULT_FEE_SCHEDULE, DEFAULT_FEE_TIMESTAMP);

/** Why a schedule was refused. */
export type FeeScheduleError =
  | 'flat_out_of_range'
  | 'proportional_out_of_range'
  | 'too_many_penalty_points'
  | 'penalty_value_out_of_range'
  | 'penalty_x_not_increasing';

/**
 * Validates and normalises a schedule. The reference refuses non-increasing x values when
 * it builds the penalty function (ValueError), and negative or oversized numbers cannot be
 * packed for the signature, so such updates can never be applied there either.
 */
export function makeFeeSchedule(input: {
  capFees: boolean;
  flat: bigint;
  proportional: bigint;
  imbalancePenalty: readonly PenaltyPoint[] | null;
}): FeeSchedule | FeeScheduleError {
  if (input.flat < 0n || input.flat > UINT256_MAX) return 'flat_out_of_range';
  if (input.proportional < 0n || input.proportional > UINT256_MAX) return 'proportional_out_of_range';
  let penalty: PenaltyPoint[] | null = null;
  if (input.imbalancePenalty !== null && input.imbalancePenalty.length > 0) {
    if (input.imbalancePenalty.length > MAX_PENALTY_POINTS) return 'too_many_penalty_points';
    penalty = [];
    let previousX = -1n;
    for (const [x, y] of input.imbalancePenalty) {
      if (x < 0n || x > UINT256_MAX || y < 0n || y > UINT256_MAX) return 'penalty_value_out_of_range';
      if (x <= previousX) return 'penalty_x_not_increasing';
      previousX = x;
      penalty.push(Object.freeze([x, y] as const));
    }
    Object.freeze(penalty);
  }
  return Object.freeze({
    capFees: input.capFees,
    flat: input.flat,
    proportional: input.proportional,
    imbalancePenalty: penalty,
  });
}

/** True when the schedule charges nothing in the edge-weight computation (§3.3). */
export function isZeroForWeights(s: FeeSchedule): boolean {
  return s.flat === 0n && s.proportional === 0n && s.imbalancePenalty === null;
}

/** A canonical string of the routing-relevant fields (for comparisons and tests). */
export function feeScheduleKey(s: FeeSchedule): string {
  return Buffer.from(encodeFeeSchedule(s)).toString('hex');
}
