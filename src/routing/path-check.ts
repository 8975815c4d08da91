import type { EdgeWeights } from './edge-weights.ts';
import { amountWithFees, mediatorCapsFees } from './fees.ts';

/**
 * Path validity and fee estimate (spec §3.6, §4.4), on the request's consistent copy of
 * the edges. Returns the estimated fee, or null when the reference would reject the path.
 */
export function checkPath(w: EdgeWeights, nodes: readonly number[], slots: readonly number[]): bigint | null {
  // 1. every hop carries the value itself (fees are not counted here)
  for (const e of slots) if (!w.carriesValue(e)) return null;

  // 2. the backward fee calculation succeeds for every mediator, target first
  let total = w.value;
  let fee = 0n;
  for (let j = nodes.length - 2; j >= 1; j--) {
    const incoming = slots[j - 1]!; // P -> M
    const outgoing = slots[j]!; // M -> N
    const scheduleIn = w.schedule(incoming ^ 1).schedule; // M's schedule on channel P-M
    const scheduleOut = w.schedule(outgoing).schedule; // M's schedule on channel M-N
    const withFees = amountWithFees({
      amount: total,
      balanceIn: w.capacity(incoming ^ 1),
      balanceOut: w.capacity(outgoing),
      receivable: w.capacity(incoming),
      scheduleIn,
      scheduleOut,
      capFees: mediatorCapsFees(scheduleIn, scheduleOut),
    });
    if (withFees === null) return null;
    fee += withFees - total;
    total = withFees;
  }

  // 3. every node has an online user: in this service that is exactly reachability
  for (const x of nodes) if (!w.view.isReachable(x)) return null;
  return fee;
}
