import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toChecksumAddress, UINT256_MAX, type Address } from '../../src/domain/index.ts';
import {
  parseAddressArgument,
  parseFeedbackRequest,
  parseIouQuery,
  parseJson,
  parsePathsRequest,
  parseTokenNetworkArgument,
  pythonUtcIsoformat,
  readJsonBody,
  renderError,
  type JsonValue,
  type PathsRequest,
} from '../../src/http/index.ts';
import { plain } from './helpers.ts';
import { FEEDBACK_CASES, IOU_QUERY_CASES, PATHS_CASES, type SchemaCase } from './reference-schema-cases.ts';

const A0 = '0x0000000000000000000000000000000000000000';
const PFS = '0xC2D7CF95645D33006175B78989035C7c9061d3F9';
const ONE_TO_N = '0x0101010101010101010101010101010101010101';

function body(text: string): JsonValue {
  const r = parseJson(text);
  assert.ok(r.ok, `test body must parse: ${text}`);
  return r.value;
}

function paths(value: unknown): ReturnType<typeof parsePathsRequest> {
  return parsePathsRequest(body(JSON.stringify(value)));
}

function details(result: { ok: false; error: { details: unknown } } | { ok: true }): unknown {
  assert.equal(result.ok, false);
  return plain((result as { error: { details: unknown } }).error.details);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Our successful paths result in the fixture's normalised form. */
function normalisedPaths(v: PathsRequest, ref: Record<string, unknown>): Record<string, unknown> {
  const pen = (refValue: unknown, ours: number, dflt: number): unknown => {
    // The reference keeps null (the route code applies the default); we resolve it.
    if (refValue === null) return ours === dflt ? null : ours;
    return Number(refValue) === ours ? refValue : ours;
  };
  return {
    from_: toChecksumAddress(v.from),
    to: toChecksumAddress(v.to),
    value: v.value.toString(),
    max_paths: v.maxPaths,
    iou:
      v.iou === null
        ? null
        : {
            sender: toChecksumAddress(v.iou.sender),
            receiver: toChecksumAddress(v.iou.receiver),
            amount: v.iou.amount.toString(),
            claimable_until: v.iou.claimableUntil.toString(),
            one_to_n_address: toChecksumAddress(v.iou.oneToNAddress),
            chain_id: v.iou.chainId.toString(),
            signature: hex(v.iou.signature),
            claimed: v.iou.claimed,
          },
    diversity_penalty: pen(ref['diversity_penalty'], v.diversityPenalty, 5),
    fee_penalty: pen(ref['fee_penalty'], v.feePenalty, 100),
  };
}

function expected(c: SchemaCase): { ok: Record<string, unknown> } | { err: unknown } {
  const reference = JSON.parse(c.reference) as { ok?: Record<string, unknown>; err?: unknown; crash?: string };
  if (c.ours !== undefined) {
    const ours = JSON.parse(c.ours) as { err?: unknown };
    assert.ok(ours.err !== undefined, `our documented difference is always a 2000 answer: ${c.body}`);
    return { err: plain(ours.err) };
  }
  assert.equal(reference.crash, undefined, `a reference crash needs our documented answer: ${c.body}`);
  if (reference.err !== undefined) return { err: plain(reference.err) };
  return { ok: reference.ok! };
}

describe('schemas against recorded marshmallow 3.18 outcomes', () => {
  it('POST /paths bodies', () => {
    assert.ok(PATHS_CASES.length > 80);
    for (const c of PATHS_CASES) {
      const want = expected(c);
      const got = parsePathsRequest(body(c.body));
      if ('err' in want) {
        assert.deepEqual(got.ok ? 'ok' : plain(got.error.details), want.err, c.body);
        if (!got.ok) assert.equal(got.error.code, 2000);
      } else {
        assert.ok(got.ok, `${c.body} should be accepted`);
        assert.deepEqual(normalisedPaths(got.value, want.ok), want.ok, c.body);
      }
    }
  });

  it('POST /feedback bodies', () => {
    for (const c of FEEDBACK_CASES) {
      const want = expected(c);
      const got = parseFeedbackRequest(body(c.body));
      if ('err' in want) {
        assert.deepEqual(got.ok ? 'ok' : plain(got.error.details), want.err, c.body);
      } else {
        assert.ok(got.ok, `${c.body} should be accepted`);
        assert.deepEqual(
          { token: got.value.token, success: got.value.success, path: got.value.path.map(toChecksumAddress) },
          want.ok,
          c.body,
        );
      }
    }
  });

  it('GET /payment/iou queries', () => {
    for (const c of IOU_QUERY_CASES) {
      const want = expected(c);
      const pairs = [...(body(c.body) as ReadonlyMap<string, JsonValue>)].map(([k, v]) => [k, v as string] as const);
      const got = parseIouQuery(pairs);
      if ('err' in want) {
        assert.deepEqual(got.ok ? 'ok' : plain(got.error.details), want.err, c.body);
      } else {
        assert.ok(got.ok, `${c.body} should be accepted`);
        assert.deepEqual(
          {
            sender: toChecksumAddress(got.value.sender),
            receiver: toChecksumAddress(got.value.receiver),
            timestamp: pythonUtcIsoformat(got.value.timestamp.epochMicros),
            text: got.value.timestamp.text,
            signature: hex(got.value.signature),
          },
          want.ok,
          c.body,
        );
      }
    }
  });
});

describe('test_api.py: test_get_paths_validation (spec §10.4)', () => {
  it('POST with no body: 400 "JSON payload expected", code 0', () => {
    const r = readJsonBody(undefined, new Uint8Array());
    assert.equal(r.ok, false);
    if (r.ok) return;
    const reply = renderError(r.error);
    assert.equal(reply.status, 400);
    const parsed = JSON.parse(reply.body);
    assert.ok(parsed.errors.startsWith('JSON payload expected'));
    assert.equal(parsed.error_code, 0);
  });

  for (const bad of ['notanaddress', PFS.toLowerCase()]) {
    for (const key of ['from', 'to'] as const) {
      it(`${key} = ${bad}: 2000 with "${key}" in error_details`, () => {
        const b: Record<string, unknown> = { from: A0, to: PFS, value: 5, max_paths: 3 };
        b[key] = bad;
        const r = paths(b);
        assert.equal(r.ok, false);
        if (r.ok) return;
        assert.equal(r.error.code, 2000);
        assert.equal(r.error.status, 400);
        assert.deepEqual(plain(r.error.details), { [key]: [`Not a checksummed address: ${bad}`] });
      });
    }
  }

  it('value -10 and max_paths -1: 2000 naming the fields', () => {
    assert.deepEqual(details(paths({ from: A0, to: PFS, value: -10, max_paths: 3 })), {
      value: ['Must be greater than or equal to 1.'],
    });
    assert.deepEqual(details(paths({ from: A0, to: PFS, value: 5, max_paths: -1 })), {
      max_paths: ['Must be greater than or equal to 1 and less than or equal to 25.'],
    });
  });

  it('the default request is accepted', () => {
    const r = paths({ from: A0, to: PFS, value: 5, max_paths: 3 });
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      from: A0,
      to: PFS.toLowerCase(),
      value: 5n,
      maxPaths: 3,
      iou: null,
      diversityPenalty: 5,
      feePenalty: 100,
    });
  });

  it('max_paths left out defaults to 5', () => {
    const r = paths({ from: A0, to: PFS, value: 10 });
    assert.ok(r.ok);
    assert.equal(r.value.maxPaths, 5);
  });

  const iou = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    sender: toChecksumAddress('0x6e0a0a6e5ba7c6c8b53aa8c9b1c7d1a0e7d6e1f2' as Address),
    receiver: PFS,
    one_to_n_address: ONE_TO_N,
    amount: 1,
    claimable_until: 15_000_000_000 + 604_800,
    chain_id: 131277322940537,
    signature: '0x' + 'ab'.repeat(65),
    ...over,
  });

  it('iou without amount: 2000', () => {
    const i = iou();
    delete i['amount'];
    assert.deepEqual(details(paths({ from: A0, to: PFS, value: 5, iou: i })), {
      iou: { amount: ['Missing data for required field.'] },
    });
  });

  it('iou with {"_hex": ...} objects as numbers: 2000', () => {
    const r = paths({
      from: A0,
      to: PFS,
      value: 5,
      iou: iou({ amount: { _hex: '0x64' }, claimable_until: { _hex: '0x5f5e100' }, chain_id: { _hex: '0x1' } }),
    });
    assert.deepEqual(details(r), {
      iou: {
        amount: ['Not a valid integer.'],
        chain_id: ['Not a valid integer.'],
        claimable_until: ['Not a valid integer.'],
      },
    });
  });

  it('iou with signature "0x" + "1"*130 passes the schema (its 2001 comes from the payment check)', () => {
    const r = paths({ from: A0, to: PFS, value: 5, iou: iou({ signature: '0x' + '1'.repeat(130) }) });
    assert.ok(r.ok);
    assert.equal(r.value.iou?.signature.length, 65);
  });

  it('a valid iou is parsed exactly', () => {
    const r = paths({ from: A0, to: PFS, value: 5, iou: iou() });
    assert.ok(r.ok);
    const i = r.value.iou!;
    assert.equal(i.receiver, PFS.toLowerCase());
    assert.equal(i.oneToNAddress, ONE_TO_N);
    assert.equal(i.amount, 1n);
    assert.equal(i.claimableUntil, 15_000_604_800n);
    assert.equal(i.chainId, 131277322940537n);
    assert.equal(i.claimed, null);
  });
});

