import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asAddress } from '../../src/domain/index.ts';
import {
  addressNotOnline,
  DEFAULT_MESSAGES,
  depositTooLow,
  ERROR_CODES,
  feedbackRejected,
  inconsistentInternalState,
  insufficientServicePayment,
  internalServerError,
  invalidSignature,
  iouAlreadyClaimed,
  iouExpiredTooEarly,
  malformedJson,
  methodNotAllowed,
  missingIou,
  noLastIou,
  noRouteFound,
  notFoundHtml,
  notFoundJson,
  payloadTooLarge,
  renderError,
  requestOutdated,
  SEARCH_BUDGET_EXHAUSTED_MESSAGE,
  searchBudgetExhausted,
  serviceOverloaded,
  statusText,
  unsupportedChainId,
  unsupportedTokenNetwork,
  useThisIou,
  wrongIouRecipient,
  wrongOneToNAddress,
  type ApiError,
} from '../../src/http/index.ts';

const PFS = asAddress('0xc2d7cf95645d33006175b78989035c7c9061d3f9');
const PFS_CS = '0xC2D7CF95645D33006175B78989035C7c9061d3F9';
const A0 = asAddress('0x0000000000000000000000000000000000000000');
const ONE = asAddress('0x0101010101010101010101010101010101010101');

function body(e: ApiError): unknown {
  return JSON.parse(renderError(e).body);
}

describe('the reference error table (spec §2.11)', () => {
  it('codes, HTTP statuses and default messages', () => {
    const rows: [ApiError, number, number, string][] = [
      [invalidSignature(), 2001, 400, 'The signature did not match the signed content.'],
      [requestOutdated(), 2002, 400, 'The request contains too old timestamps or nonces.'],
      [unsupportedTokenNetwork('0x00'), 2004, 400, 'This service does not work on the given token network.'],
      [unsupportedChainId(1n), 2005, 400, 'This service does not work on the given blockchain.'],
      [missingIou(), 2101, 400, 'No IOU for service fees has been provided.'],
      [wrongIouRecipient(PFS), 2102, 400, 'IOU not addressed to the correct receiver.'],
      [iouExpiredTooEarly(1n, 0n), 2103, 400, 'Please use a higher `claimable_until`.'],
      [insufficientServicePayment(2n, 1n), 2104, 400, 'The provided payment is lower than service fee.'],
      [iouAlreadyClaimed(), 2105, 400, 'The IOU is already claimed. Please start new session with different `claimable_until`.'],
      [depositTooLow(1n, 0n, 5n), 2107, 400, 'Not enough deposit in UserDeposit contract.'],
      [wrongOneToNAddress(ONE, A0), 2108, 400, 'The IOU uses a different OneToN contract than the service'],
      [noRouteFound({ from: A0, to: PFS, value: 1n }), 2201, 404, 'No route between nodes found.'],
      [inconsistentInternalState(), 2202, 500, 'The pathfinding service is temporarily in an inconsistent state. Please try again.'],
      [addressNotOnline('x', 1.5), 2203, 404, 'There is no user found online for given address.'],
    ];
    for (const [e, code, status, message] of rows) {
      assert.equal(e.kind, 'envelope');
      if (e.kind !== 'envelope') continue;
      assert.equal(e.code, code);
      assert.equal(e.status, status);
      assert.equal(e.message, message);
      assert.equal(DEFAULT_MESSAGES.get(code), message);
      assert.equal(renderError(e).status, status);
    }
    assert.equal(DEFAULT_MESSAGES.get(ERROR_CODES.INVALID_REQUEST), 'Request parameter failed validation. See `error_details`.');
    assert.equal(DEFAULT_MESSAGES.get(ERROR_CODES.UNKNOWN), 'Unknown Error');
  });

  it('the envelope is written byte for byte like flask-restful', () => {
    const reply = renderError(missingIou());
    assert.equal(reply.body, '{"errors": "No IOU for service fees has been provided.", "error_code": 2101, "error_details": {}}\n');
    assert.equal(reply.contentType, 'application/json');
    assert.deepEqual(reply.headers, []);
  });

  it('details carry exact integers and checksummed addresses', () => {
    assert.deepEqual(body(unsupportedChainId(131277322940537n)), {
      errors: 'This service does not work on the given blockchain.',
      error_code: 2005,
      error_details: { expected: 131277322940537 },
    });
    assert.match(renderError(insufficientServicePayment(2n ** 200n, 1n)).body, new RegExp(`"expected_amount": ${2n ** 200n}, "actual_amount": 1`));
    assert.match(renderError(iouExpiredTooEarly(1700604800n, 1700000000n)).body, /"min_expiry": 1700604800, "claimable_until_received": 1700000000/);
    assert.match(renderError(depositTooLow(200n, 100n, 7n)).body, /"required_deposit": 200, "seen_deposit": 100, "block_number": 7/);
    assert.deepEqual((body(wrongIouRecipient(PFS)) as { error_details: unknown }).error_details, { expected: PFS_CS });
    assert.deepEqual((body(wrongOneToNAddress(ONE, PFS)) as { error_details: unknown }).error_details, { expected: ONE, got: PFS_CS });
  });

  it('2106 details carry the full active IOU, claimed included', () => {
    const e = useThisIou({
      sender: A0,
      receiver: PFS,
      amount: 100n,
      claimableUntil: 1700000000n,
      oneToNAddress: ONE,
      chainId: 1n,
      signature: new Uint8Array([0xab, 0x01]),
      claimed: false,
    });
    assert.equal(
      renderError(e).body,
      '{"errors": "Please increase the amount of the existing IOU instead of creating a new one.", "error_code": 2106, ' +
        '"error_details": {"iou": {"sender": "0x0000000000000000000000000000000000000000", "receiver": "' +
        PFS_CS +
        '", "amount": 100, "claimable_until": 1700000000, "one_to_n_address": "0x0101010101010101010101010101010101010101", ' +
        '"chain_id": 1, "signature": "0xab01", "claimed": false}}}\n',
    );
  });

  it('2201 with a quick-check reason and the approximate block; details key is from_', () => {
    const e = noRouteFound({ from: A0, to: PFS, value: 2n ** 200n }, 'Source not online', 1234n);
    assert.deepEqual(JSON.parse(renderError(e).body, (_k, v) => v), {
      errors: 'Source not online. Approximate block at the time of the request 1234',
      error_code: 2201,
      error_details: { from_: A0, to: PFS_CS, value: Number(2n ** 200n) },
    });
    assert.match(renderError(e).body, new RegExp(`"value": ${2n ** 200n}\\}`));
    assert.equal(renderError(e).status, 404);
  });

  it('2201 for an exhausted search budget says so', () => {
    const e = searchBudgetExhausted({ from: A0, to: PFS, value: 10n });
    assert.equal(e.code, 2201);
    assert.equal(e.status, 404);
    assert.equal(e.message, SEARCH_BUDGET_EXHAUSTED_MESSAGE);
    assert.match(e.message, /budget was exhausted/);
    assert.deepEqual(e.details, { from_: A0, to: PFS_CS, value: 10n });
  });

  it('2203 carries seen_offline_since as a float', () => {
    assert.equal(
      renderError(addressNotOnline(PFS_CS, 12.345678)).body,
      `{"errors": "There is no user found online for given address.", "error_code": 2203, "error_details": {"address": "${PFS_CS}", "seen_offline_since": 12.345678}}\n`,
    );
  });
});

