import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { openStore } from '../../src/store/environment.ts';
import { FeedbackStore } from '../../src/store/feedback-store.ts';

/**
 * A feedback writer that runs until it is killed (test/store/feedback-store.test.ts kills it
 * with SIGKILL): answers of 1-4 routes, feedback on recent ones and evictions by a 200-row
 * bound, issued continuously so the kill lands between and during commits. It prints
 * `committed <n>` after every n-th awaited commit.
 *
 * Usage: node --import tsx test/helpers/feedback-crash-child.ts <data dir>
 */

/** The network the child writes. */
export const CRASH_NETWORK = asAddress('0x' + '0c'.repeat(20));
/** The sources of its answers. */
export const CRASH_SOURCES: readonly Address[] = [1, 2, 3].map((i) => asAddress('0x' + i.toString(16).padStart(2, '0').repeat(20)));

const hop = (i: number): Address => asAddress('0x' + (0x40 + i).toString(16).padStart(2, '0').repeat(20));

async function main(path: string): Promise<void> {
  const store = openStore(path);
  const fs = new FeedbackStore(store, { maxRows: 200, maxAgeMs: 365 * 24 * 3600 * 1000 });
  const recent: { token: string; path: Address[] }[] = [];
  let batches = 0;
  for (let i = 0; ; i++) {
    for (let k = 0; k < 10; k++) {
      const n = i * 10 + k;
      const source = CRASH_SOURCES[n % CRASH_SOURCES.length]!;
      const token = randomBytes(16).toString('hex');
      const routes = Array.from({ length: 1 + (n % 4) }, (_, r) => ({ path: [source, hop(r), hop(10 + (n % 7))], estimatedFee: BigInt(n - r) }));
      fs.record(token, CRASH_NETWORK, Date.now(), routes);
      recent.push({ token, path: routes[routes.length - 1]!.path });
      if (recent.length > 30) recent.shift();
      const pick = recent[(n * 7) % recent.length]!;
      fs.give(pick.token, CRASH_NETWORK, pick.path, n % 3 === 0, Date.now());
    }
    if (i % 5 === 4) {
      await fs.flushed();
      batches++;
      process.stdout.write(`committed ${batches}\n`);
    } else {
      await new Promise((r) => setImmediate(r));
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void main(process.argv[2]!);
}
