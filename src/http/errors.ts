import { toChecksumAddress, type Address } from '../domain/index.ts';
import { iouToJson, type IouFields } from './iou-json.ts';
import { JsonFloat, type JsonOut, type JsonOutRecord } from './json-write.ts';
import { HTML_CONTENT_TYPE, jsonReply, type HttpReply } from './reply.ts';

/*
 * Every error answer of the API as a value (spec §2.11). Handlers return these; nothing is
 * thrown for an expected outcome. Three shapes exist, because the reference has three:
 *
 * - `envelope`: `{"errors": msg, "error_code": n, "error_details": {...}}` (ApiException).
 * - `bare`: a JSON body that is not the envelope: flask-restful's `{"message": ...}` for
 *   malformed JSON / 405 / 500, feedback's `{}` and GET iou's `{"last_iou": null}`.
 * - `html`: Werkzeug's HTML 404 page, which is what the reference really sends for an
 *   unknown route (also under /api: flask-restful only answers 404s of its own routes).
 */

/** Marshmallow's normalised message dict: field -> messages, or nested dict (iou, list index). */
export type ValidationErrors = ReadonlyMap<string, ValidationNode>;
/** One entry of a ValidationErrors dict. */
export type ValidationNode = readonly string[] | ValidationErrors;

/** `error_details` of an envelope: a Map (ordered) or a plain record. */
export type ErrorDetails = ReadonlyMap<string, JsonOut> | JsonOutRecord;

/** An error in the reference's envelope. */
export interface EnvelopeError {
  readonly kind: 'envelope';
  readonly status: number;
  readonly code: number;
  readonly message: string;
  readonly details: ErrorDetails;
}

/** An error whose body is a JSON value other than the envelope. */
export interface BareError {
  readonly kind: 'bare';
  readonly status: number;
  readonly body: JsonOut;
  readonly headers: readonly (readonly [string, string])[];
}

/** An error answered with an HTML page. */
export interface HtmlError {
  readonly kind: 'html';
  readonly status: number;
  readonly body: string;
}

/** Any error answer of the API. */
export type ApiError = EnvelopeError | BareError | HtmlError;

/**
 * The error codes. 0-2203 are the reference's (`pathfinding_service/exceptions.py`). The
 * 29xx codes are ours, for conditions the reference has no answer for; they sit outside
 * 2100-2199, the range the Python Raiden client treats as "IOU rejected"
 * (`PFSError.is_iou_rejected`), so the client handles them as a plain service error.
 */
export const ERROR_CODES = {
  UNKNOWN: 0,
  INVALID_REQUEST: 2000,
  INVALID_SIGNATURE: 2001,
  REQUEST_OUTDATED: 2002,
  INVALID_TOKEN_NETWORK: 2003,
  UNSUPPORTED_TOKEN_NETWORK: 2004,
  UNSUPPORTED_CHAIN_ID: 2005,
  INVALID_ADDRESS: 2006,
  BAD_IOU: 2100,
  MISSING_IOU: 2101,
  WRONG_IOU_RECIPIENT: 2102,
  IOU_EXPIRED_TOO_EARLY: 2103,
  INSUFFICIENT_SERVICE_PAYMENT: 2104,
  IOU_ALREADY_CLAIMED: 2105,
  USE_THIS_IOU: 2106,
  DEPOSIT_TOO_LOW: 2107,
  WRONG_ONE_TO_N_ADDRESS: 2108,
  NO_ROUTE_FOUND: 2201,
  INCONSISTENT_INTERNAL_STATE: 2202,
  ADDRESS_NOT_ONLINE: 2203,
  /** Ours: too many requests in flight; HTTP 503, retry later. */
  SERVICE_OVERLOADED: 2901,
  /** Ours: request body over the size limit; HTTP 413. */
  PAYLOAD_TOO_LARGE: 2902,
} as const;

/** The reference's default message per code (before any per-raise replacement). */
export const DEFAULT_MESSAGES: ReadonlyMap<number, string> = new Map([
  [0, 'Unknown Error'],
  [2000, 'Request parameter failed validation. See `error_details`.'],
  [2001, 'The signature did not match the signed content.'],
  [2002, 'The request contains too old timestamps or nonces.'],
  [2003, 'Invalid token network.'],
  [2004, 'This service does not work on the given token network.'],
  [2005, 'This service does not work on the given blockchain.'],
  [2006, 'Invalid Ethereum address.'],
  [2100, 'Unknown Error'],
  [2101, 'No IOU for service fees has been provided.'],
  [2102, 'IOU not addressed to the correct receiver.'],
  [2103, 'Please use a higher `claimable_until`.'],
  [2104, 'The provided payment is lower than service fee.'],
  [2105, 'The IOU is already claimed. Please start new session with different `claimable_until`.'],
  [2106, 'Please increase the amount of the existing IOU instead of creating a new one.'],
  [2107, 'Not enough deposit in UserDeposit contract.'],
  [2108, 'The IOU uses a different OneToN contract than the service'],
  [2201, 'No route between nodes found.'],
  [2202, 'The pathfinding service is temporarily in an inconsistent state. Please try again.'],
  [2203, 'There is no user found online for given address.'],
]);

