import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  booleanField,
  floatField,
  hexBytesField,
  integerField,
  naiveDateTimeField,
  pythonFloatFromString,
  pythonHexIntFromString,
  pythonIntFromString,
  rangeMessage,
  uuidField,
  type FieldOutcome,
} from '../../src/http/fields.ts';
import { parseJson, pythonUtcIsoformat, type JsonValue } from '../../src/http/index.ts';

function v(json: string): JsonValue {
  const r = parseJson(json);
  assert.ok(r.ok, json);
  return r.value;
}

function value<T>(r: FieldOutcome<T>): T {
  assert.ok(r.ok, JSON.stringify(r.ok ? null : r.error));
  return r.value;
}

function message<T>(r: FieldOutcome<T>): string {
  assert.equal(r.ok, false);
  return r.ok ? '' : (r.error as readonly string[])[0]!;
}

// Every expectation below was observed with CPython 3.11 int()/float()/uuid.UUID() and
// marshmallow 3.18.0 fields.

describe('Python int(str)', () => {
  it('accepts what CPython accepts', () => {
    const cases: [string, bigint][] = [
      ['5', 5n],
      [' 5 ', 5n],
      ['\t5\n', 5n],
      ['\r5', 5n],
      ['\u000b5', 5n],
      ['\u000c5', 5n],
      ['\u00855', 5n],
      ['\u00a05', 5n],
      ['\u30005', 5n],
      ['+5', 5n],
      ['-5', -5n],
      ['-0', 0n],
      ['05', 5n],
      ['00', 0n],
      ['0_5', 5n],
      ['1_000', 1000n],
    ];
    for (const [s, want] of cases) assert.equal(pythonIntFromString(s), want, JSON.stringify(s));
  });

  it('refuses what CPython refuses', () => {
    for (const s of ['', ' ', '1e3', '5.0', '0x5', '1__0', '1_', '_1', '+-1', '5\u001c', '\u001c5', '5\u0000', 'abc', '1 2']) {
      assert.equal(pythonIntFromString(s), null, JSON.stringify(s));
    }
  });

  it('refuses non-ASCII digits (CPython accepts them; our safe reading)', () => {
    assert.equal(pythonIntFromString('\u0665'), null);
    assert.equal(pythonIntFromString('\uff15'), null);
  });

  it('refuses more than 4300 digits, like CPython 3.9.14+', () => {
    assert.equal(pythonIntFromString('1'.repeat(4300)), BigInt('1'.repeat(4300)));
    assert.equal(pythonIntFromString('1'.repeat(4301)), null);
  });

  it('int(s, 16): optional 0x and an underscore after it', () => {
    assert.equal(pythonHexIntFromString('0x_1f'), 31n);
    assert.equal(pythonHexIntFromString('0X1F'), 31n);
    assert.equal(pythonHexIntFromString(' 1f '), 31n);
    assert.equal(pythonHexIntFromString('+1f'), 31n);
    assert.equal(pythonHexIntFromString('1_f'), 31n);
    for (const s of ['_1f', '0x', '0x_', '1__f', 'g']) assert.equal(pythonHexIntFromString(s), null, s);
  });
});

describe('Python float(str)', () => {
  it('accepts what CPython accepts', () => {
    const cases: [string, number][] = [
      ['1e5', 1e5],
      ['1E+5', 1e5],
      ['.5', 0.5],
      ['+.5', 0.5],
      ['5.', 5],
      ['-5.', -5],
      ['1_000.000_1', 1000.0001],
      [' 1_0.5e1_0 ', 105000000000],
      ['\u000b1.5', 1.5],
      ['1.5\u000c', 1.5],
      ['\u00851.5', 1.5],
      ['1e400', Infinity],
      ['inf', Infinity],
      ['-infinity', -Infinity],
      ['iNfInItY', Infinity],
    ];
    for (const [s, want] of cases) assert.equal(pythonFloatFromString(s), want, JSON.stringify(s));
    assert.ok(Number.isNaN(pythonFloatFromString('nan')));
    assert.ok(Number.isNaN(pythonFloatFromString('+nan')));
    assert.ok(Number.isNaN(pythonFloatFromString('-NaN')));
  });

  it('refuses what CPython refuses', () => {
    for (const s of ['', '1e', '.', '+', 'infinit', '0x10', '1_e5', '1e_5', '1._5', '1_.5', '\u001c1.5', '1.5\u001f', 'abc']) {
      assert.equal(pythonFloatFromString(s), null, JSON.stringify(s));
    }
  });
});

