/** FIFO of (push counter, node), reused across searches. */
export class SeqQueue {
  private seqs = new Int32Array(1024);
  private nodes = new Int32Array(1024);
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  clear(): void {
    this.head = 0;
    this.tail = 0;
  }

  push(seq: number, node: number): void {
    if (this.tail === this.seqs.length) {
      const seqs = new Int32Array(this.seqs.length * 2);
      seqs.set(this.seqs);
      this.seqs = seqs;
      const nodes = new Int32Array(this.nodes.length * 2);
      nodes.set(this.nodes);
      this.nodes = nodes;
    }
    this.seqs[this.tail] = seq;
    this.nodes[this.tail++] = node;
  }

  headSeq(): number {
    return this.seqs[this.head]!;
  }

  /** Removes the oldest entry and returns its node. */
  pop(): number {
    return this.nodes[this.head++]!;
  }
}
