import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isJsonContentType, pythonTruthy, readJsonBody, renderError, type JsonBodyResult } from '../../src/http/index.ts';

const enc = new TextEncoder();

function reply(r: JsonBodyResult): { status: number; body: string } {
  assert.equal(r.ok, false);
  if (r.ok) throw new Error('unreachable');
  const out = renderError(r.error);
  return { status: out.status, body: out.body };
}

const PAYLOAD_EXPECTED = '{"errors": "JSON payload expected", "error_code": 0, "error_details": {}}\n';
const BAD_REQUEST = '{"message": "The browser (or proxy) sent a request that this server could not understand."}\n';

// Verified against Flask 2.1.3 / Werkzeug 2.0.1 / flask-restful 0.3.9 with the reference's
// `_parse_post` and error handler.
describe('readJsonBody: Werkzeug get_json + the reference falsy rule', () => {
  it('JSON media types, any case, parameters ignored, +json suffix', () => {
    for (const ct of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.foo+json', ' application/json ']) {
      assert.ok(isJsonContentType(ct), ct);
    }
    for (const ct of [undefined, '', 'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'application/jsonx', 'json']) {
      assert.equal(isJsonContentType(ct), false, String(ct));
    }
  });

  it('no JSON content type: 400 "JSON payload expected" even for a JSON body', () => {
    assert.deepEqual(reply(readJsonBody('text/plain', enc.encode('{"a": 1}'))), { status: 400, body: PAYLOAD_EXPECTED });
    assert.deepEqual(reply(readJsonBody(undefined, enc.encode('{"a": 1}'))), { status: 400, body: PAYLOAD_EXPECTED });
  });

  it('falsy JSON values: "JSON payload expected"', () => {
    for (const t of ['{}', '[]', 'null', 'false', '0', '0.0', '-0.0', '""', ' {} ']) {
      assert.deepEqual(reply(readJsonBody('application/json', enc.encode(t))), { status: 400, body: PAYLOAD_EXPECTED }, t);
    }
  });

  it('malformed JSON (and an empty body with a JSON type): BadRequest {"message": ...}', () => {
    for (const t of ['', '{"a": ', '{"a": 1} x', "{'a': 1}", '{"a": "\u0001"}']) {
      assert.deepEqual(reply(readJsonBody('application/json', enc.encode(t))), { status: 400, body: BAD_REQUEST }, t);
    }
    assert.deepEqual(reply(readJsonBody('application/json', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]))), { status: 400, body: BAD_REQUEST });
  });

  it('limit violations: code 0 with the reason', () => {
    const r = reply(readJsonBody('application/json', enc.encode('['.repeat(100) + ']'.repeat(100))));
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), { errors: 'JSON payload rejected: nesting deeper than 32', error_code: 0, error_details: {} });
  });

  it('truthy values go on to the schema, NaN included (truthy in Python)', () => {
    for (const t of ['{"a": 1}', '[0]', '1', '"x"', 'true', 'NaN', '0.5']) {
      const r = readJsonBody('application/json; charset=utf-8', enc.encode(t));
      assert.ok(r.ok, t);
    }
  });

  it('pythonTruthy', () => {
    assert.equal(pythonTruthy(0n), false);
    assert.equal(pythonTruthy(-0), false);
    assert.equal(pythonTruthy(NaN), true);
    assert.equal(pythonTruthy(new Map()), false);
    assert.equal(pythonTruthy(new Map([['a', null]])), true);
  });
});
