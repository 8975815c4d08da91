import type { FeeSchedule, PenaltyPoint } from '../graph/index.ts';
import {
  type Rational,
  RationalDivisionByZero,
  ZERO,
  abs,
  add,
  cmp,
  div,
  max,
  mul,
  rat,
  ratInt,
  roundHalfEven,
  sign,
  sub,
} from './rational.ts';

/**
 * The mediation-fee model of spec §4 as a direct, eager transcription of the specification
 * with normalised exact rationals: every step mirrors the reference's observable
 * behaviour, including its quirks (noted where they occur), because route ties and 404s
 * depend on them. "Undefined" outcomes are `null`, never exceptions.
 *
 * This is the source of truth. The routing hot path uses the lazy equivalent in fees.ts,
 * which is tested against this one on random inputs and falls back to it in rare cases.
 */

const MILLION = 1_000_000n;

/** A piecewise-linear function through strictly increasing x values (spec §4.1). */
interface Interpolation {
  readonly xs: readonly Rational[];
  readonly ys: readonly Rational[];
  readonly slopes: readonly Rational[];
}

function interpolation(xs: readonly Rational[], ys: readonly Rational[]): Interpolation | null {
  const slopes: Rational[] = [];
  for (let i = 0; i + 1 < xs.length; i++) {
    const dx = sub(xs[i + 1]!, xs[i]!);
    if (dx.n <= 0n) return null; // the reference raises "x_list must be in strictly ascending order"
    slopes.push(div(sub(ys[i + 1]!, ys[i]!), dx));
  }
  return { xs, ys, slopes };
}

function penaltyInterpolation(points: readonly PenaltyPoint[]): Interpolation {
  const f = interpolation(
    points.map(([x]) => ratInt(x)),
    points.map(([, y]) => ratInt(y)),
  );
  // makeFeeSchedule guarantees strictly increasing x values.
  if (f === null) throw new Error('invariant: penalty x values must increase');
  return f;
}

/** Index of the last x <= value, i.e. Python's `bisect_right(xs, value) - 1`. */
function bisectRight(xs: readonly Rational[], value: Rational): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(value, xs[mid]!) < 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Evaluates f at x; null outside [x_first, x_last], where the reference raises. */
function evaluate(f: Interpolation, x: Rational): Rational | null {
  const last = f.xs.length - 1;
  if (cmp(x, f.xs[0]!) < 0 || cmp(x, f.xs[last]!) > 0) return null;
  if (cmp(x, f.xs[last]!) === 0) return f.ys[last]!;
  const i = bisectRight(f.xs, x) - 1;
  return add(f.ys[i]!, mul(f.slopes[i]!, sub(x, f.xs[i]!)));
}

/** One channel side's fee for moving `amount` from `balance` (FeeScheduleState.fee). */
function sideFee(s: FeeSchedule, penalty: Interpolation, balance: bigint, amount: Rational): Rational | null {
  const b = ratInt(balance);
  const after = evaluate(penalty, add(b, amount));
  const before = evaluate(penalty, b);
  if (after === null || before === null) return null;
  return add(add(ratInt(s.flat), mul(rat(s.proportional, MILLION), abs(amount))), sub(after, before));
}

/** Inputs of the backward fee function for one mediator (spec §4.2, §4.3). */
export interface BackwardFeeInput {
  /** Amount the mediator must forward (`amount_without_fees`). */
  readonly amount: bigint;
  readonly balanceIn: bigint;
  readonly balanceOut: bigint;
  readonly receivable: bigint;
  readonly scheduleIn: FeeSchedule;
  readonly scheduleOut: FeeSchedule;
  readonly capFees: boolean;
}

/**
 * Amount the mediator must receive so that it can forward `amount` (spec §4.3), or null
 * where the reference returns None. Where the reference itself crashes (a division by zero
 * in degenerate piecewise functions, surfacing as HTTP 500 there) this returns null too:
 * the mediator is treated as unable to forward.
 */
export function amountWithFeesReference(p: BackwardFeeInput): bigint | null {
  try {
    return amountWithFeesUnchecked(p);
  } catch (e) {
    if (e instanceof RationalDivisionByZero) return null;
    throw e;
  }
}

