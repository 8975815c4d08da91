import { type Address, addressFromBytes, writeAddressBytes } from '../../domain/index.ts';
import type { NodeId, TokenNetworkState } from '../token-network.ts';
import { Layout } from './shared-memory.ts';

/**
 * One immutable generation of a token network's topology in CSR form, in one shared
 * buffer. A channel open or close produces a new generation; readers pick up the newest
 * at the start of a request.
 *
 * Adjacency order is the reference's PRUNED-graph order (spec §3.2), which depends only on
 * the insertion order, not on who is online: the reference rebuilds the pruned graph by
 * scanning edges node by node and adding both directions at the first sighting of a pair,
 * so node x's neighbours end up as (a) the neighbours that came before x in node order,
 * ascending, then (b) the later neighbours in the order their pair edges were added.
 * Reachability then only filters this list. Forward and backward adjacency are the same
 * list because every channel contributes both directions.
 */

/** Structured-clone-safe description of a generation. */
export interface TopologyHandle {
  readonly generation: number;
  readonly nodeCount: number;
  readonly entryCount: number;
  readonly tableSize: number;
  readonly hashSeed: number;
  readonly buffer: SharedArrayBuffer;
  readonly offsets: Readonly<Record<string, number>>;
}

/** Maps a node to its index in the shared reachability array. */
export type NodeKeyFn = (node: NodeId, address: Address) => number;

function hashAddress(bytes: Uint8Array, at: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < 20; i++) {
    h ^= bytes[at + i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Root of x's set, halving the path on the way (union-find over `parent`). */
function root(parent: Uint32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]!]!;
    x = parent[x]!;
  }
  return x;
}

/**
 * Builds the generation for the current state. O(nodes + channels).
 *
 * A snapshot is built once at startup by code that has not run yet, and every loop over
 * 100k pairs first runs unoptimized until V8 compiles it: so the work is fused into few
 * passes (pairs, nodes, pairs, entries, nodes) rather than one pass per array.
 */
export function buildTopology(state: TokenNetworkState, generation: number, keyOf: NodeKeyFn): TopologyHandle {
  const n = state.nodes.length;
  // Pass 1, the only one over the pair objects (scattered in the heap): typed copies of
  // what later passes need, degrees, lower-neighbour counts and connected components of
  // the full graph (for the quick check "No route", spec §3.7).
  const pairCount = state.pairCount;
  const pLo = new Uint32Array(pairCount);
  const pHi = new Uint32Array(pairCount);
  const pSeq = new Uint32Array(pairCount);
  const pSlotLo = new Uint32Array(pairCount); // directed slot lo -> hi
  const degree = new Uint32Array(n);
  const lowerCount = new Uint32Array(n);
  const parent = new Uint32Array(n);
  for (let x = 0; x < n; x++) parent[x] = x;
  {
    let i = 0;
    for (const p of state.pairEdges()) {
      const c = p.channels[p.channels.length - 1]!;
      const lo = p.lo;
      const hi = p.hi;
      pLo[i] = lo;
      pHi[i] = hi;
      pSeq[i] = p.seq;
      pSlotLo[i] = 2 * c.slot + (lo === c.nodes[0] ? 0 : 1);
      degree[lo]!++;
      degree[hi]!++;
      lowerCount[hi]!++;
      const a = root(parent, lo);
      const b = root(parent, hi);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      i++;
    }
  }
  const m = pairCount * 2;
  let tableSize = 16;
  while (tableSize < n * 2) tableSize *= 2;
  const { buffer, offsets } = new Layout()
    .add('adjStart', (n + 1) * 4)
    .add('adjNode', m * 4)
    .add('adjSlot', m * 4)
    .add('adjSeq', m * 4)
    .add('nodeKey', n * 4)
    .add('component', n * 4)
    .add('addresses', n * 20)
    .add('addrTable', tableSize * 4)
    .allocate();
  const adjStart = new Uint32Array(buffer, offsets.adjStart, n + 1);
  const adjNode = new Uint32Array(buffer, offsets.adjNode, m);
  const adjSlot = new Uint32Array(buffer, offsets.adjSlot, m);
  const adjSeq = new Uint32Array(buffer, offsets.adjSeq, m);

  // Pass 2 (nodes): list starts, the write cursors of both parts, and components (the
  // union-find is complete). Node x's list is its earlier neighbours (a), then its later
  // ones (b); `lowCursor` walks part (a), `highCursor` part (b).
  const lowCursor = new Uint32Array(n);
  const highCursor = new Uint32Array(n);
  const component = new Uint32Array(buffer, offsets.component, n);
  for (let x = 0; x < n; x++) {
    const start = adjStart[x]!;
    adjStart[x + 1] = start + degree[x]!;
    lowCursor[x] = start;
    highCursor[x] = start + lowerCount[x]!;
    component[x] = root(parent, x);
  }
  // Pass 3 (pairs): (b) later neighbours in pair-edge order (pairs come in ascending seq).
  for (let i = 0; i < pairCount; i++) {
    const at = highCursor[pLo[i]!]!++;
    adjNode[at] = pHi[i]!;
    adjSlot[at] = pSlotLo[i]!;
    adjSeq[at] = pSeq[i]!;
  }
  // Pass 4 (entries): (a) earlier neighbours, ascending. Visiting nodes x in ascending
  // order and appending x to the list of each later neighbour fills every part (a) in
  // ascending order, from the part (b) lists just written.
  for (let x = 0; x < n; x++) {
    for (let e = adjStart[x]! + lowerCount[x]!, end = adjStart[x + 1]!; e < end; e++) {
      const at = lowCursor[adjNode[e]!]!++;
      adjNode[at] = x;
      adjSlot[at] = adjSlot[e]! ^ 1;
      adjSeq[at] = adjSeq[e]!;
    }
  }

  // Pass 5 (nodes): reachability keys and the address table.
  const nodeKey = new Uint32Array(buffer, offsets.nodeKey, n);
  const addresses = new Uint8Array(buffer, offsets.addresses, n * 20);
  const table = new Int32Array(buffer, offsets.addrTable, tableSize);
  const hashSeed = (Math.random() * 0x7fffffff) | 0;
  for (let x = 0; x < n; x++) {
    const address = state.nodes[x]!;
    nodeKey[x] = keyOf(x, address);
    writeAddressBytes(address, addresses, x * 20);
    let h = hashAddress(addresses, x * 20, hashSeed) & (tableSize - 1);
    while (table[h] !== 0) h = (h + 1) & (tableSize - 1);
    table[h] = x + 1;
  }
  return { generation, nodeCount: n, entryCount: m, tableSize, hashSeed, buffer, offsets };
}

