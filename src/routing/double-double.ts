/**
 * Double-double arithmetic with an absolute error bound, on scalars, for the weight-fee
 * kernel (weight-fee-fast.ts). No objects: each operation writes its result to the
 * registers (OUT[OH], OUT[OL], OUT[OE]). Error model: every inexact operation adds
 * REL * |result| plus the propagated errors, inflated by 1 + 2^-40; integers below 2^100
 * are exact (error 0).
 */

/** Values at or above this are not exact as double-doubles here. */
export const DD_LIMIT_BIG = 1n << 100n;

/** High part of the double-double of an integer below 2^100. */
export function ddHi(v: bigint): number {
  return Number(v);
}

/** Low part of the double-double of an integer below 2^100. */
export function ddLo(v: bigint): number {
  return Number(v - BigInt(Number(v)));
}

const REL = 2 ** -100;
const INFLATE = 1 + 2 ** -40;
const SPLITTER = 134217729; // 2^27 + 1
const DD_LIMIT = 2 ** 100;

/**
 * Result registers: hi, lo, error of the last operation; (rh, rl) of `remainder`. A typed
 * array, because module-level `let` doubles would be boxed on every write.
 */
export const OUT = new Float64Array(5);
export const OH = 0;
export const OL = 1;
export const OE = 2;
const RH = 3;
const RL = 4;

function isIntDD(h: number, l: number, e: number): boolean {
  return e === 0 && Number.isInteger(h) && Number.isInteger(l);
}

export function ddAdd(xh: number, xl: number, xe: number, yh: number, yl: number, ye: number): void {
  let s = xh + yh;
  let b = s - xh;
  let s2 = xh - (s - b) + (yh - b);
  const t = xl + yl;
  b = t - xl;
  const t2 = xl - (t - b) + (yl - b);
  s2 += t;
  let h = s + s2;
  s2 = s2 - (h - s);
  s = h;
  s2 += t2;
  h = s + s2;
  const lo = s2 - (h - s);
  OUT[OH] = h;
  OUT[OL] = lo;
  const exact = isIntDD(xh, xl, xe) && isIntDD(yh, yl, ye) && Math.abs(h) < DD_LIMIT && Number.isInteger(lo);
  OUT[OE] = exact ? 0 : (xe + ye + (Math.abs(h) + Math.abs(lo)) * REL) * INFLATE;
}

export function ddSub(xh: number, xl: number, xe: number, yh: number, yl: number, ye: number): void {
  ddAdd(xh, xl, xe, -yh, -yl, ye);
}

export function ddMul(xh: number, xl: number, xe: number, yh: number, yl: number, ye: number): void {
  const p = xh * yh;
  let q = productError(xh, yh, p);
  q += xh * yl + xl * yh;
  const hi = p + q;
  const lo = q - (hi - p);
  OUT[OH] = hi;
  OUT[OL] = lo;
  const exact = xe === 0 && ye === 0 && xl === 0 && yl === 0 && Number.isInteger(xh) && Number.isInteger(yh) &&
    Math.abs(xh) * Math.abs(yh) < DD_LIMIT;
  if (exact) {
    OUT[OE] = 0;
    return;
  }
  const mx = Math.abs(xh) + Math.abs(xl);
  const my = Math.abs(yh) + Math.abs(yl);
  OUT[OE] = (mx * ye + my * xe + xe * ye + (Math.abs(hi) + Math.abs(lo)) * REL) * INFLATE;
}

/** a * b - p exactly, for p = fl(a * b) (Dekker's product with Veltkamp splitting). */
function productError(a: number, b: number, p: number): number {
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** (xh + xl) - q * (yh + yl), written to OUT[RH], OUT[RL]. */
function remainder(xh: number, xl: number, q: number, yh: number, yl: number): void {
  const p = q * yh;
  const pe = productError(q, yh, p) + q * yl;
  const s = xh - p;
  const b = s - xh;
  const s2 = xh - (s - b) + (-p - b) + (xl - pe);
  const h = s + s2;
  OUT[RH] = h;
  OUT[RL] = s2 - (h - s);
}

/** x / y; false when y is not certainly non-zero. */
export function ddDiv(xh: number, xl: number, xe: number, yh: number, yl: number, ye: number): boolean {
  const my = Math.abs(yh) + Math.abs(yl);
  if (!(my > 2 * ye) || yh === 0) return false;
  const q1 = xh / yh;
  remainder(xh, xl, q1, yh, yl);
  const q2 = OUT[RH]! / yh;
  remainder(OUT[RH]!, OUT[RL]!, q2, yh, yl);
  const q3 = OUT[RH]! / yh;
  let h = q1 + q2;
  let l = q2 - (h - q1);
  const h2 = h + (l + q3);
  l = l + q3 - (h2 - h);
  h = h2;
  const hi = h + l;
  const lo = l - (hi - h);
  const mq = Math.abs(hi) + Math.abs(lo);
  OUT[OH] = hi;
  OUT[OL] = lo;
  OUT[OE] = ((xe + mq * ye) / (my - ye) + mq * REL) * INFLATE;
  return true;
}

/** Certain sign: -1, 0 (exactly zero only), 1; or 2 when uncertain. */
export function ddSign(h: number, l: number, e: number): number {
  const positive = h > 0 || (h === 0 && l > 0);
  if (e === 0) return positive ? 1 : h === 0 && l === 0 ? 0 : -1;
  if (Math.abs(h) + Math.abs(l) <= e) return 2;
  return positive ? 1 : -1;
}

/** Exact comparison of exact double-doubles. */
export function ddCmpExact(xh: number, xl: number, yh: number, yl: number): number {
  return xh < yh ? -1 : xh > yh ? 1 : xl < yl ? -1 : xl > yl ? 1 : 0;
}

/** Rounds half to even into (OUT[OH]!, OUT[OL]!) exactly; false when not certain. */
export function ddRoundHalfEven(h: number, l: number, e: number): boolean {
  if (Math.abs(h) >= DD_LIMIT) return false;
  const base = Math.floor(h);
  const frac = h - base + l;
  const k = Math.floor(frac);
  const rest = frac - k;
  const margin = e + 2 ** -40;
  let up: boolean;
  if (rest < 0.5 - margin) up = false;
  else if (rest > 0.5 + margin) up = true;
  else return false;
  const add1 = k + (up ? 1 : 0);
  const s = base + add1;
  const sb = s - base;
  const t = base - (s - sb) + (add1 - sb);
  OUT[OH] = s + t;
  OUT[OL] = t - (OUT[OH]! - s);
  OUT[OE] = 0;
  return true;
}
