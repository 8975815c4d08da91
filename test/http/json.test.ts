import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_JSON_LIMITS,
  parseJson,
  parseJsonBytes,
  stringifyJson,
  type JsonLimits,
  type JsonParseResult,
  type JsonValue,
} from '../../src/http/index.ts';

function ok(text: string, limits?: JsonLimits): JsonValue {
  const r = parseJson(text, limits);
  assert.ok(r.ok, `should parse: ${JSON.stringify(text)} (${r.ok ? '' : r.error.message})`);
  return r.value;
}

function fails(r: JsonParseResult, kind: 'syntax' | 'limit'): string {
  assert.equal(r.ok, false);
  if (r.ok) return '';
  assert.equal(r.error.kind, kind, r.error.message);
  return r.error.message;
}

describe('parseJson: numbers', () => {
  it('integers are always bigint, exact at any size', () => {
    assert.equal(ok('0'), 0n);
    assert.equal(ok('-0'), 0n);
    assert.equal(ok('5'), 5n);
    assert.equal(ok('9007199254740993'), 9007199254740993n);
    assert.equal(ok(String(2n ** 200n)), 2n ** 200n);
    assert.equal(ok(String(2n ** 256n - 1n)), 2n ** 256n - 1n);
    assert.equal(ok('-123456789012345678901234567890'), -123456789012345678901234567890n);
  });

  it('a fraction or an exponent makes a double', () => {
    assert.equal(ok('1.0'), 1);
    assert.equal(ok('1e3'), 1000);
    assert.equal(ok('1E+2'), 100);
    assert.equal(ok('2.5e-3'), 0.0025);
    assert.ok(Object.is(ok('-0.0'), -0));
    assert.equal(ok('1e400'), Infinity); // as Python's float('1e400')
    assert.equal(ok('9007199254740993.0'), 9007199254740992);
  });

  it('NaN, Infinity and -Infinity are accepted as Python json accepts them', () => {
    assert.ok(Number.isNaN(ok('NaN')));
    assert.equal(ok('Infinity'), Infinity);
    assert.equal(ok('-Infinity'), -Infinity);
  });

  it('...and refused when allowNonFinite is off, with overflowing floats', () => {
    const strict = { ...DEFAULT_JSON_LIMITS, allowNonFinite: false };
    fails(parseJson('NaN', strict), 'limit');
    fails(parseJson('[-Infinity]', strict), 'limit');
    fails(parseJson('1e400', strict), 'limit');
    assert.equal(ok('1e300', strict), 1e300);
  });

  it('refuses what Python refuses', () => {
    for (const t of ['01', '1.', '.5', '+1', '--1', '-', '1e', '1e+', '0x10', '1_0', 'nan', 'infinity', '-NaN', 'Infinity1']) {
      fails(parseJson(t), 'syntax');
    }
  });

  it('a number longer than maxNumberLength is a limit error (Python refuses > 4300 digits)', () => {
    assert.equal(ok('9'.repeat(4300)), BigInt('9'.repeat(4300)));
    assert.match(fails(parseJson('9'.repeat(4301)), 'limit'), /number longer than 4300/);
    assert.match(fails(parseJson('[' + '1'.repeat(1_000_000) + ']'), 'limit'), /number longer/);
    const small = { ...DEFAULT_JSON_LIMITS, maxNumberLength: 5 };
    assert.equal(ok('-1234', small), -1234n);
    fails(parseJson('123456', small), 'limit');
    fails(parseJson('1.2345', small), 'limit');
  });
});

