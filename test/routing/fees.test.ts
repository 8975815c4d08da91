import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FeeSchedule, makeFeeSchedule } from '../../src/graph/index.ts';
import { amountWithFeesReference } from '../../src/routing/fees-reference.ts';
import { amountWithFees, linearWeightFee, weightFee } from '../../src/routing/fees.ts';
import { rat, roundHalfEven } from '../../src/routing/rational.ts';
import { Random } from '../helpers/random.ts';

function randomSchedule(rng: Random, scale: bigint, withPenalty: boolean): FeeSchedule {
  let penalty: [bigint, bigint][] | null = null;
  if (withPenalty) {
    const n = rng.int(1, 6);
    const xs = new Set<bigint>();
    for (let k = 0; k < n * 3 && xs.size < n; k++) xs.add(rng.bigint(0n, scale * 3n));
    if (rng.chance(0.5)) xs.add(0n);
    penalty = [...xs].sort((a, b) => (a < b ? -1 : 1)).map((x) => [x, rng.bigint(0n, scale / 2n + 1n)]);
  }
  const s = makeFeeSchedule({
    capFees: rng.chance(0.5),
    flat: rng.chance(0.5) ? 0n : rng.bigint(0n, scale / 10n + 1n),
    proportional: rng.chance(0.4) ? 0n : rng.bigint(0n, rng.chance(0.1) ? 1_500_000n : 100_000n),
    imbalancePenalty: penalty,
  });
  if (typeof s === 'string') throw new Error(s);
  return s;
}

describe('fast fee routine equals the reference transcription', () => {
  test('random inputs, small and large magnitudes', () => {
    const rng = new Random(1234);
    let defined = 0;
    for (let k = 0; k < Number(process.env.FEE_CASES ?? 20_000); k++) {
      const scale = rng.pick([10n, 100n, 1000n, 10n ** 18n, 10n ** 24n]);
      const input = {
        amount: rng.bigint(1n, scale),
        balanceIn: rng.chance(0.1) ? 0n : rng.bigint(0n, scale * 2n),
        balanceOut: rng.chance(0.05) ? 0n : rng.bigint(0n, scale * 2n),
        receivable: rng.chance(0.05) ? 0n : rng.bigint(0n, scale * 2n),
        scheduleIn: randomSchedule(rng, scale, rng.chance(0.6)),
        scheduleOut: randomSchedule(rng, scale, rng.chance(0.6)),
        capFees: rng.chance(0.5),
      };
      const expected = amountWithFeesReference(input);
      assert.equal(amountWithFees(input), expected, JSON.stringify(input, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
      if (expected !== null) defined++;
    }
    assert.ok(defined > 3000, `too few defined results to be meaningful: ${defined}`);
  });

  test('the linear closed form of the edge weight equals the general routine', () => {
    const rng = new Random(99);
    for (let k = 0; k < 20_000; k++) {
      const scale = rng.pick([100n, 10n ** 18n]);
      const sender = randomSchedule(rng, scale, false);
      const receiver = randomSchedule(rng, scale, false);
      const amount = rng.bigint(1n, scale);
      const capacity = rng.chance(0.1) ? 0n : rng.bigint(0n, scale * 2n);
      const general = amountWithFeesReference({
        amount,
        balanceIn: capacity,
        balanceOut: capacity,
        receivable: capacity,
        scheduleIn: receiver,
        scheduleOut: sender,
        capFees: true,
      });
      const closed = linearWeightFee(amount, capacity, sender.flat, sender.proportional, receiver.flat, receiver.proportional);
      assert.equal(closed, general === null ? null : general - amount);
      assert.equal(weightFee(amount, capacity, sender, receiver), closed);
    }
  });

  test('round half to even', () => {
    assert.deepEqual([1n, 3n, 5n, -1n, -3n].map((n) => roundHalfEven(rat(n, 2n))), [0n, 2n, 2n, 0n, -2n]);
    assert.equal(roundHalfEven(rat(7n, 3n)), 2n);
    assert.equal(roundHalfEven(rat(-7n, 3n)), -2n);
  });
});

describe('double-double fast path of the edge-weight fee', () => {
  test('never disagrees with the exact routine; decides most inputs itself', async () => {
    const { fastWeightFee } = await import('../../src/routing/weight-fee-fast.ts');
    const { ddFromBigInt } = await import('../../src/routing/interval-dd.ts');
    const rng = new Random(4321);
    let decided = 0;
    const total = Number(process.env.FEE_CASES ?? 20_000);
    for (let k = 0; k < total; k++) {
      const scale = rng.pick([10n, 1000n, 10n ** 12n, 10n ** 18n, 10n ** 22n]);
      const sender = randomSchedule(rng, scale, rng.chance(0.4));
      const receiver = randomSchedule(rng, scale, rng.chance(0.4));
      const amount = rng.bigint(1n, scale);
      const capacity = rng.chance(0.05) ? 0n : rng.bigint(0n, scale * 3n);
      const exact = weightFee(amount, capacity, sender, receiver);
      const decoded = (x: FeeSchedule) => ({ schedule: x, zeroForWeights: false, hasPenalty: false, flatShadow: 0, proportionalShadow: 0, derived: undefined });
      const fast = fastWeightFee(ddFromBigInt(amount)!, ddFromBigInt(capacity)!, decoded(sender), decoded(receiver));
      if (fast === undefined) continue;
      decided++;
      assert.equal(fast, exact === null ? null : Number(exact), `amount ${amount} capacity ${capacity}`);
    }
    assert.ok(decided > total * 0.8, `fast path decided only ${decided} of ${total}`);
  });
});
