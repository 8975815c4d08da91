/**
 * Min-heap of (dist, seq, node) entries ordered by dist, then seq. Sequence numbers are
 * unique, so any correct priority queue pops in the same order as Python's heapq with the
 * reference's tuples (spec §3.5): what matters is the push order, not the heap's shape.
 *
 * An entry may be provisional: its key is a lower bound of `base + weight(edge)`, refined
 * in stages only when the entry reaches the top (see BidirectionalDijkstra). `edge` is -1
 * for exact entries; `stage` counts refinements.
 *
 * Layout: one Float64Array, four doubles per entry (32 bytes, two entries per cache line):
 * key, seq * 2^21 + node (ordering by it orders by seq, which is unique), base, and
 * (edge + 1) * 4 + stage. Node ids stay below 2^21 (MAX_NODES_PER_NETWORK) and sequence
 * numbers below 2^31, so the packed values are exact. Grows and is reused across searches.
 */
const NODE_SPAN = 2097152; // 2^21

export class DistHeap {
  private a = new Float64Array(4 * 1024);
  size = 0;

  /** Empties the heap without releasing memory. */
  clear(): void {
    this.size = 0;
  }

  /** Adds an entry; `edge` -1 marks an exact key. */
  push(key: number, seq: number, node: number, base: number, edge: number, stage = 0): void {
    if (4 * (this.size + 1) > this.a.length) this.grow();
    const a = this.a;
    const sn = seq * NODE_SPAN + node;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = a[4 * parent]!;
      if (pk < key || (pk === key && a[4 * parent + 1]! < sn)) break;
      a[4 * i] = pk;
      a[4 * i + 1] = a[4 * parent + 1]!;
      a[4 * i + 2] = a[4 * parent + 2]!;
      a[4 * i + 3] = a[4 * parent + 3]!;
      i = parent;
    }
    a[4 * i] = key;
    a[4 * i + 1] = sn;
    a[4 * i + 2] = base;
    a[4 * i + 3] = (edge + 1) * 4 + stage;
  }

  /** Key of the smallest entry (heap must be non-empty). */
  topKey(): number {
    return this.a[0]!;
  }

  /** Sequence number of the smallest entry. */
  topSeq(): number {
    return Math.floor(this.a[1]! / NODE_SPAN);
  }

  /** Node of the smallest entry. */
  topNode(): number {
    const sn = this.a[1]!;
    return sn - Math.floor(sn / NODE_SPAN) * NODE_SPAN; // a double's % is a slow fmod
  }

  /** Base distance of the smallest entry (provisional entries). */
  topBase(): number {
    return this.a[2]!;
  }

  /** Edge of the smallest entry, -1 when its key is exact. */
  topEdge(): number {
    return (this.a[3]! >> 2) - 1;
  }

  /** Refinement stage of the smallest entry. */
  topStage(): number {
    return this.a[3]! & 3;
  }

  /**
   * Replaces the top's key by a larger-or-equal one: exact when `exact`, otherwise a
   * tighter lower bound at the next stage; restores order.
   */
  settleTop(key: number, exact: boolean): void {
    const a = this.a;
    const sn = a[1]!;
    if (exact) this.siftDown(key, sn, 0, 0, this.size);
    else this.siftDown(key, sn, a[2]!, a[3]! + 1, this.size);
  }

  /** Removes the smallest entry. */
  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const a = this.a;
    this.siftDown(a[4 * last]!, a[4 * last + 1]!, a[4 * last + 2]!, a[4 * last + 3]!, last);
  }

  /**
   * Appends to `out` the node of every entry whose key is <= `limit` (stale entries too),
   * visiting at most `cap` entries; false when there were more.
   */
  nodesUpTo(limit: number, cap: number, out: number[]): boolean {
    const a = this.a;
    if (this.size === 0 || !(a[0]! <= limit)) return true;
    const stack = [0];
    let visited = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (++visited > cap) return false;
      const sn = a[4 * i + 1]!;
      out.push(sn - Math.floor(sn / NODE_SPAN) * NODE_SPAN);
      const left = 2 * i + 1;
      if (left < this.size && a[4 * left]! <= limit) stack.push(left);
      if (left + 1 < this.size && a[4 * left + 4]! <= limit) stack.push(left + 1);
    }
    return true;
  }

  private siftDown(key: number, sn: number, base: number, edgeStage: number, size: number): void {
    const a = this.a;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let ck = a[4 * child]!;
      const right = child + 1;
      if (right < size) {
        const rk = a[4 * right]!;
        if (rk < ck || (rk === ck && a[4 * right + 1]! < a[4 * child + 1]!)) {
          child = right;
          ck = rk;
        }
      }
      if (key < ck || (key === ck && sn < a[4 * child + 1]!)) break;
      a[4 * i] = ck;
      a[4 * i + 1] = a[4 * child + 1]!;
      a[4 * i + 2] = a[4 * child + 2]!;
      a[4 * i + 3] = a[4 * child + 3]!;
      i = child;
    }
    a[4 * i] = key;
    a[4 * i + 1] = sn;
    a[4 * i + 2] = base;
    a[4 * i + 3] = edgeStage;
  }

  private grow(): void {
    const b = new Float64Array(this.a.length * 2);
    b.set(this.a);
    this.a = b;
  }
}
