/**
 * Double-double numbers (about 106 bits of precision) that carry a rigorous bound on
 * their absolute error. Used to decide edge-weight fees without BigInt: every comparison
 * and rounding asks `certain...` first, and the caller falls back to exact arithmetic
 * whenever a decision is within the error bound. Integers below 2^100 are represented
 * exactly (error 0).
 *
 * Error model: each operation adds REL * |result| (REL = 2^-100 covers the few-u^2
 * relative error of the double-double algorithms used here, u = 2^-53, with a wide
 * margin) plus the propagated input errors; bounds are inflated by 1 + 2^-40 to cover the
 * rounding of the bound computation itself. The error-free transformations (two-sum,
 * Dekker's two-product) are written out inline: this code runs per edge on the search's
 * hot path, where returning tuples would allocate.
 */

/** hi + lo with |lo| <= ulp(hi) / 2, and an absolute error bound e >= 0. */
export interface DD {
  readonly hi: number;
  readonly lo: number;
  readonly e: number;
}

const REL = 2 ** -100;
const INFLATE = 1 + 2 ** -40;
const SPLITTER = 134217729; // 2^27 + 1
/** Integers at or above this are not represented (callers fall back to BigInt). */
export const DD_INTEGER_LIMIT = 2 ** 100;

/** The exact double-double of a non-negative integer bigint below 2^100, else null. */
export function ddFromBigInt(v: bigint): DD | null {
  if (v < 0n || v >= 1n << 100n) return null;
  const hi = Number(v);
  const lo = Number(v - BigInt(hi));
  return { hi, lo, e: 0 };
}

/** The exact double-double of a double. */
export function dd(x: number): DD {
  return { hi: x, lo: 0, e: 0 };
}

/** Exact double-double of a uint in little-endian 32-bit words, or null at or above 2^96. */
export function ddFromWords(words: Uint32Array, at: number): DD | null {
  for (let k = 3; k < 8; k++) if (words[at + k] !== 0) return null;
  // a = w1 * 2^32 + w0 (< 2^64) as an exact sum of two doubles, then add w2 * 2^64
  const x = words[at + 1]! * 4294967296;
  const y = words[at]!;
  const s = x + y;
  const sb = s - x;
  const t = x - (s - sb) + (y - sb);
  const top = words[at + 2]! * 18446744073709551616;
  const h = top + s;
  const hb = h - top;
  const l = top - (h - hb) + (s - hb) + t;
  const hi = h + l;
  return { hi, lo: l - (hi - h), e: 0 };
}

function isInt(x: DD): boolean {
  return x.e === 0 && Number.isInteger(x.hi) && Number.isInteger(x.lo);
}

/** x + y (accurate double-double addition). */
export function add(x: DD, y: DD): DD {
  // two-sum of the high parts and of the low parts
  let s = x.hi + y.hi;
  let b = s - x.hi;
  let s2 = x.hi - (s - b) + (y.hi - b);
  const t = x.lo + y.lo;
  b = t - x.lo;
  const t2 = x.lo - (t - b) + (y.lo - b);
  s2 += t;
  let h = s + s2;
  s2 = s2 - (h - s);
  s = h;
  s2 += t2;
  h = s + s2;
  const lo = s2 - (h - s);
  const hi = h;
  const exact = isInt(x) && isInt(y) && Math.abs(hi) < DD_INTEGER_LIMIT && Number.isInteger(lo);
  return { hi, lo, e: exact ? 0 : (x.e + y.e + (Math.abs(hi) + Math.abs(lo)) * REL) * INFLATE };
}

/** x - y */
export function sub(x: DD, y: DD): DD {
  return add(x, { hi: -y.hi, lo: -y.lo, e: y.e });
}

