import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { closeStore, openStore, type Store } from '../../src/store/environment.ts';
import {
  type FeedbackAnswer,
  type FeedbackCounts,
  type FeedbackLimits,
  FEEDBACK_WINDOW_MS,
  FeedbackStore,
} from '../../src/store/feedback-store.ts';
import { address } from '../fixtures/accounts.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { CRASH_NETWORK, CRASH_SOURCES } from '../helpers/feedback-crash-child.ts';

/*
 * The bounded feedback table (spec §2.3, §2.5, §9.1) on a real LMDB environment in a temp
 * dir: rows per paths answer, POST /feedback outcomes, counters, eviction of whole answers by
 * row and age bounds, durability across a reopen and across kill -9.
 */

const TN = asAddress('0x' + '01'.repeat(20));
const TN2 = asAddress('0x' + '02'.repeat(20));
const A = (i: number): Address => address(i);
const WIDE: FeedbackLimits = { maxRows: 1_000_000, maxAgeMs: 365 * 24 * 3600 * 1000 };
const T0 = Date.UTC(2025, 0, 1);

const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((c) => c()));
function dir(): string {
  const d = tempDir('pfs-feedback-');
  cleanups.push(d.cleanup);
  return d.path;
}

let tokenCounter = 0;
/** A fresh 32-hex token (uuid4 hex form). */
function token(): string {
  tokenCounter++;
  return tokenCounter.toString(16).padStart(8, '0') + 'a'.repeat(24);
}

/** Routes of one answer from node lists; fees tag them (negative and huge included). */
function routes(...paths: number[][]): { path: Address[]; estimatedFee: bigint }[] {
  return paths.map((p, i) => ({ path: p.map(A), estimatedFee: BigInt(i) - 1n }));
}

const counts = (rows: number, withFeedback: number, successful: number): FeedbackCounts => ({ rows, withFeedback, successful });

/** The counters recomputed from what the store returns for each token. */
function recount(fs: FeedbackStore, tokens: readonly string[]): FeedbackCounts {
  let rows = 0;
  let withFeedback = 0;
  let successful = 0;
  for (const t of tokens) {
    const a = fs.find(t);
    if (a === null) continue;
    for (const r of a.routes) {
      rows++;
      if (r.successful !== null) withFeedback++;
      if (r.successful === true) successful++;
    }
  }
  return { rows, withFeedback, successful };
}

/** Token index entries (`T` keys) in the database. */
function tokenKeys(store: Store): number {
  let n = 0;
  for (const key of store.dbs.feedback.getKeys({ start: Buffer.from('T'), end: Buffer.from('U') })) {
    void key;
    n++;
  }
  return n;
}

