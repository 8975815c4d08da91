import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DistHeap } from '../../src/routing/heap.ts';
import { Random } from '../helpers/random.ts';

describe('DistHeap', () => {
  test('pops by (key, push counter), like heapq with the reference tuples', () => {
    const rng = new Random(5);
    const heap = new DistHeap();
    const entries: { key: number; seq: number; node: number }[] = [];
    for (let seq = 0; seq < 500; seq++) {
      const key = rng.int(0, 20) / 4;
      entries.push({ key, seq, node: seq % 97 });
      heap.push(key, seq, seq % 97, 0, -1);
    }
    entries.sort((a, b) => a.key - b.key || a.seq - b.seq);
    for (const e of entries) {
      assert.equal(heap.topKey(), e.key);
      assert.equal(heap.topSeq(), e.seq);
      assert.equal(heap.topNode(), e.node);
      heap.pop();
    }
    assert.equal(heap.size, 0);
  });

  test('nodesUpTo lists every entry with a key up to the limit, and reports a cap it hits', () => {
    const rng = new Random(9);
    const heap = new DistHeap();
    const keys: number[] = [];
    for (let seq = 0; seq < 300; seq++) {
      const key = rng.int(0, 10);
      keys.push(key);
      heap.push(key, seq, seq, 0, -1);
    }
    for (const limit of [-1, 0, 3, 9, 10]) {
      const out: number[] = [];
      assert.equal(heap.nodesUpTo(limit, 1000, out), true);
      const expected = keys.flatMap((k, node) => (k <= limit ? [node] : []));
      assert.deepEqual(out.sort((a, b) => a - b), expected);
    }
    const few: number[] = [];
    const within = keys.filter((k) => k <= 5).length;
    assert.equal(heap.nodesUpTo(5, within - 1, few), false);
    assert.equal(heap.nodesUpTo(5, within, []), true);
  });
});