describe('URL arguments', () => {
  it('test_get_paths_path_validation: 2003 for non-checksummed token networks', () => {
    for (const raw of ['1234abc', PFS.slice(2), PFS.toLowerCase(), '0X' + PFS.slice(2)]) {
      const r = parseTokenNetworkArgument(raw);
      assert.equal(r.ok, false, raw);
      if (r.ok) continue;
      assert.equal(r.error.code, 2003);
      assert.equal(r.error.status, 400);
      assert.equal(r.error.message, 'The token network needs to be given as a checksummed address');
      assert.deepEqual(r.error.details, { token_network: raw });
    }
  });

  it('the all-zero address is checksummed (its 2004 is decided by the caller)', () => {
    const r = parseTokenNetworkArgument(A0);
    assert.ok(r.ok);
    assert.equal(r.value, A0);
  });

  it('metadata address: 2006 with the replaced message', () => {
    const r = parseAddressArgument(PFS.toLowerCase());
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 2006);
    assert.equal(r.error.message, 'The address needs to be a valid checksummed Ethereum address');
    assert.deepEqual(r.error.details, { address: PFS.toLowerCase() });
    assert.ok(parseAddressArgument(PFS).ok);
  });
});

describe('exact integers', () => {
  it('value 2^200 as a bare JSON integer is exact, and so is its echo in a 2201 answer', () => {
    const big = 2n ** 200n;
    const text = `{"from": "${A0}", "to": "${PFS}", "value": ${big}}`;
    const r = parsePathsRequest(body(text));
    assert.ok(r.ok);
    assert.equal(r.value.value, big);
  });

  it('value as a decimal string, with Python int() whitespace rules', () => {
    for (const [v, want] of [
      ['1000', 1000n],
      [' 7\n', 7n],
      ['+5', 5n],
      ['1_000', 1000n],
      ['05', 5n],
      ['\u00a05\u3000', 5n],
    ] as const) {
      const r = paths({ from: A0, to: PFS, value: v });
      assert.ok(r.ok, v);
      assert.equal(r.value.value, want);
    }
  });

  it('value up to 2^256-1 is accepted; above is refused with a range message', () => {
    assert.ok(parsePathsRequest(body(`{"from": "${A0}", "to": "${PFS}", "value": ${UINT256_MAX}}`)).ok);
    const r = parsePathsRequest(body(`{"from": "${A0}", "to": "${PFS}", "value": ${UINT256_MAX + 1n}}`));
    assert.deepEqual(details(r), { value: [`Must be less than or equal to ${UINT256_MAX}.`] });
  });

  it('floats are truncated toward zero with the double value kept exact (int(1e30))', () => {
    const r = parsePathsRequest(body(`{"from": "${A0}", "to": "${PFS}", "value": 1e30, "max_paths": 25.9}`));
    assert.ok(r.ok);
    assert.equal(r.value.value, 1000000000000000019884624838656n);
    assert.equal(r.value.maxPaths, 25);
  });
});

