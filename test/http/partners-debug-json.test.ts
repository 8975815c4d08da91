import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Address, asAddress } from '../../src/domain/index.ts';
import {
  FAILED_REQUESTS_KEPT,
  FailedRequests,
  JsonFloat,
  debugIouReply,
  debugRoutesReply,
  debugStatsReply,
  feedbackAcceptedReply,
  feedbackRejected,
  parseDebugAddress,
  parseFeedbackRequest,
  parseJson,
  renderError,
  stringifyJson,
} from '../../src/http/index.ts';
import { suggestPartnerBody, suggestPartnerReply } from '../../src/http/partners-json.ts';
import { cs, envelopeOf, plain } from './helpers.ts';

/*
 * Wire formats of suggest_partner (spec §2.6: Python floats and an exact int), the feedback
 * body and replies (§2.5) and the debug endpoints (§2.10), byte for byte as the reference's
 * json.dumps writes them.
 */

const N0 = asAddress('0x19d36abd5b82ed0925177fbd3038ce7bcea72a45');
const N1 = asAddress('0x425ae7433087c2e11d012e0835fa73e8cea347be');
const N2 = asAddress('0xc2d7cf95645d33006175b78989035c7c9061d3f9');
const TN = asAddress('0x' + '01'.repeat(20));

function parsed(text: string): ReturnType<typeof parseJson> extends { ok: true; value: infer V } ? V : never {
  const r = parseJson(text);
  if (!r.ok) throw new Error('bad test JSON');
  return r.value as never;
}

describe('JsonFloat (python style)', () => {
  it('integral floats keep ".0"; repr rules for exponents; signed zero; non-finite as json.dumps writes them', () => {
    const f = (x: number) => stringifyJson(new JsonFloat(x), 'python');
    assert.equal(f(0), '0.0');
    assert.equal(f(-0), '-0.0');
    assert.equal(f(1), '1.0');
    assert.equal(f(12), '12.0');
    assert.equal(f(0.625), '0.625');
    assert.equal(f(5 / 7), '0.7142857142857143');
    assert.equal(f(1 / 3), '0.3333333333333333');
    assert.equal(f(1e15), '1000000000000000.0');
    assert.equal(f(1e16), '1e+16');
    assert.equal(f(1.5e300), '1.5e+300');
    assert.equal(f(0.0001), '0.0001');
    assert.equal(f(0.00001), '1e-05');
    assert.equal(f(-2.5e-7), '-2.5e-07');
    assert.equal(f(5e-324), '5e-324');
    assert.equal(f(NaN), 'NaN');
    assert.equal(f(Infinity), 'Infinity');
    assert.equal(f(-Infinity), '-Infinity');
  });

  it('a plain number that is integral stays an integer (the reference’s ints)', () => {
    assert.equal(stringifyJson({ a: 3, b: new JsonFloat(3) }, 'python'), '{"a": 3, "b": 3.0}');
  });
});

describe('suggest_partner body (spec §2.6, §9.2)', () => {
  it('keys address, score, centrality, uptime, capacity in that order; floats as Python floats, capacity exact', () => {
    const big = (1n << 256n) + 1n;
    const body = stringifyJson(
      suggestPartnerBody([
        { address: N0, score: 0.625 * 30 * 190, centrality: 0.625, uptime: 30, capacity: 190n },
        { address: N1, score: 0, centrality: 1, uptime: 0.5, capacity: big },
        { address: N2, score: -0, centrality: 0, uptime: -1.25, capacity: 0n },
      ]),
      'python',
    );
    assert.equal(
      body,
      `[{"address": "${cs(N0)}", "score": 3562.5, "centrality": 0.625, "uptime": 30.0, "capacity": 190}, ` +
        `{"address": "${cs(N1)}", "score": 0.0, "centrality": 1.0, "uptime": 0.5, "capacity": ${big}}, ` +
        `{"address": "${cs(N2)}", "score": -0.0, "centrality": 0.0, "uptime": -1.25, "capacity": 0}]`,
    );
  });

  it('the reply: 200 application/json, a list (empty when nothing is suggested)', () => {
    const r = suggestPartnerReply([]);
    assert.equal(r.status, 200);
    assert.equal(r.contentType, 'application/json');
    assert.equal(r.body, '[]\n');
  });
});