describe('our additions', () => {
  it('503 overload and 413 body too large, in the envelope with 29xx codes', () => {
    const o = serviceOverloaded(2, 'queue_full');
    assert.equal(o.status, 503);
    assert.deepEqual((body(o) as { error_details: unknown }).error_details, { retry_after: 2, reason: 'queue_full' });
    assert.equal(o.code, ERROR_CODES.SERVICE_OVERLOADED);
    assert.equal(o.code, 2901);
    const p = payloadTooLarge(65536);
    assert.equal(p.status, 413);
    assert.equal(p.code, 2902);
    assert.deepEqual(body(p), {
      errors: 'Request body too large (limit 65536 bytes).',
      error_code: 2902,
      error_details: { max_bytes: 65536 },
    });
    // outside 2100-2199, which the Raiden client treats as "IOU rejected"
    for (const c of [o.code, p.code]) assert.ok(c < 2100 || c >= 2200);
  });

  it('status lines for uWebSockets.js', () => {
    assert.equal(statusText(404), '404 Not Found');
    assert.equal(statusText(413), '413 Payload Too Large');
    assert.equal(statusText(503), '503 Service Unavailable');
    assert.equal(statusText(299), '299');
  });
});

describe('non-envelope answers', () => {
  it('malformed JSON: Werkzeug BadRequest through flask-restful', () => {
    const r = renderError(malformedJson());
    assert.equal(r.status, 400);
    assert.equal(r.body, '{"message": "The browser (or proxy) sent a request that this server could not understand."}\n');
  });

  it('405 with Allow, 500, JSON 404', () => {
    const m = renderError(methodNotAllowed(['OPTIONS', 'POST']));
    assert.equal(m.status, 405);
    assert.equal(m.body, '{"message": "The method is not allowed for the requested URL."}\n');
    assert.deepEqual(m.headers, [['Allow', 'OPTIONS, POST']]);
    assert.equal(renderError(internalServerError()).body, '{"message": "Internal Server Error"}\n');
    assert.equal(renderError(internalServerError()).status, 500);
    assert.equal(renderError(notFoundJson()).status, 404);
    assert.match(renderError(notFoundJson()).body, /^\{"message": "The requested URL was not found on the server\./);
  });

  it("unknown path: Werkzeug's HTML 404 page", () => {
    const r = renderError(notFoundHtml());
    assert.equal(r.status, 404);
    assert.equal(r.contentType, 'text/html; charset=utf-8');
    assert.equal(
      r.body,
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
        '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n',
    );
  });

  it('feedback rejected is 400 {} and GET iou without IOU is 404 {"last_iou": null}', () => {
    assert.deepEqual(renderError(feedbackRejected()), { status: 400, contentType: 'application/json', body: '{}\n', headers: [] });
    assert.deepEqual(renderError(noLastIou()), {
      status: 404,
      contentType: 'application/json',
      body: '{"last_iou": null}\n',
      headers: [],
    });
  });
});
