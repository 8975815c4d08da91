import { type Address, addressFromBytes, addressToBytes } from '../domain/index.ts';
import { Reader, Writer } from './codec.ts';
import type { Store } from './environment.ts';

/**
 * Route feedback (spec §2.3, §2.5, §9.1): every 200 paths answer leaves one row per returned
 * route, keyed by its feedback token; POST /feedback marks a row successful or not, once,
 * within 10 minutes of the answer. Rows feed the debug stats and routes endpoints only.
 *
 * Unlike the reference (weakness W8: `feedback` is never pruned) the table is bounded:
 * at most `maxRows` rows and nothing older than `maxAgeMs`; the oldest answers go first,
 * whole (an answer's rows share one token). Both bounds are checked on every insert and by
 * `sweep`, which the service calls periodically so an idle store shrinks too.
 *
 * Layout in the `feedback` database (all keys one byte of kind, then big-endian numbers):
 * - `A` ‖ seq (8): one answer: token, network, source, target, creation time and its routes
 *   with their feedback state. Sequence numbers count up without gaps and eviction takes
 *   the lowest, so the retained answers are exactly [oldest, next) and nothing needs an
 *   in-memory index: the oldest is a key lookup, the debug listing one range scan.
 * - `T` ‖ token (16) -> seq (8): the token index POST /feedback looks up.
 * - `C`: the bookkeeping (oldest, next, row counters), rewritten with every change.
 * All writes of one change are issued in one event turn, which lmdb-js commits as one
 * transaction, so the counters always match the rows, also after a crash.
 *
 * lmdb-js makes an async write visible to reads only once it is committed (a few ms later),
 * so answers and updates whose write is still in flight are kept in memory (`pending`) and
 * read from there first: a feedback sent right after its paths answer is found.
 *
 * Single writer: the main thread (the HTTP front).
 */

/** Bounds of the table. */
export interface FeedbackLimits {
  /** Most rows (routes) kept; the oldest answers are dropped beyond it. */
  readonly maxRows: number;
  /** Rows older than this (milliseconds since their answer) are dropped. */
  readonly maxAgeMs: number;
}

/**
 * Default bounds. 2,000,000 rows of a few hops each are about 300-400 MB on disk; at the
 * design load of 1,000 answers per second with 3 routes each they span about 11 minutes, just
 * over the 10-minute feedback window, and weeks at the load real PFSs see. A week of age is
 * plenty for the debug endpoints, the only readers after the feedback window.
 */
export const DEFAULT_FEEDBACK_LIMITS: FeedbackLimits = { maxRows: 2_000_000, maxAgeMs: 7 * 24 * 3600 * 1000 };

/** How long after its answer a feedback token is accepted (MAX_AGE_OF_FEEDBACK_REQUESTS). */
export const FEEDBACK_WINDOW_MS = 10 * 60 * 1000;

/** One returned route and the feedback given for it. */
export interface FeedbackRoute {
  readonly path: readonly Address[];
  /** May be negative. */
  readonly estimatedFee: bigint;
  /** null until feedback arrives (the reference's `successful IS NULL`). */
  readonly successful: boolean | null;
  /** Milliseconds since the epoch of the feedback, null until then. */
  readonly feedbackTime: number | null;
}

/** One paths answer: its token and routes. */
export interface FeedbackAnswer {
  readonly seq: number;
  /** 32 lower-case hex digits (uuid4 hex). */
  readonly token: string;
  readonly network: Address;
  /** First and last node of the routes (the request's from and to). */
  readonly source: Address;
  readonly target: Address;
  /** Milliseconds since the epoch. */
  readonly created: number;
  readonly routes: readonly FeedbackRoute[];
}

/** What a POST /feedback did: stored, ignored as a repeat (both 200), or refused (400 `{}`). */
export type FeedbackOutcome = 'accepted' | 'repeated' | 'rejected';

/** The debug stats counters (spec §2.10). */
export interface FeedbackCounts {
  /** Rows: routes returned and still retained. */
  readonly rows: number;
  /** Rows with feedback. */
  readonly withFeedback: number;
  /** Rows with successful feedback. */
  readonly successful: number;
}

