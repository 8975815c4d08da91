import type { BidirectionalDijkstra, Exclusions, WeightedPath } from './bidirectional-dijkstra.ts';
import type { EdgeWeights } from './edge-weights.ts';
import type { FiniteRegion } from './finite-region.ts';

/** Adjacency entries the finite region of a target may take before it is left unknown. */
const REGION_LIMIT = 20_000;

/** Node ids the spur cache of one generator may hold (expanded lists), about 8 MB. */
const SPUR_CACHE_LIMIT = 2_000_000;

/**
 * A spur search remembered by its source and banned first hops: the nodes it ignored (the
 * root before the spur node, sorted), the nodes whose adjacency it scanned, its answer.
 */
interface SpurMemo {
  readonly ignored: Int32Array;
  readonly expanded: Int32Array;
  readonly path: WeightedPath | null;
}

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

/** The spur searches of a yielded candidate, not yet run (infinite regime only). */
interface DeferredSpurs {
  readonly prev: Candidate;
  /** Index of `prev` among the yielded candidates. */
  readonly yieldIndex: number;
}

class TrieNode {
  readonly children = new Map<number, TrieNode>();
  /** Index of the first yielded path through this node. */
  readonly firstYield: number;
  /**
   * The number of children when the spur search rooted here last ran in the heap regime
   * (-1: never). See YenGenerator.spurs: while it is unchanged, a new search would repeat
   * the last one's answer, whose candidate is still buffered.
   */
  spurChildren = -1;
  constructor(firstYield: number) {
    this.firstYield = firstYield;
  }
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
 *
 * The infinite regime. Once the cheapest buffered candidate costs +Infinity, every simple
 * path not yet yielded contains an infinite edge (Yen's enumeration is complete and yields
 * in non-decreasing cost; a path is finite iff all its edges are), so every later candidate
 * costs +Infinity as well and the buffer pops in push order: it is a FIFO queue. The spur
 * searches of a yielded candidate then only append candidates behind everything already
 * queued, so they are run lazily, when the queue reaches them, with the state the
 * reference had when it ran them: the ignored first hops of the paths yielded up to that
 * candidate (trie nodes remember when they were first yielded), and the duplicate check
 * against the candidates that were buffered at that moment, which are exactly the ones
 * yielded since. The yielded sequence is unchanged; a request that stops at the first
 * valid candidate skips the spur searches behind it.
 */
export class YenGenerator {
  private readonly buffer: BufferEntry[] = [];
  private readonly inBuffer = new Set<string>();
  private readonly trie = new TrieNode(0);
  private counter = 0;
  private previous: Candidate | null = null;
  private started = false;
  private yielded = 0;
  // infinite regime: a FIFO of candidates and deferred spur searches
  private fifo = false;
  private readonly queue: (Candidate | DeferredSpurs)[] = [];
  private queueHead = 0;
  private readonly pending: Candidate[] = [];
  private pendingHead = 0;
  /** Yield index of every yielded key (infinite regime duplicate check). */
  private readonly yieldedAt = new Map<string, number>();
  private readonly weights: EdgeWeights;
  private readonly dijkstra: BidirectionalDijkstra;
  private readonly marks: YenMarks;
  private readonly source: number;
  private readonly target: number;
  private readonly region: FiniteRegion | null;
  private sawInfinite = false;
  /** Spur searches of this round by `${source}:${banned first hops}` (see spurSearch). */
  private readonly spurCache = new Map<string, SpurMemo>();
  private spurCacheSize = 0;
  private touchStamp = new Int32Array(0);
  private touchId = 0;

  /**
   * `region`, when given, is begun for the request: once a search meets a path of infinite
   * cost, it is computed, and searches from nodes without a finite path stop at their first
   * meeting (same answers, less work; see finite-region.ts).
   */
  constructor(weights: EdgeWeights, dijkstra: BidirectionalDijkstra, marks: YenMarks, source: number, target: number, region: FiniteRegion | null = null) {
    this.weights = weights;
    this.dijkstra = dijkstra;
    this.marks = marks;
    this.source = source;
    this.target = target;
    this.region = region;
    marks.ensure(weights.view.topology.nodeCount);
  }

