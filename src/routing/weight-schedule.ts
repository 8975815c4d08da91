import type { DecodedSchedule, FeeSchedule } from '../graph/index.ts';
import { DD_LIMIT_BIG, ddHi, ddLo } from './double-double.ts';

const LIMB_MASK = 2147483647n; // 2^31 - 1

/** Numeric form of one fee schedule, derived once per decoded schedule. */
export interface WeightSchedule {
  /** Flat and proportional as 31-bit limbs (flat < 2^84, proportional < 2^20). */
  readonly limbsOk: boolean;
  readonly flatH: number;
  readonly flatL: number;
  readonly prop: number;
  /** Flat, proportional and every curve point are integers below 2^100 (exact double-doubles). */
  readonly ddOk: boolean;
  readonly flatHi: number;
  readonly flatLo: number;
  readonly propHi: number;
  readonly propLo: number;
  /** Penalty curve as [xHi, xLo, yHi, yLo] per point, or null. */
  readonly curve: Float64Array | null;
  readonly points: number;
}

function toWeightSchedule(s: FeeSchedule): WeightSchedule {
  const limbsOk = s.flat < 1n << 84n && s.proportional < 1n << 20n;
  let ddOk = s.flat < DD_LIMIT_BIG && s.proportional < DD_LIMIT_BIG;
  let curve: Float64Array | null = null;
  const penalty = s.imbalancePenalty;
  if (penalty !== null) {
    curve = new Float64Array(penalty.length * 4);
    penalty.forEach(([x, y], i) => {
      if (x >= DD_LIMIT_BIG || y >= DD_LIMIT_BIG) {
        ddOk = false;
        return;
      }
      curve![4 * i] = ddHi(x);
      curve![4 * i + 1] = ddLo(x);
      curve![4 * i + 2] = ddHi(y);
      curve![4 * i + 3] = ddLo(y);
    });
  }
  return {
    limbsOk,
    flatH: limbsOk ? Number(s.flat >> 31n) : 0,
    flatL: limbsOk ? Number(s.flat & LIMB_MASK) : 0,
    prop: limbsOk ? Number(s.proportional) : 0,
    ddOk,
    flatHi: ddOk ? ddHi(s.flat) : 0,
    flatLo: ddOk ? ddLo(s.flat) : 0,
    propHi: ddOk ? ddHi(s.proportional) : 0,
    propLo: ddOk ? ddLo(s.proportional) : 0,
    curve,
    points: penalty === null ? 0 : penalty.length,
  };
}

/** The kernel form of a decoded schedule, computed once and kept on it. */
export function weightScheduleOf(decoded: DecodedSchedule): WeightSchedule {
  const d = decoded.derived as WeightSchedule | undefined;
  if (d !== undefined) return d;
  const w = toWeightSchedule(decoded.schedule);
  decoded.derived = w;
  return w;
}