interface State {
  oldest: number;
  next: number;
  rows: number;
  withFeedback: number;
  successful: number;
}

const KIND_ANSWER = 0x41; // 'A'
const KIND_TOKEN = 0x54; // 'T'
const STATE_KEY = Buffer.from('C');
const RECORD_VERSION = 1;
/** Byte offsets of the fields the debug listing filters on before decoding a record. */
const NETWORK_AT = 1 + 16;
const SOURCE_AT = NETWORK_AT + 20;
const TARGET_AT = SOURCE_AT + 20;

function answerKey(seq: number): Buffer {
  const k = Buffer.alloc(9);
  k[0] = KIND_ANSWER;
  k.writeUInt32BE(Math.floor(seq / 4294967296), 1);
  k.writeUInt32BE(seq % 4294967296, 5);
  return k;
}

function tokenKey(token: string): Buffer {
  const k = Buffer.alloc(17);
  k[0] = KIND_TOKEN;
  k.write(token, 1, 'hex');
  return k;
}

function encodeAnswer(a: FeedbackAnswer): Buffer {
  const w = new Writer(128)
    .u8(RECORD_VERSION)
    .fixed(Buffer.from(a.token, 'hex'))
    .fixed(addressToBytes(a.network))
    .fixed(addressToBytes(a.source))
    .fixed(addressToBytes(a.target))
    .u53(a.created)
    .u32(a.routes.length);
  for (const r of a.routes) {
    w.u8(r.successful === null ? 0 : r.successful ? 2 : 1)
      .u53(r.feedbackTime ?? 0)
      .u8(r.estimatedFee < 0n ? 1 : 0)
      .uint(r.estimatedFee < 0n ? -r.estimatedFee : r.estimatedFee)
      .u32(r.path.length);
    for (const node of r.path) w.fixed(addressToBytes(node));
  }
  return w.done();
}

function decodeAnswer(seq: number, b: Uint8Array): FeedbackAnswer {
  const r = new Reader(b);
  if (r.u8() !== RECORD_VERSION) throw new Error('unknown feedback record version');
  const token = r.fixed(16).toString('hex');
  const network = addressFromBytes(r.fixed(20));
  const source = addressFromBytes(r.fixed(20));
  const target = addressFromBytes(r.fixed(20));
  const created = r.u53();
  const count = r.u32();
  const routes: FeedbackRoute[] = [];
  for (let i = 0; i < count; i++) {
    const state = r.u8();
    const time = r.u53();
    const negative = r.u8() === 1;
    const magnitude = r.uint();
    const hops = r.u32();
    const path: Address[] = [];
    for (let h = 0; h < hops; h++) path.push(addressFromBytes(r.fixed(20)));
    routes.push({
      path,
      estimatedFee: negative ? -magnitude : magnitude,
      successful: state === 0 ? null : state === 2,
      feedbackTime: state === 0 ? null : time,
    });
  }
  return { seq, token, network, source, target, created, routes };
}

function encodeState(s: State): Buffer {
  return new Writer(48).u8(1).u53(s.oldest).u53(s.next).u53(s.rows).u53(s.withFeedback).u53(s.successful).done();
}

function decodeState(b: Uint8Array): State {
  const r = new Reader(b);
  if (r.u8() !== 1) throw new Error('unknown feedback state version');
  return { oldest: r.u53(), next: r.u53(), rows: r.u53(), withFeedback: r.u53(), successful: r.u53() };
}