describe('parseJson: strings, objects, arrays', () => {
  it('escapes, lone surrogates kept (as in Python)', () => {
    assert.equal(ok('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"'), 'a"b\\c/d\b\f\n\r\t');
    assert.equal(ok('"\\u00e9\\ud83d\\ude00"'), 'é😀');
    assert.equal(ok('"\\ud800"'), '\ud800');
    assert.equal(ok('"é"'), 'é');
  });

  it('refuses control characters, bad escapes and unterminated strings', () => {
    fails(parseJson('"\u0001"'), 'syntax');
    fails(parseJson('"a\nb"'), 'syntax');
    fails(parseJson('"\\x41"'), 'syntax');
    fails(parseJson('"\\u12"'), 'syntax');
    fails(parseJson('"abc'), 'syntax');
    fails(parseJson('"abc\\'), 'syntax');
    fails(parseJson("'a'"), 'syntax');
  });

  it('objects are Maps: keys like __proto__ are ordinary, no prototype is touched', () => {
    const v = ok('{"__proto__": {"polluted": true}, "constructor": 1, "toString": 2}');
    assert.ok(v instanceof Map);
    assert.deepEqual([...v.keys()], ['__proto__', 'constructor', 'toString']);
    assert.ok(v.get('__proto__') instanceof Map);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('duplicate keys: first position, last value (Python dict)', () => {
    const v = ok('{"a": 1, "b": 2, "a": 3}') as ReadonlyMap<string, JsonValue>;
    assert.deepEqual([...v.entries()], [
      ['a', 3n],
      ['b', 2n],
    ]);
  });

  it('integer-like keys keep their input order', () => {
    const v = ok('{"b": 1, "1": 2, "a": 3, "0": 4}') as ReadonlyMap<string, JsonValue>;
    assert.deepEqual([...v.keys()], ['b', '1', 'a', '0']);
  });

  it('whitespace is JSON whitespace only; nothing may follow the value', () => {
    assert.deepEqual(ok(' \t\n\r[ 1 , 2 ]\r\n '), [1n, 2n]);
    fails(parseJson('\u00a0[]'), 'syntax');
    fails(parseJson('\u000b1'), 'syntax');
    fails(parseJson('{} x'), 'syntax');
    fails(parseJson('{}{}'), 'syntax');
    fails(parseJson(''), 'syntax');
  });

  it('refuses trailing commas, missing colons and unquoted keys', () => {
    for (const t of ['[1,]', '{"a":1,}', '{"a" 1}', '{a:1}', '[1 2]', '{"a":1 "b":2}', '[', '{', '{"a":']) fails(parseJson(t), 'syntax');
  });

  it('literals', () => {
    assert.deepEqual(ok('[true, false, null]'), [true, false, null]);
    fails(parseJson('tru'), 'syntax');
    fails(parseJson('True'), 'syntax');
    fails(parseJson('None'), 'syntax');
  });
});

describe('parseJson: limits', () => {
  it('nesting deeper than maxDepth is refused early and cheaply', () => {
    const limits = { ...DEFAULT_JSON_LIMITS, maxDepth: 3 };
    assert.deepEqual(ok('[[[1]]]', limits), [[[1n]]]);
    fails(parseJson('[[[[1]]]]', limits), 'limit');
    fails(parseJson('{"a": {"b": {"c": {}}}}', limits), 'limit');
    const t0 = performance.now();
    const msg = fails(parseJson('['.repeat(5_000_000)), 'limit');
    assert.match(msg, /nesting deeper than 32/);
    assert.ok(performance.now() - t0 < 50);
  });

  it('strings longer than maxStringLength are refused, escaped or not, keys too', () => {
    const limits = { ...DEFAULT_JSON_LIMITS, maxStringLength: 4 };
    assert.equal(ok('"abcd"', limits), 'abcd');
    assert.equal(ok('"\\u0041bc\\n"', limits), 'Abc\n');
    fails(parseJson('"abcde"', limits), 'limit');
    fails(parseJson('"abcd\\n"', limits), 'limit');
    fails(parseJson('{"abcde": 1}', limits), 'limit');
  });

  it('containers with more than maxEntries members are refused', () => {
    const limits = { ...DEFAULT_JSON_LIMITS, maxEntries: 3 };
    assert.deepEqual(ok('[1,2,3]', limits), [1n, 2n, 3n]);
    fails(parseJson('[1,2,3,4]', limits), 'limit');
    fails(parseJson('{"a":1,"b":2,"c":3,"d":4}', limits), 'limit');
    // duplicates count: the work is what matters
    fails(parseJson('{"a":1,"a":2,"a":3,"a":4}', limits), 'limit');
  });
});

describe('parseJsonBytes', () => {
  it('decodes UTF-8, skips a BOM, refuses invalid UTF-8', () => {
    const enc = new TextEncoder();
    assert.deepEqual(
      (() => {
        const r = parseJsonBytes(enc.encode('{"a": "é"}'));
        return r.ok ? [...(r.value as ReadonlyMap<string, JsonValue>)] : null;
      })(),
      [['a', 'é']],
    );
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('[1]')]);
    const r = parseJsonBytes(bom);
    assert.ok(r.ok);
    assert.deepEqual(r.value, [1n]);
    fails(parseJsonBytes(new Uint8Array([0x22, 0xff, 0x22])), 'syntax');
  });
});

describe('stringifyJson', () => {
  it('writes bigint as bare exact integers', () => {
    assert.equal(stringifyJson({ amount: 2n ** 200n, fee: -5n }), `{"amount":${2n ** 200n},"fee":-5}`);
  });

  it('round-trips big integers exactly', () => {
    const text = `{"value": ${2n ** 200n}, "list": [${2n ** 256n - 1n}, -1, 0]}`;
    const r = parseJson(text);
    assert.ok(r.ok);
    assert.equal(stringifyJson(r.value, 'python'), text);
  });

  it('python style is json.dumps: ", " and ": " separators, ensure_ascii, lower-case escapes', () => {
    assert.equal(
      stringifyJson({ a: [1n, 'é\u2028"\\\n\u0001\u007f'], b: null, c: true }, 'python'),
      '{"a": [1, "\\u00e9\\u2028\\"\\\\\\n\\u0001\\u007f"], "b": null, "c": true}',
    );
    assert.equal(stringifyJson('😀', 'python'), '"\\ud83d\\ude00"');
  });

  it('python style writes floats as Python repr, integral numbers as integers', () => {
    assert.equal(stringifyJson([0.5, 1e-7, 1.5e16, 1e22, 123.456, 3600, -0, 1e16], 'python'), '[0.5, 1e-07, 1.5e+16, 1e+22, 123.456, 3600, 0, 1e+16]');
    assert.equal(stringifyJson([0.5, 1e-7, 3600], 'compact'), '[0.5,1e-7,3600]');
  });

  it('Maps keep insertion order; undefined members of records are left out', () => {
    assert.equal(stringifyJson(new Map<string, bigint>([['z', 1n], ['a', 2n]])), '{"z":1,"a":2}');
    assert.equal(stringifyJson({ a: 1n, b: undefined, c: 'x' }), '{"a":1,"c":"x"}');
    const proto = parseJson('{"__proto__": 1}');
    assert.ok(proto.ok);
    assert.equal(stringifyJson(proto.value), '{"__proto__":1}');
  });

  it('a non-finite number is a programming error', () => {
    assert.throws(() => stringifyJson(NaN), TypeError);
    assert.throws(() => stringifyJson({ x: Infinity }, 'python'), TypeError);
  });

  it('compact strings are JSON.stringify strings', () => {
    assert.equal(stringifyJson({ 'k"': 'é\n\ud800' }), '{"k\\"":"é\\n\\ud800"}');
  });
});