describe('FeedbackStore', () => {
  test('record: one answer per token, its routes in order with successful = null; counts', async () => {
    const store = openStore(dir());
    const fs = new FeedbackStore(store, WIDE);
    assert.deepEqual(fs.counts(), counts(0, 0, 0));
    assert.equal(fs.answers, 0);
    const t = token();
    const seq = fs.record(t, TN, T0, routes([0, 1, 2], [0, 1, 4, 3, 2]));
    assert.equal(seq, 0);
    assert.deepEqual(fs.counts(), counts(2, 0, 0));
    assert.equal(fs.answers, 1);
    const expected: FeedbackAnswer = {
      seq: 0,
      token: t,
      network: TN,
      source: A(0),
      target: A(2),
      created: T0,
      routes: [
        { path: [A(0), A(1), A(2)], estimatedFee: -1n, successful: null, feedbackTime: null },
        { path: [A(0), A(1), A(4), A(3), A(2)], estimatedFee: 0n, successful: null, feedbackTime: null },
      ],
    };
    assert.deepEqual(fs.find(t), expected, 'visible before the write is committed');
    await fs.flushed();
    assert.deepEqual(fs.find(t), expected, 'and after');
    assert.equal(fs.record(token(), TN, T0 + 1, routes([5, 6])), 1, 'sequence numbers count up');
    assert.deepEqual(fs.counts(), counts(3, 0, 0));
    assert.equal(fs.find('f'.repeat(32)), null);
    await closeStore(store);
  });

  test('estimated fees round-trip exactly: negative, zero and above 2^256', async () => {
    const path = dir();
    let store = openStore(path);
    const fs = new FeedbackStore(store, WIDE);
    const big = (1n << 300n) + 12345n;
    const t = token();
    fs.record(t, TN, T0, [
      { path: [A(0), A(1)], estimatedFee: -big },
      { path: [A(0), A(2), A(1)], estimatedFee: 0n },
      { path: [A(0), A(3), A(1)], estimatedFee: big },
    ]);
    await closeStore(store);
    store = openStore(path);
    const again = new FeedbackStore(store, WIDE).find(t)!;
    assert.deepEqual(
      again.routes.map((r) => r.estimatedFee),
      [-big, 0n, big],
    );
    await closeStore(store);
  });

  test('give: accepted once, then repeated (200 both); the first feedback stays', async () => {
    const store = openStore(dir());
    const fs = new FeedbackStore(store, WIDE);
    const t = token();
    fs.record(t, TN, T0, routes([0, 1, 2], [0, 1, 4, 3, 2]));
    assert.equal(fs.give(t, TN, [A(0), A(1), A(4), A(3), A(2)], false, T0 + 5), 'accepted');
    assert.deepEqual(fs.counts(), counts(2, 1, 0));
    assert.equal(fs.give(t, TN, [A(0), A(1), A(4), A(3), A(2)], true, T0 + 6), 'repeated');
    assert.deepEqual(fs.counts(), counts(2, 1, 0), 'a repeat changes nothing');
    assert.equal(fs.give(t, TN, [A(0), A(1), A(2)], true, T0 + 7), 'accepted');
    assert.deepEqual(fs.counts(), counts(2, 2, 1));
    assert.equal(fs.give(t, TN, [A(0), A(1), A(2)], false, T0 + 8), 'repeated');
    assert.deepEqual(fs.counts(), counts(2, 2, 1));
    const a = fs.find(t)!;
    assert.deepEqual(
      a.routes.map((r) => [r.successful, r.feedbackTime]),
      [
        [true, T0 + 7],
        [false, T0 + 5],
      ],
    );
    await closeStore(store);
  });

  test('give: rejected for an unknown token, another network, a route not in the answer, or at 10 minutes', async () => {
    const store = openStore(dir());
    const fs = new FeedbackStore(store, WIDE);
    const t = token();
    fs.record(t, TN, T0, routes([0, 1, 2], [0, 1, 4, 3, 2]));
    const p = [A(0), A(1), A(2)];
    assert.equal(fs.give(token(), TN, p, true, T0 + 1), 'rejected', 'unknown token');
    assert.equal(fs.give(t, TN2, p, true, T0 + 1), 'rejected', 'other network');
    assert.equal(fs.give(t, TN, [A(0), A(1)], true, T0 + 1), 'rejected', 'a prefix of a route');
    assert.equal(fs.give(t, TN, [A(2), A(1), A(0)], true, T0 + 1), 'rejected', 'the route reversed');
    assert.equal(fs.give(t, TN, [A(0), A(1), A(2), A(3)], true, T0 + 1), 'rejected', 'a longer route');
    assert.equal(fs.give(t, TN, [], true, T0 + 1), 'rejected', 'the empty route');
    // creation_time + 10 min <= now is too old
    assert.equal(FEEDBACK_WINDOW_MS, 600_000);
    assert.equal(fs.give(t, TN, p, true, T0 + FEEDBACK_WINDOW_MS), 'rejected', 'exactly 10 minutes');
    assert.equal(fs.give(t, TN, p, true, T0 + 3_600_000), 'rejected', 'an hour');
    assert.deepEqual(fs.counts(), counts(2, 0, 0), 'nothing was stored');
    assert.equal(fs.give(t, TN, p, true, T0 + FEEDBACK_WINDOW_MS - 1), 'accepted', 'one millisecond before');
    // a repeat after the window is too old as well (the age is checked first)
    assert.equal(fs.give(t, TN, p, true, T0 + FEEDBACK_WINDOW_MS), 'rejected');
    assert.deepEqual(fs.counts(), counts(2, 1, 1));
    await closeStore(store);
  });

  test('feedback right after record, before anything is committed, is found and stored', async () => {
    const path = dir();
    let store = openStore(path);
    const fs = new FeedbackStore(store, WIDE);
    const t = token();
    fs.record(t, TN, T0, routes([0, 1, 2]));
    // the database itself does not show the answer yet: the store must serve it from memory
    assert.equal(tokenKeys(store), 0, 'nothing committed yet');
    assert.equal(fs.give(t, TN, [A(0), A(1), A(2)], true, T0 + 1), 'accepted');
    // the update of an uncommitted answer is visible too, also to the debug listing
    assert.equal(fs.give(t, TN, [A(0), A(1), A(2)], false, T0 + 2), 'repeated');
    assert.equal(fs.answersFor(TN, A(0), null)[0]!.routes[0]!.successful, true);
    await fs.flushed();
    assert.equal(tokenKeys(store), 1);
    await closeStore(store);
    store = openStore(path);
    const again = new FeedbackStore(store, WIDE);
    assert.deepEqual(again.counts(), counts(1, 1, 1));
    assert.equal(again.find(t)!.routes[0]!.successful, true);
    await closeStore(store);
  });

  test('an update given after the answer is committed is visible before its own commit', async () => {
    const store = openStore(dir());
    const fs = new FeedbackStore(store, WIDE);
    const t = token();
    fs.record(t, TN, T0, routes([0, 1, 2], [0, 2]));
    await fs.flushed();
    assert.equal(fs.give(t, TN, [A(0), A(2)], true, T0 + 1), 'accepted');
    assert.equal(fs.find(t)!.routes[1]!.successful, true);
    assert.equal(fs.give(t, TN, [A(0), A(2)], true, T0 + 2), 'repeated');
    const listed = fs.answersFor(TN, A(0), A(2));
    assert.equal(listed.length, 1);
    assert.deepEqual(
      listed[0]!.routes.map((r) => r.successful),
      [null, true],
    );
    await closeStore(store);
  });

  test('answersFor: the network’s answers from a source (to a target), oldest first, committed and pending merged', async () => {
    const store = openStore(dir());
    const fs = new FeedbackStore(store, WIDE);
    const t1 = token();
    const t2 = token();
    const t3 = token();
    const t4 = token();
    const t5 = token();
    fs.record(t1, TN, T0, routes([0, 1, 2]));
    fs.record(t2, TN, T0 + 1, routes([0, 3]));
    fs.record(t3, TN2, T0 + 2, routes([0, 1, 2]));
    await fs.flushed();
    fs.record(t4, TN, T0 + 3, routes([1, 2]));
    fs.record(t5, TN, T0 + 4, routes([0, 1, 2], [0, 2]));
    const tokens = (as: FeedbackAnswer[]) => as.map((a) => a.token);
    assert.deepEqual(tokens(fs.answersFor(TN, A(0), null)), [t1, t2, t5]);
    assert.deepEqual(tokens(fs.answersFor(TN, A(0), A(2))), [t1, t5]);
    assert.deepEqual(tokens(fs.answersFor(TN, A(0), A(3))), [t2]);
    assert.deepEqual(tokens(fs.answersFor(TN, A(0), A(4))), []);
    assert.deepEqual(tokens(fs.answersFor(TN2, A(0), null)), [t3]);
    assert.deepEqual(tokens(fs.answersFor(TN, A(1), null)), [t4]);
    assert.deepEqual(tokens(fs.answersFor(TN, A(2), null)), [], 'the target is not a source');
    await fs.flushed();
    assert.deepEqual(tokens(fs.answersFor(TN, A(0), null)), [t1, t2, t5], 'the same once committed');
    assert.deepEqual(fs.answersFor(TN, A(0), null)[2]!.routes.map((r) => r.path), [
      [A(0), A(1), A(2)],
      [A(0), A(2)],
    ]);
    await closeStore(store);
  });

  test('maxRows: the oldest answers go, whole, with their feedback counted out', async () => {
    const path = dir();
    let store = openStore(path);
    const limits: FeedbackLimits = { maxRows: 5, maxAgeMs: WIDE.maxAgeMs };
    const fs = new FeedbackStore(store, limits);
    const t1 = token();
    const t2 = token();
    const t3 = token();
    const t4 = token();
    fs.record(t1, TN, T0, routes([0, 1], [0, 2, 1]));
    fs.record(t2, TN, T0 + 1, routes([0, 2], [0, 1, 2]));
    assert.equal(fs.give(t1, TN, [A(0), A(1)], true, T0 + 2), 'accepted');
    assert.equal(fs.give(t2, TN, [A(0), A(2)], false, T0 + 2), 'accepted');
    assert.deepEqual(fs.counts(), counts(4, 2, 1));
    await fs.flushed();
    // 4 + 2 = 6 rows > 5: t1 (2 rows) goes whole, not just one of its rows
    fs.record(t3, TN, T0 + 3, routes([0, 3], [0, 4, 3]));
    assert.equal(fs.answers, 2);
    assert.deepEqual(fs.counts(), counts(4, 1, 0));
    assert.equal(fs.find(t1), null);
    assert.equal(fs.give(t1, TN, [A(0), A(2), A(1)], true, T0 + 4), 'rejected', 'an evicted answer takes no feedback');
    assert.deepEqual(
      fs.answersFor(TN, A(0), null).map((a) => a.token),
      [t2, t3],
    );
    // one answer of 3 rows: 7 > 5 drops t2; 5 rows remain
    fs.record(t4, TN, T0 + 5, routes([0, 1], [0, 2, 1], [0, 3, 1]));
    assert.equal(fs.answers, 2);
    assert.deepEqual(fs.counts(), counts(5, 0, 0));
    await fs.flushed();
    assert.equal(tokenKeys(store), 2, 'evicted tokens leave the index');
    assert.deepEqual(recount(fs, [t1, t2, t3, t4]), fs.counts());
    await closeStore(store);

    store = openStore(path);
    const again = new FeedbackStore(store, limits);
    assert.deepEqual(again.counts(), counts(5, 0, 0));
    assert.equal(again.answers, 2);
    assert.equal(again.find(t2), null);
    assert.deepEqual(again.find(t3)!.routes.length, 2);
    assert.deepEqual(again.find(t4)!.routes.length, 3);
    await closeStore(store);
  });

  test('maxRows under a flood with uncommitted writes: the bound holds after every record', async () => {
    const store = openStore(dir());
    const limits: FeedbackLimits = { maxRows: 20, maxAgeMs: WIDE.maxAgeMs };
    const fs = new FeedbackStore(store, limits);
    const tokens: string[] = [];
    for (let i = 0; i < 300; i++) {
      const t = token();
      tokens.push(t);
      const hops = 1 + (i % 3);
      fs.record(t, TN, T0 + i, routes(...Array.from({ length: hops }, (_, k) => [0, 10 + k, 1])));
      if (i % 2 === 0) fs.give(tokens[Math.max(0, i - 3)]!, TN, [A(0), A(10), A(1)], i % 4 === 0, T0 + i);
      assert.ok(fs.counts().rows <= 20, `rows ${fs.counts().rows} after ${i}`);
      if (i % 50 === 49) await fs.flushed();
    }
    assert.deepEqual(recount(fs, tokens), fs.counts());
    await fs.flushed();
    assert.equal(tokenKeys(store), fs.answers);
    const retained = tokens.filter((t) => fs.find(t) !== null);
    assert.equal(retained.length, fs.answers);
    assert.deepEqual(retained, tokens.slice(tokens.length - retained.length), 'the newest answers survive');
    await closeStore(store);
  });

  test('maxAge: answers as old as the bound go on the next record or sweep; sweep reports how many', async () => {
    const path = dir();
    let store = openStore(path);
    const limits: FeedbackLimits = { maxRows: 1000, maxAgeMs: 60_000 };
    const fs = new FeedbackStore(store, limits);
    const [t1, t2, t3, t4] = [token(), token(), token(), token()];
    fs.record(t1, TN, T0, routes([0, 1]));
    fs.record(t2, TN, T0 + 10_000, routes([0, 1], [0, 2, 1]));
    assert.equal(fs.give(t2, TN, [A(0), A(1)], true, T0 + 10_001), 'accepted');
    fs.record(t3, TN, T0 + 30_000, routes([0, 1]));
    assert.equal(fs.sweep(T0 + 59_999), 0, 'nothing is 60 s old yet');
    assert.equal(fs.answers, 3);
    // a record at T0 + 60 s drops t1 (created + maxAge <= now), not t2
    fs.record(t4, TN, T0 + 60_000, routes([0, 1]));
    assert.equal(fs.answers, 3);
    assert.equal(fs.find(t1), null);
    assert.deepEqual(fs.counts(), counts(4, 1, 1));
    await fs.flushed();
    assert.equal(fs.sweep(T0 + 69_999), 0);
    assert.equal(fs.sweep(T0 + 90_000), 2, 't2 and t3 are 60 s old');
    assert.deepEqual(fs.counts(), counts(1, 0, 0));
    assert.equal(fs.find(t2), null);
    assert.equal(fs.find(t3), null);
    assert.notEqual(fs.find(t4), null);
    await closeStore(store);

    // the sweep is durable
    store = openStore(path);
    const again = new FeedbackStore(store, limits);
    assert.deepEqual(again.counts(), counts(1, 0, 0));
    assert.equal(again.answers, 1);
    assert.equal(again.sweep(T0 + 120_000), 1);
    assert.deepEqual(again.counts(), counts(0, 0, 0));
    assert.equal(again.sweep(T0 + 120_000), 0, 'an empty table');
    await again.flushed();
    assert.equal(tokenKeys(store), 0);
    await closeStore(store);
  });

  test('sweep of answers still in flight (never committed) leaves nothing behind', async () => {
    const store = openStore(dir());
    const fs = new FeedbackStore(store, { maxRows: 1000, maxAgeMs: 1000 });
    const t = token();
    fs.record(t, TN, T0, routes([0, 1, 2]));
    assert.equal(fs.sweep(T0 + 1000), 1);
    assert.equal(fs.find(t), null);
    assert.equal(fs.give(t, TN, [A(0), A(1), A(2)], true, T0 + 1001), 'rejected');
    assert.deepEqual(fs.answersFor(TN, A(0), null), []);
    await fs.flushed();
    assert.equal(tokenKeys(store), 0);
    assert.deepEqual(fs.answersFor(TN, A(0), null), []);
    await closeStore(store);
  });

  test('reopen after close: the same answers, rows, feedback and counts; numbering continues', async () => {
    const path = dir();
    let store = openStore(path);
    let fs = new FeedbackStore(store, WIDE);
    const tokens = [token(), token(), token()];
    fs.record(tokens[0]!, TN, T0, routes([0, 1, 2], [0, 2]));
    fs.record(tokens[1]!, TN2, T0 + 1, routes([3, 4]));
    fs.record(tokens[2]!, TN, T0 + 2, routes([0, 5]));
    fs.give(tokens[0]!, TN, [A(0), A(2)], false, T0 + 3);
    fs.give(tokens[2]!, TN, [A(0), A(5)], true, T0 + 4);
    const before = tokens.map((t) => fs.find(t));
    const beforeCounts = fs.counts();
    assert.deepEqual(beforeCounts, counts(4, 2, 1));
    await closeStore(store);

    store = openStore(path);
    fs = new FeedbackStore(store, WIDE);
    assert.deepEqual(fs.counts(), beforeCounts);
    assert.equal(fs.answers, 3);
    assert.deepEqual(
      tokens.map((t) => fs.find(t)),
      before,
    );
    assert.equal(fs.record(token(), TN, T0 + 5, routes([0, 1])), 3);
    assert.equal(fs.give(tokens[1]!, TN2, [A(3), A(4)], true, T0 + 6), 'accepted', 'feedback still works after a reopen');
    assert.equal(fs.give(tokens[0]!, TN, [A(0), A(2)], true, T0 + 6), 'repeated');
    assert.deepEqual(fs.counts(), counts(5, 3, 2));
    await closeStore(store);
  });

  test('kill -9 while answers, feedback and evictions are being written: the counters match the rows', { timeout: 60_000 }, async () => {
    const path = dir();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../helpers/feedback-crash-child.ts', import.meta.url)), path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // wait until it has committed a good number of batches, then kill it mid-stream
    const until = Date.now() + 30_000;
    while (!/committed 20\b/.test(out) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.match(out, /committed 20\b/, 'the writer got going');
    await new Promise((r) => setTimeout(r, 37));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const store = openStore(path);
    const fs = new FeedbackStore(store, { maxRows: 200, maxAgeMs: WIDE.maxAgeMs });
    const answers: FeedbackAnswer[] = [];
    for (const s of CRASH_SOURCES) answers.push(...fs.answersFor(CRASH_NETWORK, s, null));
    assert.ok(answers.length > 0);
    assert.equal(answers.length, fs.answers, 'every answer in [oldest, next) is stored');
    let rows = 0;
    let withFeedback = 0;
    let successful = 0;
    for (const a of answers) {
      for (const r of a.routes) {
        rows++;
        if (r.successful !== null) withFeedback++;
        if (r.successful === true) successful++;
      }
      assert.equal(fs.find(a.token)?.seq, a.seq, 'the token index points at its answer');
    }
    assert.deepEqual(fs.counts(), { rows, withFeedback, successful });
    assert.ok(rows <= 200);
    assert.equal(tokenKeys(store), answers.length, 'no token of an evicted answer is left');
    await closeStore(store);
  });
});