describe('POST /feedback body and replies (spec §2.5)', () => {
  const path = [cs(N0), cs(N1), cs(N2)];

  it('a valid body: token normalised to 32 lower-case hex digits, success and path parsed', () => {
    for (const token of ['0123456789abcdef0123456789ABCDEF', '01234567-89ab-cdef-0123-456789abcdef', '{01234567-89AB-CDEF-0123-456789ABCDEF}', 'urn:uuid:01234567-89ab-cdef-0123-456789abcdef']) {
      const r = parseFeedbackRequest(parsed(JSON.stringify({ token, success: true, path })));
      assert.ok(r.ok, token);
      assert.deepEqual(r.value, { token: '0123456789abcdef0123456789abcdef', success: true, path: [N0, N1, N2] });
    }
  });

  it('success takes marshmallow’s truthy and falsy values', () => {
    for (const [v, want] of [[true, true], [false, false], ['true', true], ['False', false], ['yes', true], ['off', false], [1, true], [0, false], ['1', true], ['0', false]] as const) {
      const r = parseFeedbackRequest(parsed(JSON.stringify({ token: 'a'.repeat(32), success: v, path })));
      assert.ok(r.ok, JSON.stringify(v));
      assert.equal(r.value.success, want);
    }
  });

  it('2000 with marshmallow’s messages: bad token, bad path entries, missing fields, unknown keys, wrong types', () => {
    const check = (body: unknown, details: unknown) => {
      const r = parseFeedbackRequest(parsed(JSON.stringify(body)));
      assert.equal(r.ok, false, JSON.stringify(body));
      if (r.ok) return;
      const e = envelopeOf(r.error);
      assert.equal(e.code, 2000);
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Request parameter failed validation. See `error_details`.');
      assert.deepEqual(plain(e.details), plain(details), JSON.stringify(body));
    };
    check({ token: 'abc', success: true, path }, { token: ['Not a valid UUID.'] });
    check({ token: 'g'.repeat(32), success: true, path }, { token: ['Not a valid UUID.'] });
    check({ token: 5, success: true, path }, { token: ['Not a valid UUID.'] });
    check({ token: 'a'.repeat(32), success: true, path: ['abc'] }, { path: { '0': ['Not a checksummed address: abc'] } });
    check({ token: 'a'.repeat(32), success: true, path: [cs(N0), N1, null] }, { path: { '1': [`Not a checksummed address: ${N1}`], '2': ['Field may not be null.'] } });
    check({ token: 'a'.repeat(32), success: true, path: cs(N0) }, { path: ['Not a valid list.'] });
    check({ token: 'a'.repeat(32), success: 'maybe', path }, { success: ['Not a valid boolean.'] });
    check({ token: 'a'.repeat(32), success: 2, path }, { success: ['Not a valid boolean.'] });
    check({ token: 'a'.repeat(32), success: null, path }, { success: ['Field may not be null.'] });
    check({ success: true }, { token: ['Missing data for required field.'], path: ['Missing data for required field.'] });
    check({ token: 'a'.repeat(32), success: true, path, extra: 1 }, { extra: ['Unknown field.'] });
    check([1], { _schema: ['Invalid input type.'] });
  });

  it('the replies: 200 `{}` and the bare 400 `{}` (not an envelope)', () => {
    assert.deepEqual(feedbackAcceptedReply(), { status: 200, contentType: 'application/json', body: '{}\n', headers: [] });
    assert.deepEqual(renderError(feedbackRejected()), { status: 400, contentType: 'application/json', body: '{}\n', headers: [] });
  });
});

describe('debug endpoints (spec §2.10)', () => {
  it('FailedRequests keeps the last 200, oldest first, and matches network, source and optional target', () => {
    assert.equal(FAILED_REQUESTS_KEPT, 200);
    const f = new FailedRequests();
    const other = asAddress('0x' + '02'.repeat(20));
    for (let i = 0; i < 205; i++) f.add({ network: i % 2 === 0 ? TN : other, source: N0, target: i % 3 === 0 ? N1 : N2 });
    // entries 5..204 remain: 100 of TN (even i), of those with i % 3 == 0: 34
    assert.equal(f.matching(TN, N0, null).length, 100);
    assert.equal(f.matching(other, N0, null).length, 100);
    assert.equal(f.matching(TN, N0, N1).length, [...Array(200).keys()].map((k) => k + 5).filter((i) => i % 2 === 0 && i % 3 === 0).length);
    assert.deepEqual(f.matching(TN, N1, null), []);
    const small = new FailedRequests(2);
    small.add({ network: TN, source: N0, target: N1 });
    small.add({ network: TN, source: N0, target: N2 });
    small.add({ network: TN, source: N0, target: N0 });
    assert.deepEqual(
      small.matching(TN, N0, null).map((x) => x.target),
      [N2, N0],
    );
  });

  it('parseDebugAddress: any letter case, with or without 0x; null where the reference raises', () => {
    const lower: Address = N0;
    for (const raw of [cs(N0), N0, N0.toUpperCase().replace('0X', '0x'), N0.slice(2), '0X' + N0.slice(2)]) assert.equal(parseDebugAddress(raw), lower, raw);
    for (const raw of ['', 'abc', N0 + '00', N0.slice(0, 41), '0x' + 'g'.repeat(40)]) assert.equal(parseDebugAddress(raw), null, raw);
  });

  it('routes: request_count, then responses {source, target, routes [{path, estimated_fee}]} with exact fees', () => {
    const r = debugRoutesReply([
      { source: N0, target: N2, routes: [] },
      { source: N0, target: N2, routes: [{ path: [N0, N1, N2], estimatedFee: -(10n ** 30n) }, { path: [N0, N2], estimatedFee: 0n }] },
    ]);
    assert.equal(r.status, 200);
    assert.equal(
      r.body,
      `{"request_count": 2, "responses": [{"source": "${cs(N0)}", "target": "${cs(N2)}", "routes": []}, ` +
        `{"source": "${cs(N0)}", "target": "${cs(N2)}", "routes": [{"path": ["${cs(N0)}", "${cs(N1)}", "${cs(N2)}"], "estimated_fee": -${10n ** 30n}}, ` +
        `{"path": ["${cs(N0)}", "${cs(N2)}"], "estimated_fee": 0}]}]}\n`,
    );
    assert.equal(debugRoutesReply([]).body, '{"request_count": 0, "responses": []}\n');
  });

  it('ious: {sender, amount, claimable_until} or {} (always 200)', () => {
    assert.deepEqual(debugIouReply(null), { status: 200, contentType: 'application/json', body: '{}\n', headers: [] });
    assert.equal(
      debugIouReply({ sender: N0, amount: 111n, claimableUntil: 7619644n }).body,
      `{"sender": "${cs(N0)}", "amount": 111, "claimable_until": 7619644}\n`,
    );
  });

  it('stats: the four counters in the reference’s order, as integers', () => {
    assert.equal(
      debugStatsReply({ totalCalculatedRoutes: 2, totalFeedbackReceived: 2, totalSuccessfulRoutes: 1, onlineNodes: 6 }).body,
      '{"total_calculated_routes": 2, "total_feedback_received": 2, "total_successful_routes": 1, "online_nodes": 6}\n',
    );
  });
});