describe('Integer field', () => {
  it('JSON integers, floats truncated toward zero, decimal strings', () => {
    assert.equal(value(integerField(v('5'))), 5n);
    assert.equal(value(integerField(v('1.9'))), 1n);
    assert.equal(value(integerField(v('-1.9'))), -1n);
    assert.equal(value(integerField(v('1e10'))), 10_000_000_000n);
    assert.equal(value(integerField(v('1e30'))), 1000000000000000019884624838656n);
    assert.equal(value(integerField(v('" 42 "'))), 42n);
  });

  it('messages', () => {
    for (const j of ['true', 'false', '[5]', '{"_hex": "0x5"}', '"1e3"', '""', 'NaN']) {
      assert.equal(message(integerField(v(j))), 'Not a valid integer.', j);
    }
    for (const j of ['Infinity', '-Infinity', '1e400']) assert.equal(message(integerField(v(j))), 'Number too large.', j);
  });
});

describe('Float field', () => {
  it('numbers, integers, strings', () => {
    assert.equal(value(floatField(v('1.5'))), 1.5);
    assert.equal(value(floatField(v('5'))), 5);
    assert.equal(value(floatField(v('"1e3"'))), 1000);
    assert.equal(value(floatField(v('9007199254740993'))), 9007199254740992);
  });

  it('messages', () => {
    for (const j of ['true', '[1]', '{"a": 1}', '"abc"', '"0x10"', '""']) assert.equal(message(floatField(v(j))), 'Not a valid number.', j);
    for (const j of ['NaN', 'Infinity', '"nan"', '"-inf"', '"1e400"', '1e400']) {
      assert.equal(message(floatField(v(j))), 'Special numeric values (nan or infinity) are not permitted.', j);
    }
    assert.equal(message(floatField(v('1' + '0'.repeat(400)))), 'Number too large.');
  });
});

describe('Boolean field', () => {
  it("marshmallow's truthy and falsy sets", () => {
    for (const j of ['true', '1', '1.0', '"t"', '"T"', '"true"', '"True"', '"TRUE"', '"on"', '"On"', '"ON"', '"y"', '"Y"', '"yes"', '"Yes"', '"YES"', '"1"']) {
      assert.equal(value(booleanField(v(j))), true, j);
    }
    for (const j of ['false', '0', '0.0', '-0.0', '"f"', '"F"', '"false"', '"False"', '"FALSE"', '"off"', '"Off"', '"OFF"', '"n"', '"N"', '"no"', '"No"', '"NO"', '"0"']) {
      assert.equal(value(booleanField(v(j))), false, j);
    }
    for (const j of ['2', '"maybe"', '"tRue"', '[]', '{}', 'NaN', '0.5']) assert.equal(message(booleanField(v(j))), 'Not a valid boolean.', j);
  });
});

describe('UUID field (Python uuid.UUID)', () => {
  const hex = '0123456789abcdef0123456789abcdef';
  it('accepts the odd forms uuid.UUID accepts, normalised to uuid.hex', () => {
    for (const s of [
      hex,
      '01234567-89ab-cdef-0123-456789abcdef',
      '{urn:uuid:0123456789ABCDEF0123456789abcdef}}',
      'uuid:' + hex,
      'urn:' + hex,
      '{}' + hex + '{}',
      '0123-4567-89ab-cdef-0123-4567-89ab-cdef',
    ]) {
      assert.equal(value(uuidField(s)), hex, s);
    }
    assert.equal(value(uuidField('0x23456789abcdef0123456789abcdef')), '0023456789abcdef0123456789abcdef');
    assert.equal(value(uuidField(' 123456789abcdef0123456789abcdef')), '0123456789abcdef0123456789abcdef');
    assert.equal(value(uuidField('+123456789abcdef0123456789abcdef')), '0123456789abcdef0123456789abcdef');
    assert.equal(value(uuidField('1_23456789abcdef0123456789abcdef')), '0123456789abcdef0123456789abcdef');
    assert.equal(value(uuidField('0x_3456789abcdef0123456789abcdef')), '0003456789abcdef0123456789abcdef');
  });

  it('refuses the rest', () => {
    for (const j of ['"abc"', '""', '"-123456789abcdef0123456789abcdef"', '"_123456789abcdef0123456789abcdef"', '"0123456789abcdef0123456789abcdeg"', '5', 'true', '[]']) {
      assert.equal(message(uuidField(v(j))), 'Not a valid UUID.', j);
    }
  });
});