function envelope(status: number, code: number, details: ErrorDetails = {}, message?: string): EnvelopeError {
  return { kind: 'envelope', status, code, message: message ?? DEFAULT_MESSAGES.get(code) ?? 'Unknown Error', details };
}

/** Code 0: POST body missing, not declared as JSON, or falsy (`{}`, `[]`, `null`, `0`, `""`, `false`). */
export function jsonPayloadExpected(): EnvelopeError {
  return envelope(400, 0, {}, 'JSON payload expected');
}

/**
 * Code 0: the body is JSON but over one of our parser limits (depth, string length, entries,
 * number length). The reference has no limits (it answers 500 on deep nesting).
 */
export function jsonLimitExceeded(reason: string): EnvelopeError {
  return envelope(400, 0, {}, `JSON payload rejected: ${reason}`);
}

/** 2000: schema validation failed; details are marshmallow's normalised messages. */
export function invalidRequest(details: ValidationErrors): EnvelopeError {
  return envelope(400, 2000, details);
}

/** 2001: a signature does not recover to the claimed signer. */
export function invalidSignature(): EnvelopeError {
  return envelope(400, 2001);
}

/** 2002: GET iou timestamp older than one hour. */
export function requestOutdated(): EnvelopeError {
  return envelope(400, 2002);
}

/** 2003: URL token network not a checksummed address (message replaced, as in the reference). */
export function invalidTokenNetwork(given: string): EnvelopeError {
  return envelope(400, 2003, { token_network: given }, 'The token network needs to be given as a checksummed address');
}

/** 2004: no TokenNetworkCreated seen for this address. */
export function unsupportedTokenNetwork(given: string): EnvelopeError {
  return envelope(400, 2004, { token_network: given });
}

/** 2005: IOU chain id is not the service's. */
export function unsupportedChainId(expected: bigint): EnvelopeError {
  return envelope(400, 2005, { expected });
}

/** 2006: metadata URL address not checksummed (message replaced, as in the reference). */
export function invalidAddress(given: string): EnvelopeError {
  return envelope(400, 2006, { address: given }, 'The address needs to be a valid checksummed Ethereum address');
}

/** 2101: a fee is charged and no IOU was sent. */
export function missingIou(): EnvelopeError {
  return envelope(400, 2101);
}

/**
 * 2102: IOU receiver is not this service. The reference puts raw bytes into the details and
 * crashes while serialising (HTTP 500); we send the checksummed address (spec §2.11).
 */
export function wrongIouRecipient(expected: Address): EnvelopeError {
  return envelope(400, 2102, { expected: toChecksumAddress(expected) });
}

/** 2103: new session whose claimable_until is less than 7 days ahead. */
export function iouExpiredTooEarly(minExpiry: bigint, claimableUntilReceived: bigint): EnvelopeError {
  return envelope(400, 2103, { min_expiry: minExpiry, claimable_until_received: claimableUntilReceived });
}

/** 2104: IOU amount below what is owed. */
export function insufficientServicePayment(expectedAmount: bigint, actualAmount: bigint): EnvelopeError {
  return envelope(400, 2104, { expected_amount: expectedAmount, actual_amount: actualAmount });
}

/** 2105: the session (sender, claimable_until) was already claimed on chain. */
export function iouAlreadyClaimed(): EnvelopeError {
  return envelope(400, 2105);
}

/** 2106: an active IOU with another claimable_until exists; details carry it, `claimed` included. */
export function useThisIou(active: IouFields): EnvelopeError {
  return envelope(400, 2106, { iou: iouToJson(active, true) });
}

/** 2107: the sender's UserDeposit balance is below twice the amount owed. */
export function depositTooLow(requiredDeposit: bigint, seenDeposit: bigint, blockNumber: bigint): EnvelopeError {
  return envelope(400, 2107, { required_deposit: requiredDeposit, seen_deposit: seenDeposit, block_number: blockNumber });
}

/** 2108: IOU for another OneToN contract (checksummed; the reference crashes here, see 2102). */
export function wrongOneToNAddress(expected: Address, got: Address): EnvelopeError {
  return envelope(400, 2108, { expected: toChecksumAddress(expected), got: toChecksumAddress(got) });
}

/** The request a 2201 answer is about (details `from_`, `to`, `value`, as in the reference). */
export interface RouteRequestSummary {
  readonly from: Address;
  readonly to: Address;
  readonly value: bigint;
}

function routeDetails(r: RouteRequestSummary): JsonOutRecord {
  return { from_: toChecksumAddress(r.from), to: toChecksumAddress(r.to), value: r.value };
}

/**
 * 2201 (HTTP 404). With a quick-check reason (spec §3.7) the message is
 * `"<reason>. Approximate block at the time of the request <block>"`; without one it is the
 * default "No route between nodes found." (the search itself found nothing).
 */