/** x * y */
export function mul(x: DD, y: DD): DD {
  const p = x.hi * y.hi;
  let c = SPLITTER * x.hi;
  const ah = c - (c - x.hi);
  const al = x.hi - ah;
  c = SPLITTER * y.hi;
  const bh = c - (c - y.hi);
  const bl = y.hi - bh;
  let q = ah * bh - p + ah * bl + al * bh + al * bl;
  q += x.hi * y.lo + x.lo * y.hi;
  const hi = p + q;
  const lo = q - (hi - p);
  const exact = x.e === 0 && y.e === 0 && x.lo === 0 && y.lo === 0 && Number.isInteger(x.hi) && Number.isInteger(y.hi) &&
    Math.abs(x.hi) * Math.abs(y.hi) < DD_INTEGER_LIMIT;
  if (exact) return { hi, lo, e: 0 };
  const mx = Math.abs(x.hi) + Math.abs(x.lo);
  const my = Math.abs(y.hi) + Math.abs(y.lo);
  return { hi, lo, e: (mx * y.e + my * x.e + x.e * y.e + (Math.abs(hi) + Math.abs(lo)) * REL) * INFLATE };
}

/** r - q * y for a double q, as the (hi, lo) of the remainder, written into `out`. */
function remainder(rhi: number, rlo: number, q: number, y: DD, out: Float64Array): void {
  // p = q * y exactly enough: two-product of q and y.hi, plus q * y.lo
  const p = q * y.hi;
  let c = SPLITTER * q;
  const ah = c - (c - q);
  const al = q - ah;
  c = SPLITTER * y.hi;
  const bh = c - (c - y.hi);
  const bl = y.hi - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl + q * y.lo;
  // (rhi + rlo) - (p + pe)
  const s = rhi - p;
  const b = s - rhi;
  const s2 = rhi - (s - b) + (-p - b) + (rlo - pe);
  const h = s + s2;
  out[0] = h;
  out[1] = s2 - (h - s);
}

const scratch = new Float64Array(2);

/** x / y, or null when y is not certainly non-zero. */
export function div(x: DD, y: DD): DD | null {
  const my = Math.abs(y.hi) + Math.abs(y.lo);
  if (!(my > 2 * y.e) || y.hi === 0) return null;
  const q1 = x.hi / y.hi;
  remainder(x.hi, x.lo, q1, y, scratch);
  const q2 = scratch[0]! / y.hi;
  remainder(scratch[0]!, scratch[1]!, q2, y, scratch);
  const q3 = scratch[0]! / y.hi;
  let h = q1 + q2;
  let l = q2 - (h - q1);
  const h2 = h + (l + q3);
  l = l + q3 - (h2 - h);
  h = h2;
  const hi = h + l;
  const lo = l - (hi - h);
  const mq = Math.abs(hi) + Math.abs(lo);
  return { hi, lo, e: ((x.e + mq * y.e) / (my - y.e) + mq * REL) * INFLATE };
}

/** |x| */
export function abs(x: DD): DD {
  return x.hi < 0 || (x.hi === 0 && x.lo < 0) ? { hi: -x.hi, lo: -x.lo, e: x.e } : x;
}

/** Certain sign of x: -1, 0 (only when x is exactly 0), 1; or null when uncertain. */
export function certainSign(x: DD): number | null {
  const positive = x.hi > 0 || (x.hi === 0 && x.lo > 0);
  if (x.e === 0) return positive ? 1 : x.hi === 0 && x.lo === 0 ? 0 : -1;
  if (Math.abs(x.hi) + Math.abs(x.lo) <= x.e) return null;
  return positive ? 1 : -1;
}

/** Certain comparison of x with y: -1, 0 (exact equality only), 1; or null. */
export function certainCompare(x: DD, y: DD): number | null {
  return certainSign(sub(x, y));
}

/**
 * Rounds x to the nearest integer, ties to even, if the result is certain; returns the
 * integer as an exact double-double, or null when x is too close to a half-integer (or
 * not representable) to be sure.
 */
export function certainRoundHalfEven(x: DD): DD | null {
  if (Math.abs(x.hi) >= DD_INTEGER_LIMIT) return null;
  const base = Math.floor(x.hi);
  const frac = x.hi - base + x.lo; // in about [-0.5, 1.5); error below 2^-50
  const k = Math.floor(frac);
  const rest = frac - k; // [0, 1)
  const margin = x.e + 2 ** -40;
  let up: boolean;
  if (rest < 0.5 - margin) up = false;
  else if (rest > 0.5 + margin) up = true;
  else return null;
  const add1 = k + (up ? 1 : 0);
  const h = base + add1;
  const hb = h - base;
  const l = base - (h - hb) + (add1 - hb);
  const hi = h + l;
  return { hi, lo: l - (hi - h), e: 0 };
}
