/**
 * Splitting a Matrix message body into Raiden message lines (spec §8.5). The reference
 * does `for line in body.splitlines(): line = line.strip(); if not line: continue`, with
 * Python's definitions of line boundaries and whitespace, which differ from JavaScript's
 * (`\x1c`-`\x1e` and `\x85` end lines; `\x1f` and `\x85` are whitespace, `\ufeff` is not).
 */

// str.splitlines(): \n, \r, \r\n, \v, \f, \x1c, \x1d, \x1e, \x85, \u2028, \u2029.
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

// str.isspace() characters under Python 3.9 (Unicode 13).
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

/** Python's `str.strip()` with no argument. */
export function pythonStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

/** The non-empty, stripped lines of a message body, in order. */
export function splitMessageBody(body: string): string[] {
  const lines: string[] = [];
  for (const raw of body.split(PY_LINE_BREAK)) {
    const line = pythonStrip(raw);
    if (line.length > 0) lines.push(line);
  }
  return lines;
}
