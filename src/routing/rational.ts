/**
 * Exact rational numbers over bigint, the counterpart of Python's `Fraction` in the
 * reference fee code (spec §4). Always normalised: gcd(n, d) = 1 and d > 0, so equality
 * is structural and numbers stay as small as the maths allows.
 */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

/** Thrown where Python would raise ZeroDivisionError; callers turn it into a value. */
export class RationalDivisionByZero extends Error {
  constructor() {
    super('rational division by zero');
  }
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Builds n/d in lowest terms. */
export function rat(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RationalDivisionByZero();
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  if (d === 1n) return { n, d };
  const g = gcd(n, d);
  return g === 1n ? { n, d } : { n: n / g, d: d / g };
}

/** The integer k as a rational. */
export function ratInt(k: bigint): Rational {
  return { n: k, d: 1n };
}

/** Zero. */
export const ZERO: Rational = { n: 0n, d: 1n };

/** a + b */
export function add(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return rat(a.n + b.n, a.d);
  return rat(a.n * b.d + b.n * a.d, a.d * b.d);
}

/** a - b */
export function sub(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return rat(a.n - b.n, a.d);
  return rat(a.n * b.d - b.n * a.d, a.d * b.d);
}

/** a * b */
export function mul(a: Rational, b: Rational): Rational {
  return rat(a.n * b.n, a.d * b.d);
}

/** a / b; throws RationalDivisionByZero when b is zero. */
export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RationalDivisionByZero();
  return rat(a.n * b.d, a.d * b.n);
}

/** -1, 0 or 1 as a compared with b. */
export function cmp(a: Rational, b: Rational): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Sign of a: -1, 0 or 1. */
export function sign(a: Rational): number {
  return a.n < 0n ? -1 : a.n > 0n ? 1 : 0;
}

/** |a| */
export function abs(a: Rational): Rational {
  return a.n < 0n ? { n: -a.n, d: a.d } : a;
}

/** The larger of a and b (a when equal), like Python's max(a, b). */
export function max(a: Rational, b: Rational): Rational {
  return cmp(b, a) > 0 ? b : a;
}

/** Rounds to the nearest integer, ties to even: Python's `round(Fraction)`. */
export function roundHalfEven(a: Rational): bigint {
  // floor division that rounds towards -infinity for negative numerators too
  let q = a.n / a.d;
  let r = a.n % a.d;
  if (r < 0n) {
    q -= 1n;
    r += a.d;
  }
  const twice = 2n * r;
  if (twice < a.d) return q;
  if (twice > a.d) return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}
