import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EventLogReader, type LogLine, fileKey } from '../../actors/ingress/event-log-reader.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir();
after(() => dir.cleanup());
let files = 0;

function file(content: string | Buffer): string {
  const path = join(dir.path, `log-${files++}.ndjson`);
  writeFileSync(path, content);
  return path;
}

/** Reads everything, `per` lines at a time. */
function readAll(path: string, per: number, offset = 0, line = 0): LogLine[] {
  const r = new EventLogReader(path, offset, line);
  const out: LogLine[] = [];
  try {
    for (;;) {
      const chunk = r.next(per);
      assert.ok(chunk.length <= per, 'never more than asked for');
      if (chunk.length === 0) break;
      out.push(...chunk);
    }
    assert.deepEqual(r.next(per), [], 'stays at the end');
  } finally {
    r.close();
  }
  return out;
}

/** What the lines of `content` must be, computed independently of the reader. */
function expected(content: Buffer): { text: string; number: number; endOffset: number }[] {
  const out = [];
  let start = 0;
  let number = 0;
  while (start < content.length) {
    let nl = content.indexOf(10, start);
    const end = nl < 0 ? content.length : nl + 1;
    if (nl < 0) nl = content.length;
    let text = content.subarray(start, nl).toString('utf8');
    if (end !== content.length || content[content.length - 1] === 10) text = text.replace(/\r$/, '');
    out.push({ text, number: ++number, endOffset: end });
    start = end;
  }
  return out;
}

describe('EventLogReader', () => {
  test('returns every line with its 1-based number and the byte offset after it, whatever the chunk size', () => {
    const content = Buffer.from('{"a":1}\n\n{"b":"ünï"}\n   \n{"c":3}\n', 'utf8');
    const path = file(content);
    const want = expected(content);
    assert.deepEqual(want.map((l) => l.text), ['{"a":1}', '', '{"b":"ünï"}', '   ', '{"c":3}']);
    for (const per of [1, 2, 3, 100]) assert.deepEqual(readAll(path, per), want, `chunks of ${per}`);
    // offsets are bytes, not characters
    assert.equal(want[2]!.endOffset, 8 + 1 + Buffer.byteLength('{"b":"ünï"}\n'));
  });

  test('CRLF line ends: the \\r is not part of the text, the offset counts it', () => {
    const content = Buffer.from('{"a":1}\r\n\r\n{"b":2}\r\n');
    const lines = readAll(file(content), 10);
    assert.deepEqual(lines.map((l) => l.text), ['{"a":1}', '', '{"b":2}']);
    assert.deepEqual(lines.map((l) => l.endOffset), [9, 11, 20]);
  });

  test('a last line without a newline is returned, ending at the file size', () => {
    const content = Buffer.from('{"a":1}\n{"b":2}');
    const lines = readAll(file(content), 10);
    assert.deepEqual(lines, [
      { text: '{"a":1}', number: 1, endOffset: 8 },
      { text: '{"b":2}', number: 2, endOffset: 15 },
    ]);
    assert.deepEqual(readAll(file(''), 10), [], 'an empty file has no lines');
    assert.deepEqual(readAll(file('\n'), 10), [{ text: '', number: 1, endOffset: 1 }]);
  });

  test('lines spanning the 1 MiB read buffer, with multi-byte characters cut by it, come back whole', () => {
    // lines of varying length, some with 2-, 3- and 4-byte characters, some CRLF, > 2.5 MiB in all
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 2.6 * (1 << 20); i++) {
      const pad = ['x', 'é', '€', '🚀'][i % 4]!.repeat((i * 37) % 3000);
      const l = JSON.stringify({ i, pad }) + (i % 5 === 0 ? '\r\n' : '\n');
      parts.push(l);
      size += Buffer.byteLength(l);
    }
    parts.push('{"last":true}');
    const content = Buffer.from(parts.join(''), 'utf8');
    const path = file(content);
    const want = expected(content);
    const got = readAll(path, 97);
    assert.equal(got.length, want.length);
    assert.deepEqual(got, want);
    for (const l of got.slice(0, -1)) JSON.parse(l.text);
  });

  test('resumes at any line boundary from its byte offset and line number, giving exactly the rest', () => {
    const parts = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, s: 'ü'.repeat(i % 17) }) + (i % 3 === 0 ? '\r\n' : '\n'));
    parts.splice(100, 0, '\n', '\n');
    const content = Buffer.from(parts.join(''));
    const path = file(content);
    const all = readAll(path, 1000);
    for (const k of [0, 1, 2, 99, 100, 101, 150, all.length - 1, all.length]) {
      const from = k === 0 ? { endOffset: 0, number: 0 } : all[k - 1]!;
      assert.deepEqual(readAll(path, 7, from.endOffset, from.number), all.slice(k), `resume after line ${k}`);
    }
  });

  test('fileKey: same content, same key; other content, other key; a log beyond 64 KiB keeps its key when it grows', () => {
    const small = '{"kind":"chain","block":1,"event":"Block"}\n';
    const a = file(small);
    const b = file(small);
    assert.match(fileKey(a), /^[0-9a-f]{32}$/);
    assert.equal(fileKey(a), fileKey(b), 'keyed by content, not by path');
    assert.equal(fileKey(a), fileKey(a), 'stable');
    assert.notEqual(fileKey(file(small.replace('1', '2'))), fileKey(a));

    const big = file('x'.repeat(64 * 1024 - 1) + '\n');
    const before = fileKey(big);
    appendFileSync(big, '{"more":1}\n');
    assert.equal(fileKey(big), before, 'only the first 64 KiB identify the log');
    // below 64 KiB the whole file is the identity: a small log that grows is another log
    appendFileSync(a, small);
    assert.notEqual(fileKey(a), fileKey(b));
  });
});
