import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isFeeTimestampInFuture,
  isoFromEpochMs,
  parseNaiveTimestamp,
  sortableFromEpochMs,
} from '../../src/protocol/index.ts';

describe('parseNaiveTimestamp: marshmallow 3.18 NaiveDateTime acceptance', () => {
  test('canonical isoformat and sortable forms', () => {
    const cases: [string, string, string][] = [
      ['2022-01-01T00:00:00', '2022-01-01T00:00:00', '2022-01-01T00:00:00.000000'],
      ['2022-01-01T00:00:00.123456', '2022-01-01T00:00:00.123456', '2022-01-01T00:00:00.123456'],
      // seconds are optional; fields may have one digit; space separator
      ['2022-1-2 3:4', '2022-01-02T03:04:00', '2022-01-02T03:04:00.000000'],
      ['2022-01-01T00:00:5', '2022-01-01T00:00:05', '2022-01-01T00:00:05.000000'],
      // a fraction is right-padded to microseconds; 7-12 digits are truncated to 6
      ['2022-01-01T00:00:00.5', '2022-01-01T00:00:00.500000', '2022-01-01T00:00:00.500000'],
      ['2022-01-01T00:00:00.1234567891', '2022-01-01T00:00:00.123456', '2022-01-01T00:00:00.123456'],
      // zero microseconds vanish from isoformat
      ['2022-01-01T00:00:00.000000', '2022-01-01T00:00:00', '2022-01-01T00:00:00.000000'],
      ['2022-01-01T00:00:00.000', '2022-01-01T00:00:00', '2022-01-01T00:00:00.000000'],
      // Python's `$` matches before one final newline
      ['2022-01-01T00:00:00\n', '2022-01-01T00:00:00', '2022-01-01T00:00:00.000000'],
      ['0001-01-01T00:00:00', '0001-01-01T00:00:00', '0001-01-01T00:00:00.000000'],
      ['9999-12-31T23:59:59.999999', '9999-12-31T23:59:59.999999', '9999-12-31T23:59:59.999999'],
      ['2024-02-29T12:00:00', '2024-02-29T12:00:00', '2024-02-29T12:00:00.000000'],
      ['2000-02-29T12:00:00', '2000-02-29T12:00:00', '2000-02-29T12:00:00.000000'],
      // Python's \d is any Unicode 13 decimal digit: Arabic-Indic, Devanagari, fullwidth, math
      ['٢٠٢٢-٠١-٠١T00:00:00', '2022-01-01T00:00:00', '2022-01-01T00:00:00.000000'],
      ['२०२२-0१-0१T१२:00', '2022-01-01T12:00:00', '2022-01-01T12:00:00.000000'],
      ['２０２２-01-01T00:00:00', '2022-01-01T00:00:00', '2022-01-01T00:00:00.000000'],
      ['𝟐𝟎𝟐𝟐-01-01T00:00:00', '2022-01-01T00:00:00', '2022-01-01T00:00:00.000000'],
    ];
    for (const [input, iso, sortable] of cases) {
      assert.deepEqual(parseNaiveTimestamp(input), { iso, sortable }, JSON.stringify(input));
    }
  });

  test('any timezone designator is refused', () => {
    for (const input of [
      '2022-01-01T00:00:00Z',
      '2022-01-01T00:00:00+00:00',
      '2022-01-01T00:00:00-05:30',
      '2022-01-01T00:00:00+0100',
      '2022-01-01T00:00:00+01',
      '2022-01-01T00:00Z',
      '2022-01-01T00:00:00.123456+00:00',
      '2022-01-01T00:00:00+00:00\n',
    ]) {
      assert.equal(parseNaiveTimestamp(input), 'timezone', input);
    }
  });

  test('malformed text is refused', () => {
    for (const input of [
      '',
      '2022-01-01',
      '2022-01-01T',
      '2022-01-01t00:00:00',
      '22-01-01T00:00:00',
      '02022-01-01T00:00:00',
      '2022-001-01T00:00:00',
      '2022-01-01T00:00:000',
      '2022-01-01T00:00:00.',
      '2022-01-01T00:00:00.1234567890123',
      '2022-01-01T00:00:00z',
      '2022-01-01T00:00:00 ',
      ' 2022-01-01T00:00:00',
      '2022-01-01T00:00:00\n\n',
      '2022-01-01T00:00:00\r\n',
      '2022-01-01T00:00:00+1',
      '2022/01/01T00:00:00',
      '2022-01-01T00:00:00' + '0'.repeat(100),
      // digits added to Unicode after 13.0 (Python 3.9) are not digits there
      '\u{16AC2}022-01-01T00:00:00',
      '\u{1E4F2}022-01-01T00:00:00',
    ]) {
      assert.equal(parseNaiveTimestamp(input), 'format', JSON.stringify(input));
    }
    for (const input of [null, 20220101, undefined, {}, ['2022-01-01T00:00:00']]) {
      assert.equal(parseNaiveTimestamp(input), 'not_a_string');
    }
  });

  test('impossible dates and times are refused (datetime() raises)', () => {
    for (const input of [
      '0000-01-01T00:00:00',
      '2022-00-01T00:00:00',
      '2022-13-01T00:00:00',
      '2022-01-00T00:00:00',
      '2022-01-32T00:00:00',
      '2022-02-29T00:00:00',
      '1900-02-29T00:00:00',
      '2022-04-31T00:00:00',
      '2022-01-01T24:00:00',
      '2022-01-01T00:60:00',
      '2022-01-01T00:00:60',
    ]) {
      assert.equal(parseNaiveTimestamp(input), 'out_of_range', input);
    }
  });

  test('exactly the 650 decimal digits of Unicode 13.0 count as digits', () => {
    const nd = /\p{Nd}/u;
    let accepted = 0;
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      // Only Nd characters can be accepted: the digit table maps nothing else.
      if (!nd.test(ch)) continue;
      const r = parseNaiveTimestamp(`2022-01-01T00:00:0${ch}`);
      if (typeof r === 'string') continue; // a digit added after Unicode 13.0 (Python 3.9)
      accepted++;
      assert.match(r.iso, /^2022-01-01T00:00:0\d$/);
    }
    // every non-ASCII entry of the table is a digit, and the table has 65 runs of 10
    assert.equal(accepted + 10, 650);
  });

  test('sortable forms order like datetimes', () => {
    const texts = [
      '2000-01-01T00:00:00',
      '2022-01-01T00:00:00',
      '2022-01-01T00:00:00.000001',
      '2022-01-01T00:00:01',
      '2022-01-01 0:0:1.5',
    ];
    const sortable = texts.map((t) => {
      const r = parseNaiveTimestamp(t);
      assert.ok(typeof r !== 'string');
      return r.sortable;
    });
    assert.deepEqual([...sortable].sort(), sortable);
  });
});

describe('clock helpers', () => {
  test('UTC forms of an epoch instant', () => {
    const ms = Date.UTC(2022, 0, 2, 3, 4, 5, 678);
    assert.equal(sortableFromEpochMs(ms), '2022-01-02T03:04:05.678000');
    assert.equal(isoFromEpochMs(ms), '2022-01-02T03:04:05.678000');
    assert.equal(isoFromEpochMs(Date.UTC(2022, 0, 2, 3, 4, 5)), '2022-01-02T03:04:05');
  });

  test('"Timestamp is in the future" means later than now + 1 hour, strictly', () => {
    const now = Date.UTC(2022, 0, 1, 12, 0, 0);
    assert.equal(isFeeTimestampInFuture('2022-01-01T13:00:00.000000', now), false);
    assert.equal(isFeeTimestampInFuture('2022-01-01T13:00:00.000001', now), true);
    assert.equal(isFeeTimestampInFuture('2022-01-01T12:59:59.999999', now), false);
    assert.equal(isFeeTimestampInFuture('2000-01-01T00:00:00.000000', now), false);
  });
});