export function noRouteFound(request: RouteRequestSummary, reason: string | null = null, approximateBlock = 0n): EnvelopeError {
  const message =
    reason === null ? undefined : `${reason}. Approximate block at the time of the request ${approximateBlock}`;
  return envelope(404, 2201, routeDetails(request), message);
}

/** Message of the 2201 answer when the bounded search ran out of budget with no route found. */
export const SEARCH_BUDGET_EXHAUSTED_MESSAGE =
  'No route found: the search budget was exhausted before a valid route was found.';

/**
 * 2201 (HTTP 404) when our bounded search (README "Bounded search") stops before finding a
 * route, where the reference would keep enumerating for a very long time. Same code and
 * details as "no route", so clients treat it alike; the message says what happened.
 */
export function searchBudgetExhausted(request: RouteRequestSummary): EnvelopeError {
  return envelope(404, 2201, routeDetails(request), SEARCH_BUDGET_EXHAUSTED_MESSAGE);
}

/** 2202 (HTTP 500): internal inconsistency while building an answer. */
export function inconsistentInternalState(): EnvelopeError {
  return envelope(500, 2202);
}

/** 2203 (HTTP 404): no online Matrix user for the address; seconds since seen offline (float). */
export function addressNotOnline(given: string, seenOfflineSinceSeconds: number): EnvelopeError {
  // a Python float: 12.0 must not come out as 12
  return envelope(404, 2203, { address: given, seen_offline_since: new JsonFloat(seenOfflineSinceSeconds) });
}

/**
 * 2901 (HTTP 503, ours): the service sheds load; the client should retry after
 * `retryAfterSeconds` (also sent as the Retry-After header by the server).
 */
export function serviceOverloaded(retryAfterSeconds = 1, reason = 'overloaded'): EnvelopeError {
  return envelope(503, 2901, { retry_after: retryAfterSeconds, reason }, 'The pathfinding service is overloaded. Please try again later.');
}

/** 2902 (HTTP 413, ours): request body over `maxBytes`. */
export function payloadTooLarge(maxBytes: number): EnvelopeError {
  return envelope(413, 2902, { max_bytes: maxBytes }, `Request body too large (limit ${maxBytes} bytes).`);
}

/** Werkzeug's BadRequest description, which flask-restful sends for malformed JSON. */
export const BAD_REQUEST_MESSAGE = 'The browser (or proxy) sent a request that this server could not understand.';

/** 400 `{"message": ...}`: body declared as JSON but malformed (Werkzeug BadRequest). */
export function malformedJson(): BareError {
  return { kind: 'bare', status: 400, body: { message: BAD_REQUEST_MESSAGE }, headers: [] };
}

/** Werkzeug's NotFound description. */
export const NOT_FOUND_MESSAGE =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';

/**
 * 404 for an unknown path: Werkzeug's HTML page, byte for byte. The reference sends this
 * for any unknown path, under /api too (verified with Flask 2.1.3, Werkzeug 2.0.1,
 * flask-restful 0.3.9: flask-restful only renders 404s of routes it owns).
 */
export function notFoundHtml(): HtmlError {
  return {
    kind: 'html',
    status: 404,
    body:
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n' +
      `<h1>Not Found</h1>\n<p>${NOT_FOUND_MESSAGE}</p>\n`,
  };
}

/** 404 `{"message": ...}`: flask-restful's JSON form of NotFound, for servers preferring JSON. */
export function notFoundJson(): BareError {
  return { kind: 'bare', status: 404, body: { message: NOT_FOUND_MESSAGE }, headers: [] };
}

/** 405 `{"message": ...}` with `Allow` (e.g. `["OPTIONS", "POST"]` gives "OPTIONS, POST"). */
export function methodNotAllowed(allowed: readonly string[]): BareError {
  return {
    kind: 'bare',
    status: 405,
    body: { message: 'The method is not allowed for the requested URL.' },
    headers: [['Allow', allowed.join(', ')]],
  };
}

/** 500 `{"message": "Internal Server Error"}`: an unexpected failure (a bug). */
export function internalServerError(): BareError {
  return { kind: 'bare', status: 500, body: { message: 'Internal Server Error' }, headers: [] };
}

/** 400 `{}`: feedback token unknown, for another route, or older than 10 minutes (spec §2.5). */
export function feedbackRejected(): BareError {
  return { kind: 'bare', status: 400, body: {}, headers: [] };
}

/** 404 `{"last_iou": null}`: GET iou when the sender has no unclaimed IOU (spec §2.4). */
export function noLastIou(): BareError {
  return { kind: 'bare', status: 404, body: { last_iou: null }, headers: [] };
}

/** Renders any error answer as the reference writes it. */
export function renderError(error: ApiError): HttpReply {
  switch (error.kind) {
    case 'envelope':
      return jsonReply(error.status, { errors: error.message, error_code: error.code, error_details: error.details });
    case 'bare':
      return jsonReply(error.status, error.body, error.headers);
    case 'html':
      return { status: error.status, contentType: HTML_CONTENT_TYPE, body: error.body, headers: [] };
  }
}