/** Read access to one generation. */
export class Topology {
  readonly generation: number;
  readonly nodeCount: number;
  readonly adjStart: Uint32Array;
  readonly adjNode: Uint32Array;
  readonly adjSlot: Uint32Array;
  readonly adjSeq: Uint32Array;
  readonly nodeKey: Uint32Array;
  readonly component: Uint32Array;
  private readonly addresses: Uint8Array;
  private readonly table: Int32Array;
  private readonly hashSeed: number;
  readonly byteLength: number;

  constructor(h: TopologyHandle) {
    const o = h.offsets;
    const n = h.nodeCount;
    const m = h.entryCount;
    this.generation = h.generation;
    this.nodeCount = n;
    this.adjStart = new Uint32Array(h.buffer, o.adjStart!, n + 1);
    this.adjNode = new Uint32Array(h.buffer, o.adjNode!, m);
    this.adjSlot = new Uint32Array(h.buffer, o.adjSlot!, m);
    this.adjSeq = new Uint32Array(h.buffer, o.adjSeq!, m);
    this.nodeKey = new Uint32Array(h.buffer, o.nodeKey!, n);
    this.component = new Uint32Array(h.buffer, o.component!, n);
    this.addresses = new Uint8Array(h.buffer, o.addresses!, n * 20);
    this.table = new Int32Array(h.buffer, o.addrTable!, h.tableSize);
    this.hashSeed = h.hashSeed;
    this.byteLength = h.buffer.byteLength;
  }

  /** Node of an address in this generation, or -1. */
  nodeOf(address: Address): number {
    const bytes = Buffer.from(address.slice(2), 'hex');
    const mask = this.table.length - 1;
    let h = hashAddress(bytes, 0, this.hashSeed) & mask;
    for (;;) {
      const entry = this.table[h]!;
      if (entry === 0) return -1;
      const x = entry - 1;
      let equal = true;
      for (let i = 0; i < 20; i++) {
        if (this.addresses[x * 20 + i] !== bytes[i]) {
          equal = false;
          break;
        }
      }
      if (equal) return x;
      h = (h + 1) & mask;
    }
  }

  /** Address of a node. */
  address(node: number): Address {
    return addressFromBytes(this.addresses.subarray(node * 20, node * 20 + 20));
  }
}
