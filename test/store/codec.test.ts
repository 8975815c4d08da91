import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Reader, Writer, writeUint256BE } from '../../src/store/codec.ts';

const UINT256_MAX = (1n << 256n) - 1n;

describe('Writer/Reader: explicit byte encodings', () => {
  test('every field type round-trips, in order, and the reader ends exactly at the end', () => {
    const bytes = new Writer(1) // tiny initial buffer: forces several growths
      .u8(0)
      .u8(255)
      .u32(0)
      .u32(0xffffffff)
      .u53(0)
      .u53(4294967296) // 2^32: the high word is used
      .u53(Number.MAX_SAFE_INTEGER)
      .uint(0n)
      .uint(1n)
      .uint(255n)
      .uint(256n)
      .uint(UINT256_MAX)
      .uint((1n << 2040n) - 1n) // 255 bytes: the largest the length byte allows
      .bytes(new Uint8Array(0))
      .bytes(Uint8Array.from([1, 2, 3]))
      .fixed(Uint8Array.from([9, 8, 7, 6]))
      .string('')
      .string('capabilities: mxc://raiden.network/cap?Receive=1 ünïcödé 🚀')
      .done();
    const r = new Reader(bytes);
    assert.equal(r.u8(), 0);
    assert.equal(r.u8(), 255);
    assert.equal(r.u32(), 0);
    assert.equal(r.u32(), 0xffffffff);
    assert.equal(r.u53(), 0);
    assert.equal(r.u53(), 4294967296);
    assert.equal(r.u53(), Number.MAX_SAFE_INTEGER);
    assert.equal(r.uint(), 0n);
    assert.equal(r.uint(), 1n);
    assert.equal(r.uint(), 255n);
    assert.equal(r.uint(), 256n);
    assert.equal(r.uint(), UINT256_MAX);
    assert.equal(r.uint(), (1n << 2040n) - 1n);
    assert.deepEqual([...r.bytes()], []);
    assert.deepEqual([...r.bytes()], [1, 2, 3]);
    assert.deepEqual([...r.fixed(4)], [9, 8, 7, 6]);
    assert.equal(r.string(), '');
    assert.equal(r.string(), 'capabilities: mxc://raiden.network/cap?Receive=1 ünïcödé 🚀');
    assert.equal(r.finished, true);
  });

  test('the byte layout is the documented one (stored data must stay readable across versions)', () => {
    assert.equal(new Writer().u32(0x01020304).done().toString('hex'), '01020304');
    assert.equal(new Writer().u53(2 ** 40 + 5).done().toString('hex'), '0000010000000005');
    // compact uint: length byte then minimal big-endian bytes; zero is a lone 0 byte
    assert.equal(new Writer().uint(0n).done().toString('hex'), '00');
    assert.equal(new Writer().uint(0x0abcn).done().toString('hex'), '020abc');
    assert.equal(new Writer().uint(UINT256_MAX).done().toString('hex'), '20' + 'ff'.repeat(32));
    assert.equal(new Writer().bytes(Uint8Array.from([0xaa])).done().toString('hex'), '0001aa');
    assert.equal(new Writer().string('é').done().toString('hex'), '0002c3a9');
  });

  test('amounts are exact at every size: no float, no truncation', () => {
    for (let bits = 0; bits <= 256; bits++) {
      for (const v of [1n << BigInt(bits), (1n << BigInt(bits)) - 1n, (1n << BigInt(bits)) + 1n]) {
        if (v > UINT256_MAX + 1n) continue;
        assert.equal(new Reader(new Writer().uint(v).done()).uint(), v, `2^${bits} neighbourhood: ${v}`);
      }
    }
    assert.equal(new Reader(new Writer().uint(2n ** 53n + 1n).done()).uint(), 2n ** 53n + 1n);
  });

  test('refuses values it cannot represent instead of writing something else', () => {
    assert.throws(() => new Writer().uint(-1n), /negative/);
    assert.throws(() => new Writer().uint(1n << 2040n), /255 bytes/);
    assert.throws(() => new Writer().bytes(new Uint8Array(0x10000)), /65535/);
  });

  test('done() returns a copy that later writes do not change', () => {
    const w = new Writer(4).u8(1);
    const first = w.done();
    w.u8(2).u32(3);
    assert.deepEqual([...first], [1]);
    assert.equal(w.done().length, 6);
  });

  test('reads from a Uint8Array view at an offset, and returned buffers do not alias the input', () => {
    const inner = new Writer().u32(7).bytes(Uint8Array.from([5, 6])).done();
    const backing = new Uint8Array(inner.length + 10);
    backing.set(inner, 10);
    const r = new Reader(backing.subarray(10));
    assert.equal(r.u32(), 7);
    const b = r.bytes();
    backing[backing.length - 1] = 99;
    assert.deepEqual([...b], [5, 6]);
    assert.equal(r.finished, true);
  });

  test('truncated input throws at every cut point (never reads past the end)', () => {
    const full = new Writer().u8(1).u32(2).u53(3).uint(UINT256_MAX).bytes(Uint8Array.from([1, 2, 3])).string('ab').done();
    for (let cut = 0; cut < full.length; cut++) {
      const r = new Reader(full.subarray(0, cut));
      assert.throws(() => {
        r.u8();
        r.u32();
        r.u53();
        r.uint();
        r.bytes();
        r.string();
      }, /truncated/, `cut at ${cut}`);
    }
    assert.throws(() => new Reader(Buffer.from([3, 1])).fixed(3), /truncated/);
  });

  test('finished is false while bytes remain', () => {
    const r = new Reader(new Writer().u8(1).u8(2).done());
    r.u8();
    assert.equal(r.finished, false);
    r.u8();
    assert.equal(r.finished, true);
  });
});

describe('writeUint256BE (key fields that sort by value)', () => {
  test('writes the same 32 bytes as the hex form, at the boundaries of its two paths', () => {
    const values = [0n, 1n, 0xffn, 0xffffffffffffn, 0x1000000000000n, (1n << 64n) - 1n, 1n << 64n, (1n << 255n) + 12345n, (1n << 256n) - 1n];
    for (const v of values) {
      const out = Buffer.alloc(40, 0xaa);
      writeUint256BE(out, 4, v);
      assert.equal(out.subarray(4, 36).toString('hex'), v.toString(16).padStart(64, '0'), v.toString());
      // the bytes around the field are untouched
      assert.equal(out[3], 0xaa);
      assert.equal(out[36], 0xaa);
    }
  });

  test('byte order is value order', () => {
    const a = Buffer.alloc(32);
    const b = Buffer.alloc(32);
    writeUint256BE(a, 0, 0xffffffffffffn);
    writeUint256BE(b, 0, 0x1000000000000n);
    assert.ok(Buffer.compare(a, b) < 0);
  });

  test('refuses values outside uint256', () => {
    assert.throws(() => writeUint256BE(Buffer.alloc(32), 0, -1n), /outside uint256/);
    assert.throws(() => writeUint256BE(Buffer.alloc(32), 0, 1n << 256n), /outside uint256/);
  });
});