describe('HexedBytes field', () => {
  it('optional 0x/0X, even number of hex digits, possibly none', () => {
    assert.deepEqual([...value(hexBytesField('0x12'))], [0x12]);
    assert.deepEqual([...value(hexBytesField('0X12'))], [0x12]);
    assert.deepEqual([...value(hexBytesField('12'))], [0x12]);
    assert.deepEqual([...value(hexBytesField('0xAbCd'))], [0xab, 0xcd]);
    assert.equal(value(hexBytesField('0x')).length, 0);
    assert.equal(value(hexBytesField('')).length, 0);
    assert.equal(value(hexBytesField('0x' + '1'.repeat(130))).length, 65);
  });

  it('refuses what crashes the reference', () => {
    for (const j of ['"zz"', '"0x1"', '"0x0x12"', '"0x12 "', '12', '[]']) assert.equal(message(hexBytesField(v(j))), 'Not a valid hex string.', j);
  });
});

describe('NaiveDateTime field (marshmallow 3.18 ISO regex)', () => {
  const good: [string, string][] = [
    ['2019-11-07T12:52:25', '2019-11-07T12:52:25'],
    ['2019-11-07T12:52:25.123', '2019-11-07T12:52:25.123000'],
    ['2019-11-07 12:52', '2019-11-07T12:52:00'],
    ['2019-1-7T1:2:3', '2019-01-07T01:02:03'],
    ['2019-11-07T12:52:25.123456789012', '2019-11-07T12:52:25.123456'],
    ['2019-11-07T12:52:25\n', '2019-11-07T12:52:25'],
    ['2020-02-29T12:52:25', '2020-02-29T12:52:25'],
    ['9999-12-31T23:59:59.999999', '9999-12-31T23:59:59.999999'],
    ['0001-01-01T00:00', '0001-01-01T00:00:00'],
  ];
  for (const [text, iso] of good) {
    it(`accepts ${JSON.stringify(text)}`, () => {
      const r = value(naiveDateTimeField(text));
      assert.equal(r.text, text);
      assert.equal(pythonUtcIsoformat(r.epochMicros), iso);
    });
  }

  it('"Not a valid naive datetime." for a valid zone suffix', () => {
    for (const s of ['2019-11-07T12:52:25Z', '2019-11-07T12:52:25+00:00', '2019-11-07T12:52:25+23:59', '2019-11-07T12:52:25+0530', '2019-11-07T12:52:25-05']) {
      assert.equal(message(naiveDateTimeField(s)), 'Not a valid naive datetime.', s);
    }
  });

  it('"Not a valid datetime." for everything else', () => {
    for (const s of [
      '',
      'x',
      '2019-13-07T12:52:25',
      '2019-02-29T12:52:25',
      '1900-02-29T00:00',
      '2019-11-31T12:52:25Z',
      '2019-11-07T12:52:60',
      '2019-11-07T24:00:00',
      '0000-01-01T00:00',
      '2019-11-07t12:52:25',
      '2019-11-07T12:52:25z',
      '2019-11-07T12:52:25\n\n',
      ' 2019-11-07T12:52:25',
      '2019-11-07T12:52:25.',
      '2019-11-07T12:52:25.1234567890123',
      '12019-11-07T12:52',
      '2019-11-07T12:52:25+5',
      '2019-11-07T12:52:25+24:00',
      '2019-11-07T12:52:25.123456+99:99',
    ]) {
      assert.equal(message(naiveDateTimeField(s)), 'Not a valid datetime.', JSON.stringify(s));
    }
  });
});

describe('rangeMessage', () => {
  it("marshmallow's Range wording", () => {
    assert.equal(rangeMessage(1, null), 'Must be greater than or equal to 1.');
    assert.equal(rangeMessage(1, 25), 'Must be greater than or equal to 1 and less than or equal to 25.');
    assert.equal(rangeMessage(null, 7n), 'Must be less than or equal to 7.');
  });
});
