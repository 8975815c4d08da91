/**
 * Min-heap of (dist, seq, node) entries ordered by dist, then seq. Sequence numbers are
 * unique, so any correct priority queue pops in the same order as Python's heapq with the
 * reference's tuples (spec §3.5): what matters is the push order, not the heap's shape.
 *
 * An entry may be provisional: its key is a lower bound of `base + weight(edge)`, refined
 * in stages only when the entry reaches the top (see BidirectionalDijkstra). `edge` is -1
 * for exact entries; `stage` counts refinements. Backed by typed arrays that grow and are
 * reused across searches.
 */
export class DistHeap {
  private key = new Float64Array(256);
  private seq = new Float64Array(256);
  private node = new Int32Array(256);
  private base = new Float64Array(256);
  private edge = new Int32Array(256);
  private stage = new Int8Array(256);
  size = 0;

  /** Empties the heap without releasing memory. */
  clear(): void {
    this.size = 0;
  }

  /** Adds an entry; `edge` -1 marks an exact key. */
  push(key: number, seq: number, node: number, base: number, edge: number, stage = 0): void {
    if (this.size === this.key.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = this.key[parent]!;
      if (pk < key || (pk === key && this.seq[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, key, seq, node, base, edge, stage);
  }

  /** Key of the smallest entry (heap must be non-empty). */
  topKey(): number {
    return this.key[0]!;
  }

  /** Sequence number of the smallest entry. */
  topSeq(): number {
    return this.seq[0]!;
  }

  /** Node of the smallest entry. */
  topNode(): number {
    return this.node[0]!;
  }

  /** Base distance of the smallest entry (provisional entries). */
  topBase(): number {
    return this.base[0]!;
  }

  /** Edge of the smallest entry, -1 when its key is exact. */
  topEdge(): number {
    return this.edge[0]!;
  }

  /** Refinement stage of the smallest entry. */
  topStage(): number {
    return this.stage[0]!;
  }

  /**
   * Replaces the top's key by a larger-or-equal one: exact when `exact`, otherwise a
   * tighter lower bound at the next stage; restores order.
   */
  settleTop(key: number, exact: boolean): void {
    const seq = this.seq[0]!;
    const node = this.node[0]!;
    if (exact) this.siftDown(0, key, seq, node, 0, -1, 0, this.size);
    else this.siftDown(0, key, seq, node, this.base[0]!, this.edge[0]!, this.stage[0]! + 1, this.size);
  }

  /** Removes the smallest entry. */
  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    this.siftDown(0, this.key[last]!, this.seq[last]!, this.node[last]!, this.base[last]!, this.edge[last]!, this.stage[last]!, last);
  }

  private siftDown(start: number, key: number, seq: number, node: number, base: number, edge: number, stage: number, size: number): void {
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size) {
        const ck = this.key[child]!;
        const rk = this.key[right]!;
        if (rk < ck || (rk === ck && this.seq[right]! < this.seq[child]!)) child = right;
      }
      const ck = this.key[child]!;
      if (key < ck || (key === ck && seq < this.seq[child]!)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, key, seq, node, base, edge, stage);
  }

  private move(from: number, to: number): void {
    this.key[to] = this.key[from]!;
    this.seq[to] = this.seq[from]!;
    this.node[to] = this.node[from]!;
    this.base[to] = this.base[from]!;
    this.edge[to] = this.edge[from]!;
    this.stage[to] = this.stage[from]!;
  }

  private set(i: number, key: number, seq: number, node: number, base: number, edge: number, stage: number): void {
    this.key[i] = key;
    this.seq[i] = seq;
    this.node[i] = node;
    this.base[i] = base;
    this.edge[i] = edge;
    this.stage[i] = stage;
  }

  private grow(): void {
    const n = this.key.length * 2;
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.key = grow64(this.key);
    this.seq = grow64(this.seq);
    this.node = grow32(this.node);
    this.base = grow64(this.base);
    this.edge = grow32(this.edge);
    const stage = new Int8Array(n);
    stage.set(this.stage);
    this.stage = stage;
  }
}
