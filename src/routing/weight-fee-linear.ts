/** The weight is infinite (the fee function is undefined). */
export const FEE_INFINITE = -1;
/** Not decided here; use the exact routine. */
export const FEE_UNDECIDED = -2;

const LIMB = 2147483648; // 2^31
const TWO52 = 4503599627370496;

/**
 * Closed form for flat + proportional schedules: with M = 1e6 * (flat_in + flat_out) +
 * (p_in + p_out) * a and D = 1e6 - p_in, the fee is round_half_even(a + M / D) - a,
 * defined iff 0 < c, a <= c, D > 0 and M <= D * (c - a). Limbs are base 2^31: the amount
 * is (aH, aL), the capacity (cH, cL), flat_in + flat_out (fH, fL); each proportional is
 * below 2^20, so every intermediate stays an exact integer below 2^53.
 */
export function linearWeightFee(aH: number, aL: number, cH: number, cL: number, fH: number, fL: number, pIn: number, pOut: number): number {
  if (cH === 0 && cL === 0) return FEE_INFINITE;
  if (cH < aH || (cH === aH && cL < aL)) return FEE_INFINITE;
  const d = 1e6 - pIn;
  if (d <= 0) return FEE_INFINITE;
  const p = pIn + pOut; // < 2^21
  // M in limbs: low part < 2^52 + 2^52, high part checked below
  let mL = 1e6 * fL + p * aL;
  let mH = 1e6 * fH + p * aH;
  const carry = Math.floor(mL / LIMB);
  mL -= carry * LIMB;
  mH += carry;
  if (!(mH < TWO52)) return FEE_UNDECIDED;
  // q = floor(M / D), r = M mod D, by long division over the two limbs
  let qH = Math.floor(mH / d);
  let r = mH - qH * d;
  if (r < 0) {
    qH--;
    r += d;
  } else if (r >= d) {
    qH++;
    r -= d;
  }
  const tail = r * LIMB + mL; // < 2^20 * 2^31 + 2^31
  let qL = Math.floor(tail / d);
  r = tail - qL * d;
  if (r < 0) {
    qL--;
    r += d;
  } else if (r >= d) {
    qL++;
    r -= d;
  }
  const spill = Math.floor(qL / LIMB);
  qH += spill;
  qL -= spill * LIMB;
  // defined iff M <= D * (c - a), i.e. q < c - a, or q == c - a with no remainder
  let kL = cL - aL;
  let kH = cH - aH;
  if (kL < 0) {
    kL += LIMB;
    kH--;
  }
  if (qH > kH || (qH === kH && (qL > kL || (qL === kL && r > 0)))) return FEE_INFINITE;
  // round half to even of a + M / D (a is an integer; parity of a + q decides a tie)
  const twice = 2 * r;
  const up = twice > d || (twice === d && (aL + qL) % 2 === 1) ? 1 : 0;
  return qH * LIMB + (qL + up); // one rounding: Number(fee)
}