function samePath(a: readonly Address[], b: readonly Address[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Rows, rows with feedback and successful rows of an answer. */
function tally(a: FeedbackAnswer): FeedbackCounts {
  let withFeedback = 0;
  let successful = 0;
  for (const r of a.routes) {
    if (r.successful !== null) withFeedback++;
    if (r.successful === true) successful++;
  }
  return { rows: a.routes.length, withFeedback, successful };
}

/** The feedback table. */
export class FeedbackStore {
  private readonly store: Store;
  private readonly limits: FeedbackLimits;
  private readonly onError: (error: unknown) => void;
  private readonly state: State;
  /** Latest version of every answer whose write is not committed yet, by seq. */
  private readonly pending = new Map<number, FeedbackAnswer>();
  /** Token -> seq of answers whose token index entry is not committed yet. */
  private readonly pendingTokens = new Map<string, number>();
  /** Creation time of the oldest retained answer, once read (saves a lookup per insert). */
  private oldestCreated: number | null = null;

  /** Opens the table of `store`, resuming its bookkeeping. `onError` hears failed writes. */
  constructor(store: Store, limits: FeedbackLimits = DEFAULT_FEEDBACK_LIMITS, onError: (error: unknown) => void = () => undefined) {
    this.store = store;
    this.limits = limits;
    this.onError = onError;
    const stored = store.dbs.feedback.get(STATE_KEY);
    this.state = stored === undefined ? { oldest: 0, next: 0, rows: 0, withFeedback: 0, successful: 0 } : decodeState(stored);
  }

  /** The counters of the retained rows. */
  counts(): FeedbackCounts {
    return { rows: this.state.rows, withFeedback: this.state.withFeedback, successful: this.state.successful };
  }

  /** Number of retained answers (tokens). */
  get answers(): number {
    return this.state.next - this.state.oldest;
  }

  /**
   * Stores the rows of one paths answer (prepare_feedback for each route), then applies the
   * bounds. `routes` must not be empty. Returns the answer's sequence number.
   */
  record(token: string, network: Address, created: number, routes: readonly { readonly path: readonly Address[]; readonly estimatedFee: bigint }[]): number {
    const first = routes[0]!.path;
    const seq = this.state.next++;
    const answer: FeedbackAnswer = {
      seq,
      token,
      network,
      source: first[0]!,
      target: first[first.length - 1]!,
      created,
      routes: routes.map((r) => ({ path: [...r.path], estimatedFee: r.estimatedFee, successful: null, feedbackTime: null })),
    };
    this.state.rows += answer.routes.length;
    if (this.state.oldest === seq) this.oldestCreated = created;
    this.writeAnswer(answer);
    this.pendingTokens.set(token, seq);
    const t = tokenKey(token);
    const v = Buffer.alloc(8);
    v.writeUInt32BE(Math.floor(seq / 4294967296), 0);
    v.writeUInt32BE(seq % 4294967296, 4);
    this.store.dbs.feedback.put(t, v).then(
      () => {
        if (this.pendingTokens.get(token) === seq) this.pendingTokens.delete(token);
      },
      (e: unknown) => this.onError(e),
    );
    this.evict(created);
    this.writeState();
    return seq;
  }

  /**
   * POST /feedback (spec §2.5): finds the row by token, network and exact route; refuses it
   * when there is none or its answer is `FEEDBACK_WINDOW_MS` old or older; otherwise sets
   * `successful` and the feedback time unless feedback was given already.
   */
  give(token: string, network: Address, path: readonly Address[], success: boolean, now: number): FeedbackOutcome {
    const answer = this.find(token);
    if (answer === null || answer.network !== network) return 'rejected';
    const index = answer.routes.findIndex((r) => samePath(r.path, path));
    if (index < 0) return 'rejected';
    if (answer.created + FEEDBACK_WINDOW_MS <= now) return 'rejected';
    const route = answer.routes[index]!;
    if (route.successful !== null) return 'repeated';
    const routes = answer.routes.slice();
    routes[index] = { ...route, successful: success, feedbackTime: now };
    this.state.withFeedback++;
    if (success) this.state.successful++;
    this.writeAnswer({ ...answer, routes });
    this.writeState();
    return 'accepted';
  }

  /** The answer of a token, if retained. */
  find(token: string): FeedbackAnswer | null {
    let seq = this.pendingTokens.get(token);
    if (seq === undefined) {
      const stored = this.store.dbs.feedback.get(tokenKey(token));
      if (stored === undefined) return null;
      seq = stored.readUInt32BE(0) * 4294967296 + stored.readUInt32BE(4);
    }
    return this.answer(seq);
  }

  /**
   * The retained answers of a network from `source` (and to `target` when given), oldest
   * first: what the debug routes endpoint lists. One scan of the table (debug only).
   */
  answersFor(network: Address, source: Address, target: Address | null): FeedbackAnswer[] {
    const n = Buffer.from(addressToBytes(network));
    const s = Buffer.from(addressToBytes(source));
    const t = target === null ? null : Buffer.from(addressToBytes(target));
    const found = new Map<number, FeedbackAnswer>();
    for (const { key, value } of this.store.dbs.feedback.getRange({ start: answerKey(this.state.oldest), end: answerKey(this.state.next) })) {
      const seq = key.readUInt32BE(1) * 4294967296 + key.readUInt32BE(5);
      if (this.pending.has(seq) || seq < this.state.oldest) continue;
      const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (!n.equals(v.subarray(NETWORK_AT, NETWORK_AT + 20)) || !s.equals(v.subarray(SOURCE_AT, SOURCE_AT + 20))) continue;
      if (t !== null && !t.equals(v.subarray(TARGET_AT, TARGET_AT + 20))) continue;
      found.set(seq, decodeAnswer(seq, v));
    }
    for (const a of this.pending.values()) {
      if (a.network === network && a.source === source && (target === null || a.target === target)) found.set(a.seq, a);
    }
    return [...found.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Applies the bounds at `now` (nothing else changed); returns the answers dropped. */
  sweep(now: number): number {
    const dropped = this.evict(now);
    if (dropped > 0) this.writeState();
    return dropped;
  }

  /** Resolves once every write issued so far is committed. */
  async flushed(): Promise<void> {
    await this.store.env.committed;
  }

  private answer(seq: number): FeedbackAnswer | null {
    if (seq < this.state.oldest || seq >= this.state.next) return null;
    const pending = this.pending.get(seq);
    if (pending !== undefined) return pending;
    const stored = this.store.dbs.feedback.get(answerKey(seq));
    return stored === undefined ? null : decodeAnswer(seq, stored);
  }

  private writeAnswer(a: FeedbackAnswer): void {
    this.pending.set(a.seq, a);
    this.store.dbs.feedback.put(answerKey(a.seq), encodeAnswer(a)).then(
      () => {
        if (this.pending.get(a.seq) === a) this.pending.delete(a.seq);
      },
      (e: unknown) => this.onError(e),
    );
  }

  private writeState(): void {
    this.store.dbs.feedback.put(STATE_KEY, encodeState(this.state)).catch((e: unknown) => this.onError(e));
  }

  /** Drops oldest answers while over the row bound or older than the age bound. */
  private evict(now: number): number {
    const s = this.state;
    let dropped = 0;
    while (s.oldest < s.next) {
      const overRows = s.rows > this.limits.maxRows;
      if (!overRows) {
        this.oldestCreated ??= this.answer(s.oldest)?.created ?? null;
        if (this.oldestCreated !== null && this.oldestCreated > now - this.limits.maxAgeMs) break;
      }
      const oldest = this.answer(s.oldest);
      if (oldest !== null) {
        const c = tally(oldest);
        s.rows -= c.rows;
        s.withFeedback -= c.withFeedback;
        s.successful -= c.successful;
        void this.store.dbs.feedback.remove(answerKey(oldest.seq)).catch((e: unknown) => this.onError(e));
        // a newer answer may have reused the token only by a uuid4 collision; leave its entry
        if (this.find(oldest.token)?.seq === oldest.seq) {
          if (this.pendingTokens.get(oldest.token) === oldest.seq) this.pendingTokens.delete(oldest.token);
          void this.store.dbs.feedback.remove(tokenKey(oldest.token)).catch((e: unknown) => this.onError(e));
        }
        this.pending.delete(oldest.seq);
      }
      s.oldest++;
      this.oldestCreated = null;
      dropped++;
    }
    return dropped;
  }
}