describe('hostile and odd bodies', () => {
  it('__proto__ and constructor are ordinary (unknown) keys and pollute nothing', () => {
    const r = parsePathsRequest(body(`{"from": "${A0}", "to": "${PFS}", "value": 5, "__proto__": {"polluted": 1}, "constructor": 2}`));
    // Built with JSON.parse: in an object literal "__proto__" would set the prototype.
    assert.deepEqual(details(r), plain(JSON.parse('{"__proto__": ["Unknown field."], "constructor": ["Unknown field."]}')));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  it('error_details lists declared fields first, then unknown keys in input order', () => {
    const r = parsePathsRequest(body('{"zzz": 1, "value": 0, "aaa": 2, "to": "x", "from": "y"}'));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual([...(r.error.details as ReadonlyMap<string, unknown>).keys()], ['from', 'to', 'value', 'zzz', 'aaa']);
  });

  it('the 2000 envelope is written as the reference writes it', () => {
    const r = paths({ from: 'notanaddress', to: PFS, value: -10 });
    assert.equal(r.ok, false);
    if (r.ok) return;
    const reply = renderError(r.error);
    assert.equal(reply.status, 400);
    assert.equal(reply.contentType, 'application/json');
    assert.equal(
      reply.body,
      '{"errors": "Request parameter failed validation. See `error_details`.", "error_code": 2000, ' +
        '"error_details": {"from": ["Not a checksummed address: notanaddress"], "value": ["Must be greater than or equal to 1."]}}\n',
    );
  });

  it('deeply nested input is refused cheaply, before any schema work', () => {
    const deep = new TextEncoder().encode('['.repeat(200_000) + ']'.repeat(200_000));
    const t0 = performance.now();
    const r = readJsonBody('application/json', deep);
    const ms = performance.now() - t0;
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.kind, 'envelope');
    assert.equal(renderError(r.error).status, 400);
    assert.match(JSON.parse(renderError(r.error).body).errors, /nesting deeper than 32/);
    assert.ok(ms < 200, `took ${ms} ms`);
  });

  it('a number with a huge count of digits is refused', () => {
    const text = `{"from": "${A0}", "to": "${PFS}", "value": ${'9'.repeat(100_000)}}`;
    const r = readJsonBody('application/json', new TextEncoder().encode(text));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(JSON.parse(renderError(r.error).body).errors, /number longer than 4300/);
  });

  it('a non-object body is 2000 {"_schema": ["Invalid input type."]}', () => {
    for (const text of ['[1]', '"x"', '1', '1.5', 'true']) {
      assert.deepEqual(details(parsePathsRequest(body(text))), { _schema: ['Invalid input type.'] }, text);
      assert.deepEqual(details(parseFeedbackRequest(body(text))), { _schema: ['Invalid input type.'] }, text);
    }
  });

  it('negative and non-finite penalties are refused (the reference crashes on negatives)', () => {
    assert.deepEqual(details(paths({ from: A0, to: PFS, value: 5, diversity_penalty: -1, fee_penalty: '-0.5' })), {
      diversity_penalty: ['Must be greater than or equal to 0.'],
      fee_penalty: ['Must be greater than or equal to 0.'],
    });
    const r = parsePathsRequest(body(`{"from": "${A0}", "to": "${PFS}", "value": 5, "diversity_penalty": NaN, "fee_penalty": "inf"}`));
    assert.deepEqual(details(r), {
      diversity_penalty: ['Special numeric values (nan or infinity) are not permitted.'],
      fee_penalty: ['Special numeric values (nan or infinity) are not permitted.'],
    });
  });

  it('null penalties mean the defaults', () => {
    const r = paths({ from: A0, to: PFS, value: 5, diversity_penalty: null, fee_penalty: null });
    assert.ok(r.ok);
    assert.equal(r.value.diversityPenalty, 5);
    assert.equal(r.value.feePenalty, 100);
    const s = paths({ from: A0, to: PFS, value: 5, diversity_penalty: 0, fee_penalty: '1e3' });
    assert.ok(s.ok);
    assert.equal(s.value.diversityPenalty, 0);
    assert.equal(s.value.feePenalty, 1000);
  });
});

describe('test_api.py: test_feedback and test_get_iou (schema parts)', () => {
  const token = '0123456789abcdef0123456789abcdef';

  it('token "abc" and path ["abc"] are 2000', () => {
    assert.deepEqual(details(parseFeedbackRequest(body(`{"token": "abc", "success": true, "path": ["${A0}"]}`))), {
      token: ['Not a valid UUID.'],
    });
    assert.deepEqual(details(parseFeedbackRequest(body(`{"token": "${token}", "success": true, "path": ["abc"]}`))), {
      path: { 0: ['Not a checksummed address: abc'] },
    });
  });

  it('a dashed token is normalised to uuid.hex', () => {
    const r = parseFeedbackRequest(body(`{"token": "01234567-89AB-cdef-0123-456789abcdef", "success": "yes", "path": []}`));
    assert.ok(r.ok);
    assert.equal(r.value.token, token);
    assert.equal(r.value.success, true);
  });

  it('a missing path is 2000 (the reference crashes)', () => {
    assert.deepEqual(details(parseFeedbackRequest(body(`{"token": "${token}", "success": true}`))), {
      path: ['Missing data for required field.'],
    });
  });

  it('timezone-aware timestamps are 2000 "Not a valid naive datetime."', () => {
    for (const ts of ['2019-11-07T12:52:25Z', '2019-11-07T12:52:25+00:00']) {
      const r = parseIouQuery([
        ['sender', A0],
        ['receiver', PFS],
        ['timestamp', ts],
        ['signature', '0x' + '12'.repeat(65)],
      ]);
      assert.deepEqual(details(r), { timestamp: ['Not a valid naive datetime.'] }, ts);
    }
  });

  it('a repeated query parameter counts with its first value', () => {
    const r = parseIouQuery([
      ['sender', A0],
      ['receiver', PFS],
      ['timestamp', '2019-11-07T12:52:25.5'],
      ['timestamp', 'garbage'],
      ['signature', '0x12'],
    ]);
    assert.ok(r.ok);
    assert.equal(r.value.timestamp.text, '2019-11-07T12:52:25.5');
    assert.equal(pythonUtcIsoformat(r.value.timestamp.epochMicros), '2019-11-07T12:52:25.500000');
    assert.equal(r.value.timestamp.epochMicros, BigInt(Date.UTC(2019, 10, 7, 12, 52, 25, 500)) * 1000n);
  });
});