  /** The shortest path from `from` to the target under `ex`, stopping early where that is exact. */
  private search(from: number, ex: Exclusions | null): WeightedPath | null {
    const region = this.region;
    // prepared before the next search, not right away: a request often stops at the first
    // candidate of infinite cost (the carrying-path survey decides it)
    if (this.sawInfinite && region !== null) region.prepare(this.target, REGION_LIMIT);
    const path = this.dijkstra.search(this.weights, from, this.target, ex, region !== null && region.noFinitePath(from));
    if (path !== null && path.cost === Infinity) this.sawInfinite = true;
    return path;
  }

  /** The next candidate, or null when exhausted. Throws NoPath from the first call only. */
  next(): Candidate | null {
    if (!this.started) {
      this.started = true;
      const first = this.search(this.source, null);
      if (first === null) throw new NoPath();
      this.push(first.cost, first);
    } else if (this.previous !== null) {
      if (this.fifo) this.queue.push({ prev: this.previous, yieldIndex: this.yielded - 1 });
      else this.spurs(this.previous, this.yielded - 1, (cost, path) => this.push(cost, path), true);
    }
    const path = this.fifo ? this.takeFifo() : this.popHeap();
    if (path === null) return null;
    this.insertIntoTrie(path.nodes, this.yielded);
    if (this.fifo) this.yieldedAt.set(path.key, this.yielded);
    this.yielded++;
    this.previous = path;
    return path;
  }

  private popHeap(): Candidate | null {
    const entry = this.pop();
    if (entry === undefined) return null;
    if (entry.cost === Infinity) {
      // infinite regime from here on: the rest of the buffer in push order
      this.fifo = true;
      const rest = this.buffer.splice(0).sort((x, y) => x.seq - y.seq);
      for (const e of rest) this.queue.push(e.path);
      this.inBuffer.clear();
    }
    return entry.path;
  }

  private takeFifo(): Candidate | null {
    for (;;) {
      if (this.pendingHead < this.pending.length) return this.pending[this.pendingHead++]!;
      this.pending.length = 0;
      this.pendingHead = 0;
      if (this.queueHead >= this.queue.length) return null;
      const item = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as Candidate; // release memory
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      if ('key' in item) return item;
      // the deferred spur searches of item.prev, as the reference ran them right after it
      const since = item.yieldIndex;
      const produced = new Set<string>();
      this.spurs(item.prev, since, (cost, path) => {
        const key = pathKey(path.nodes);
        const at = this.yieldedAt.get(key);
        if ((at !== undefined && at > since) || produced.has(key)) return; // buffered then
        if (cost !== Infinity) throw new Error('invariant: a finite candidate after an infinite one');
        produced.add(key);
        this.pending.push({ cost, nodes: path.nodes, slots: path.slots, key });
      });
    }
  }

  /**
   * The spur searches of `prev` (yielded as number `yieldIndex`): for each spur index, the
   * ignored first hops are those of the paths yielded up to `prev` that share the root.
   *
   * With `memo` (the heap regime, where spurs run right after their path is yielded) a
   * search is skipped when its root's trie node has as many children as when the last
   * search from that root ran (Lawler's observation, made exact). The search is a function
   * of the root (it fixes the source and the ignored nodes, the root's other nodes) and of
   * the banned first hops (the children); the weights do not change within a round. So it
   * would find the same candidate, and that candidate is still buffered, making the push a
   * no-op: it was buffered after the last search, and leaving the buffer means being
   * yielded, which adds its second node, not banned then, as a new child of the root.
   */
  private spurs(prev: Candidate, yieldIndex: number, emit: (cost: number, path: WeightedPath) => void, memo = false): void {
    const marks = this.marks;
    const ignoreId = marks.nextId();
    let rootLength = 0;
    let trieNode: TrieNode | undefined = this.trie;
    for (let i = 1; i < prev.nodes.length; i++) {
      // root = prev[:i]; its length is the left-to-right sum of its edge weights
      if (i >= 2) rootLength = rootLength + this.weights.weight(prev.slots[i - 2]!);
      const spurSource = prev.nodes[i - 1]!;
      trieNode = trieNode?.children.get(spurSource);
      if (memo && trieNode !== undefined) {
        if (trieNode.spurChildren === trieNode.children.size) {
          marks.ignoreMark[spurSource] = ignoreId;
          continue;
        }
        trieNode.spurChildren = trieNode.children.size;
      }
      const bannedId = marks.nextId();
      const banned: number[] = [];
      if (trieNode !== undefined) {
        for (const [next, child] of trieNode.children) {
          if (child.firstYield <= yieldIndex) {
            marks.bannedMark[next] = bannedId;
            banned.push(next);
          }
        }
      }
      const ex: Exclusions = {
        ignoreMark: marks.ignoreMark,
        ignoreId,
        bannedFrom: spurSource,
        bannedMark: marks.bannedMark,
        bannedId,
      };
      const spur = this.spurSearch(spurSource, ex, banned, prev.nodes, i - 1);
      if (spur !== null) {
        const nodes = prev.nodes.slice(0, i - 1).concat(spur.nodes);
        const slots = prev.slots.slice(0, i - 1).concat(spur.slots);
        emit(rootLength + spur.cost, { cost: rootLength + spur.cost, nodes, slots });
      }
      marks.ignoreMark[spurSource] = ignoreId;
    }
  }

