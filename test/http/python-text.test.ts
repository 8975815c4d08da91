import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJson, pythonFloatRepr, pythonStr, pythonUtcIsoformat } from '../../src/http/index.ts';
import { civilFromDays, daysFromCivil } from '../../src/http/python-text.ts';

describe('pythonFloatRepr (values checked against CPython repr)', () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [-2.5, '-2.5'],
    [3600, '3600.0'],
    [0.1, '0.1'],
    [1e-4, '0.0001'],
    [1e-5, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e15, '1000000000000000.0'],
    [1234567890123456.7, '1234567890123456.8'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1e22, '1e+22'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
    [123.456, '123.456'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];
  for (const [x, want] of cases) it(`${want}`, () => assert.equal(pythonFloatRepr(x), want));
});

describe('pythonStr (the text of "Not a checksummed address: <v>")', () => {
  it('matches CPython str() of the parsed JSON values', () => {
    const cases: [string, string][] = [
      ['5', '5'],
      ['-0.0', '-0.0'],
      ['1e16', '1e+16'],
      ['true', 'True'],
      ['false', 'False'],
      ['null', 'None'],
      ['"plain"', 'plain'],
      ['{"x": [1, "y\'\\""]}', `{'x': [1, 'y\\'"']}`],
      [
        '["a", "b\\"", "it\'s", "\\u00e9\\u0001\\u2028\\u007f", 1.0, 1e16, true, null, {"k": 1e-5}, "\\ud800", "\\ud83d\\ude00"]',
        `['a', 'b"', "it's", 'é\\x01\\u2028\\x7f', 1.0, 1e+16, True, None, {'k': 1e-05}, '\\ud800', '😀']`,
      ],
    ];
    for (const [json, want] of cases) {
      const r = parseJson(json);
      assert.ok(r.ok);
      assert.equal(pythonStr(r.value), want, json);
    }
  });
});

describe('pythonUtcIsoformat (datetime.isoformat of naive UTC)', () => {
  it('omits microseconds when zero, keeps six digits otherwise', () => {
    assert.equal(pythonUtcIsoformat(BigInt(Date.UTC(2021, 9, 18, 15, 22, 12)) * 1000n + 407699n), '2021-10-18T15:22:12.407699');
    assert.equal(pythonUtcIsoformat(BigInt(Date.UTC(2021, 9, 18, 15, 22, 12)) * 1000n), '2021-10-18T15:22:12');
    assert.equal(pythonUtcIsoformat(5n), '1970-01-01T00:00:00.000005');
    assert.equal(pythonUtcIsoformat(-1n), '1969-12-31T23:59:59.999999');
  });

  it('pads years to four digits', () => {
    const micros = BigInt(daysFromCivil(1, 1, 1)) * 86_400_000_000n;
    assert.equal(pythonUtcIsoformat(micros), '0001-01-01T00:00:00');
  });

  it('civil day arithmetic agrees with Date over a wide range', () => {
    for (let d = -800_000; d <= 800_000; d += 997) {
      const date = new Date(d * 86_400_000);
      const c = civilFromDays(d);
      assert.deepEqual(c, { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
      assert.equal(daysFromCivil(c.year, c.month, c.day), d);
    }
  });
});
