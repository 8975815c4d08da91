/**
 * Min-heap of (dist, seq, node) entries ordered by dist, then seq. Sequence numbers are
 * unique, so any correct priority queue pops in the same order as Python's heapq with the
 * reference's tuples (spec §3.5): what matters is the push order, not the heap's shape.
 * Backed by typed arrays that grow and are reused across searches.
 */
export class DistHeap {
  private dist = new Float64Array(256);
  private seq = new Float64Array(256);
  private node = new Int32Array(256);
  size = 0;

  /** Empties the heap without releasing memory. */
  clear(): void {
    this.size = 0;
  }

  /** Adds an entry. */
  push(dist: number, seq: number, node: number): void {
    if (this.size === this.dist.length) this.grow();
    let i = this.size++;
    // sift up
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pd = this.dist[parent]!;
      if (pd < dist || (pd === dist && this.seq[parent]! < seq)) break;
      this.dist[i] = pd;
      this.seq[i] = this.seq[parent]!;
      this.node[i] = this.node[parent]!;
      i = parent;
    }
    this.dist[i] = dist;
    this.seq[i] = seq;
    this.node[i] = node;
  }

  /** Distance of the smallest entry (heap must be non-empty). */
  topDist(): number {
    return this.dist[0]!;
  }

  /** Node of the smallest entry (heap must be non-empty). */
  topNode(): number {
    return this.node[0]!;
  }

  /** Removes the smallest entry. */
  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const dist = this.dist[last]!;
    const seq = this.seq[last]!;
    const node = this.node[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last) {
        const cd = this.dist[child]!;
        const rd = this.dist[right]!;
        if (rd < cd || (rd === cd && this.seq[right]! < this.seq[child]!)) child = right;
      }
      const cd = this.dist[child]!;
      if (dist < cd || (dist === cd && seq < this.seq[child]!)) break;
      this.dist[i] = cd;
      this.seq[i] = this.seq[child]!;
      this.node[i] = this.node[child]!;
      i = child;
    }
    this.dist[i] = dist;
    this.seq[i] = seq;
    this.node[i] = node;
  }

  private grow(): void {
    const n = this.dist.length * 2;
    const dist = new Float64Array(n);
    dist.set(this.dist);
    const seq = new Float64Array(n);
    seq.set(this.seq);
    const node = new Int32Array(n);
    node.set(this.node);
    this.dist = dist;
    this.seq = seq;
    this.node = node;
  }
}