  /**
   * The spur search from `spurSource` (ignoring root[0 .. rootEnd - 1], banning `banned`),
   * answered from the cache when an earlier search of this round had the same source and
   * banned first hops and ignored the same nodes among those it could see. A search looks
   * at exclusions only for the neighbours of the nodes it expands (and for its two ends);
   * if none of the nodes ignored by one search and not the other is such a neighbour, both
   * searches take the same steps and give the same answer (weights are fixed in a round).
   */
  private spurSearch(spurSource: number, ex: Exclusions, banned: number[], root: readonly number[], rootEnd: number): WeightedPath | null {
    banned.sort((a, b) => a - b);
    const key = spurSource + ':' + banned.join(',');
    const ignored = Int32Array.from(root.slice(0, rootEnd)).sort();
    const memo = this.spurCache.get(key);
    if (memo !== undefined && this.sameView(memo, ignored, spurSource)) return memo.path;
    const path = this.search(spurSource, ex);
    if (memo !== undefined) this.spurCacheSize -= memo.expanded.length;
    const size = this.dijkstra.expandedSize();
    if (this.spurCacheSize + size <= SPUR_CACHE_LIMIT) {
      // copied only when kept: once the cache is full, searches no longer pay for it
      this.spurCache.set(key, { ignored, expanded: this.dijkstra.expandedNodes(), path });
      this.spurCacheSize += size;
    } else if (memo !== undefined) {
      this.spurCache.delete(key);
    }
    return path;
  }

  /** Whether no node ignored by exactly one of `memo` and `ignored` was visible to memo's search. */
  private sameView(memo: SpurMemo, ignored: Int32Array, spurSource: number): boolean {
    const a = memo.ignored;
    let i = 0;
    let j = 0;
    let stamped = false;
    while (i < a.length || j < ignored.length) {
      let x: number;
      if (j >= ignored.length || (i < a.length && a[i]! < ignored[j]!)) x = a[i++]!;
      else if (i >= a.length || ignored[j]! < a[i]!) x = ignored[j++]!;
      else {
        i++;
        j++;
        continue;
      }
      if (!stamped) {
        this.stampExpanded(memo.expanded);
        stamped = true;
      }
      if (this.visible(x, spurSource)) return false;
    }
    return true;
  }

  private stampExpanded(expanded: Int32Array): void {
    const n = this.weights.view.topology.nodeCount;
    if (this.touchStamp.length < n) {
      this.touchStamp = new Int32Array(n);
      this.touchId = 0;
    }
    if (++this.touchId === 0x7fffffff) {
      this.touchId = 1;
      this.touchStamp.fill(0);
    }
    const stamp = this.touchStamp;
    const id = this.touchId;
    for (let k = 0; k < expanded.length; k++) stamp[expanded[k]!] = id;
  }

  /** Whether the stamped search could see x: an end of it, expanded, or next to an expanded node. */
  private visible(x: number, spurSource: number): boolean {
    if (x === spurSource || x === this.target) return true;
    const stamp = this.touchStamp;
    const id = this.touchId;
    if (stamp[x] === id) return true;
    const t = this.weights.view.topology;
    const adjNode = t.adjNode;
    for (let k = t.adjStart[x]!, end = t.adjStart[x + 1]!; k < end; k++) if (stamp[adjNode[k]!] === id) return true;
    return false;
  }

  private insertIntoTrie(nodes: readonly number[], yieldIndex: number): void {
    let node = this.trie;
    for (const x of nodes) {
      let child = node.children.get(x);
      if (child === undefined) {
        child = new TrieNode(yieldIndex);
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