function amountWithFeesUnchecked(p: BackwardFeeInput): bigint | null {
  const { amount, balanceIn, balanceOut, receivable } = p;
  if (balanceOut === 0n || receivable === 0n) return null;

  // Schedules without a penalty curve get a flat zero curve over the channel's range.
  const penaltyIn =
    p.scheduleIn.imbalancePenalty === null
      ? penaltyInterpolation([[0n, 0n], [balanceIn + receivable, 0n]])
      : penaltyInterpolation(p.scheduleIn.imbalancePenalty);
  const penaltyOut =
    p.scheduleOut.imbalancePenalty === null
      ? penaltyInterpolation([[0n, 0n], [balanceOut, 0n]])
      : penaltyInterpolation(p.scheduleOut.imbalancePenalty);

  // Candidate x values, clamped into [0, min(balance_out, receivable)], unique, sorted.
  const limit = balanceOut < receivable ? balanceOut : receivable;
  const unique = new Set<bigint>();
  const clampInto = (x: bigint) => unique.add(x < 0n ? 0n : x > limit ? limit : x);
  for (const x of penaltyIn.xs) clampInto(x.n - balanceIn); // penalty x values are integers
  for (const x of penaltyOut.xs) clampInto(balanceOut - x.n);
  const sorted = [...unique].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const xs: Rational[] = sorted.map(ratInt);

  // y(x) = incoming fee for x plus the outgoing fee at the fixed amount.
  const outgoing = sideFee(p.scheduleOut, penaltyOut, balanceOut, ratInt(-amount));
  if (outgoing === null) return null;
  const ys: Rational[] = [];
  for (const x of xs) {
    const incoming = sideFee(p.scheduleIn, penaltyIn, balanceIn, x);
    if (incoming === null) return null;
    ys.push(add(incoming, outgoing));
  }

  if (p.capFees) capFees(xs, ys);

  const f = interpolation(xs, ys);
  if (f === null) return null;
  const result = intersection(f, ratInt(amount));
  if (result === null || result.n <= 0n) return null;
  return roundHalfEven(result);
}

/**
 * Inserts the zero crossings and clamps negative fees to zero, in place. Reproduces the
 * reference loop exactly: it iterates over the ORIGINAL number of pairs while inserting
 * into the list it iterates, so each insertion shifts the window and the last pairs can go
 * unexamined. Answers depend on this, so it is kept.
 */
function capFees(xs: Rational[], ys: Rational[]): void {
  const pairs = xs.length - 1;
  for (let i = 0; i < pairs; i++) {
    const y1 = ys[i]!;
    const y2 = ys[i + 1]!;
    if (sign(y1) * sign(y2) === -1) {
      const x1 = xs[i]!;
      const x2 = xs[i + 1]!;
      const newX = add(x1, mul(div(abs(y1), abs(sub(y2, y1))), sub(x2, x1)));
      const at = bisectRight(xs, newX);
      xs.splice(at, 0, newX);
      ys.splice(at, 0, ZERO);
    }
  }
  for (let i = 0; i < ys.length; i++) ys[i] = max(ys[i]!, ZERO);
}

/**
 * Where the fee function meets the line x - a (the reference's `find_intersection`),
 * including its index -1 wrap-around when the first point already satisfies the relation.
 */
function intersection(f: Interpolation, amount: Rational): Rational | null {
  const n = f.xs.length;
  const at = (i: number) => (i < 0 ? n + i : i);
  const line = (i: number) => sub(f.xs[at(i)]!, amount);
  let i = 0;
  let y = f.ys[0]!;
  const below = cmp(y, line(0)) < 0;
  while (below ? cmp(y, line(i)) < 0 : cmp(y, line(i)) > 0) {
    i += 1;
    if (i === n) return null; // not enough capacity
    y = f.ys[i]!;
  }
  const x1 = f.xs[at(i - 1)]!;
  const x2 = f.xs[i]!;
  const yf1 = f.ys[at(i - 1)]!;
  const yf2 = f.ys[i]!;
  const yl1 = line(i - 1);
  const yl2 = line(i);
  return add(div(mul(sub(yl1, yf1), sub(x2, x1)), sub(sub(yf2, yf1), sub(yl2, yl1))), x1);
}

