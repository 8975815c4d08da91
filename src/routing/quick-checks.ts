import type { Address } from '../domain/index.ts';
import type { EdgeWeights } from './edge-weights.ts';

/**
 * The feasibility checks the reference runs on the full graph before searching (spec §3.7),
 * with its exact messages. Returns the reason of the first failing check, or null.
 * `reachable` answers for any address, also one that is not a node of this network.
 */
export function quickCheck(
  w: EdgeWeights,
  source: Address,
  target: Address,
  reachable: (address: Address) => boolean,
): string | null {
  if (!reachable(source)) return 'Source not online';
  if (!reachable(target)) return 'Target not online';
  const topology = w.view.topology;
  const s = topology.nodeOf(source);
  const t = topology.nodeOf(target);
  if (s < 0 || degree(w, s) === 0) return 'No channel from source';
  if (t < 0 || degree(w, t) === 0) return 'No channel to target';

  const sourceCapacities = edgesInGraphOrder(w, s).map((e) => w.capacity(e));
  if (maxOf(sourceCapacities) < w.value) {
    return (
      'Source does not have a channel with sufficient capacity ' +
      `(current capacities: ${pythonList(sourceCapacities)} < requested amount:  ${w.value})`
    );
  }
  // in-edges of the target: the reverse direction of each of its edges
  const targetCapacities = edgesInGraphOrder(w, t).map((e) => w.capacity(e ^ 1));
  if (maxOf(targetCapacities) < w.value) {
    return `Target does not have a channel with sufficient capacity (${pythonList(targetCapacities)} < ${w.value})`;
  }
  if (topology.component[s] !== topology.component[t]) return 'No route from source to target';
  return null;
}

function degree(w: EdgeWeights, node: number): number {
  const start = w.view.topology.adjStart;
  return start[node + 1]! - start[node]!;
}

/**
 * Out-edges of a node in the full graph's adjacency order (the order their pair edges
 * were added), which is the order the reference lists capacities in.
 */
function edgesInGraphOrder(w: EdgeWeights, node: number): number[] {
  const t = w.view.topology;
  const entries: number[] = [];
  for (let k = t.adjStart[node]!; k < t.adjStart[node + 1]!; k++) entries.push(k);
  entries.sort((a, b) => t.adjSeq[a]! - t.adjSeq[b]!);
  return entries.map((k) => t.adjSlot[k]!);
}

function maxOf(values: readonly bigint[]): bigint {
  let best = values[0]!;
  for (const v of values) if (v > best) best = v;
  return best;
}

/** Python's repr of a list of ints. */
function pythonList(values: readonly bigint[]): string {
  return `[${values.join(', ')}]`;
}
