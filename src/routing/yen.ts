import type { BidirectionalDijkstra, Exclusions, WeightedPath } from './bidirectional-dijkstra.ts';
import type { EdgeWeights } from './edge-weights.ts';

/** Raised by the first search of a generator when source and target are not connected. */
export class NoPath extends Error {
  constructor() {
    super('no path');
  }
}

/** A candidate yielded by the generator, with its cost as networkx computed it. */
export interface Candidate extends WeightedPath {
  readonly key: string;
}

interface BufferEntry {
  readonly cost: number;
  readonly seq: number;
  readonly path: Candidate;
}

class TrieNode {
  readonly children = new Map<number, TrieNode>();
}

/** Node marks shared by all generators of one worker (reset by stamps). */
export class YenMarks {
  ignoreMark = new Int32Array(0);
  bannedMark = new Int32Array(0);
  private counter = 0;

  /** Makes room for `nodes` nodes. */
  ensure(nodes: number): void {
    if (nodes <= this.ignoreMark.length) return;
    const n = Math.max(nodes, this.ignoreMark.length * 2, 1024);
    this.ignoreMark = new Int32Array(n);
    this.bannedMark = new Int32Array(n);
    this.counter = 0;
  }

  /** A fresh id no mark currently carries. */
  nextId(): number {
    if (++this.counter === 0x7fffffff) {
      this.counter = 1;
      this.ignoreMark.fill(0);
      this.bannedMark.fill(0);
    }
    return this.counter;
  }
}

/** Key of a node list, for duplicate detection. */
export function pathKey(nodes: readonly number[]): string {
  return nodes.join(',');
}

/**
 * networkx 2.8.7 `shortest_simple_paths` with weights (spec §3.5 b), as a pull-based
 * generator. The candidate buffer orders by (cost, push counter) and refuses node lists it
 * currently holds; spur searches share one growing set of ignored nodes per step (not
 * reset per spur index, as in networkx); the ignored first hops for root r are the next
 * nodes of every yielded path that starts with r, found in a trie instead of a scan.
 */
export class YenGenerator {
  private readonly buffer: BufferEntry[] = [];
  private readonly inBuffer = new Set<string>();
  private readonly trie = new TrieNode();
  private counter = 0;
  private previous: Candidate | null = null;
  private started = false;
  private readonly weights: EdgeWeights;
  private readonly dijkstra: BidirectionalDijkstra;
  private readonly marks: YenMarks;
  private readonly source: number;
  private readonly target: number;

  constructor(weights: EdgeWeights, dijkstra: BidirectionalDijkstra, marks: YenMarks, source: number, target: number) {
    this.weights = weights;
    this.dijkstra = dijkstra;
    this.marks = marks;
    this.source = source;
    this.target = target;
    marks.ensure(weights.view.topology.nodeCount);
  }

  /** The next candidate, or null when exhausted. Throws NoPath from the first call only. */
  next(): Candidate | null {
    if (!this.started) {
      this.started = true;
      const first = this.dijkstra.search(this.weights, this.source, this.target, null);
      if (first === null) throw new NoPath();
      this.push(first.cost, first);
    } else if (this.previous !== null) {
      this.spurs(this.previous);
    }
    const entry = this.pop();
    if (entry === undefined) return null;
    this.insertIntoTrie(entry.path.nodes);
    this.previous = entry.path;
    return entry.path;
  }

  private spurs(prev: Candidate): void {
    const marks = this.marks;
    const ignoreId = marks.nextId();
    let rootLength = 0;
    let trieNode: TrieNode | undefined = this.trie;
    for (let i = 1; i < prev.nodes.length; i++) {
      // root = prev[:i]; its length is the left-to-right sum of its edge weights
      if (i >= 2) rootLength = rootLength + this.weights.weight(prev.slots[i - 2]!);
      const spurSource = prev.nodes[i - 1]!;
      trieNode = trieNode?.children.get(spurSource);
      const bannedId = marks.nextId();
      if (trieNode !== undefined) for (const next of trieNode.children.keys()) marks.bannedMark[next] = bannedId;
      const ex: Exclusions = {
        ignoreMark: marks.ignoreMark,
        ignoreId,
        bannedFrom: spurSource,
        bannedMark: marks.bannedMark,
        bannedId,
      };
      const spur = this.dijkstra.search(this.weights, spurSource, this.target, ex);
      if (spur !== null) {
        const nodes = prev.nodes.slice(0, i - 1).concat(spur.nodes);
        const slots = prev.slots.slice(0, i - 1).concat(spur.slots);
        this.push(rootLength + spur.cost, { cost: rootLength + spur.cost, nodes, slots });
      }
      marks.ignoreMark[spurSource] = ignoreId;
    }
  }

  private insertIntoTrie(nodes: readonly number[]): void {
    let node = this.trie;
    for (const x of nodes) {
      let child = node.children.get(x);
      if (child === undefined) {
        child = new TrieNode();
        node.children.set(x, child);
      }
      node = child;
    }
  }

  private push(cost: number, path: WeightedPath): void {
    const key = pathKey(path.nodes);
    if (this.inBuffer.has(key)) return;
    this.inBuffer.add(key);
    const entry: BufferEntry = { cost, seq: this.counter++, path: { cost, nodes: path.nodes, slots: path.slots, key } };
    const heap = this.buffer;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): BufferEntry | undefined {
    const heap = this.buffer;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= heap.length) break;
        if (child + 1 < heap.length && before(heap[child + 1]!, heap[child]!)) child++;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    this.inBuffer.delete(top.path.key);
    return top;
  }
}

function before(a: BufferEntry, b: BufferEntry): boolean {
  return a.cost < b.cost || (a.cost === b.cost && a.seq < b.seq);
}
