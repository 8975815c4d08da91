import { randomUUID } from 'node:crypto';
import { toChecksumAddress, type Address } from '../domain/index.ts';
import { iouToJson, type IouFields } from './iou-json.ts';
import type { JsonOutRecord } from './json-write.ts';
import { pythonUtcIsoformat } from './python-text.ts';
import { jsonReply, type HttpReply } from './reply.ts';

/*
 * Success bodies of the API (spec §2.3-§2.9), with the reference's key order. Builders take
 * domain values (lower-case Address, bigint amounts) and do the wire conversions here:
 * checksummed addresses, amounts as exact JSON integers (strings only in /v2/info).
 */

/** Matrix transport metadata of one address (spec §8.4, §2.9). */
export interface AddressMetadata {
  /** `@0x<lower-case hex>:<server>` */
  readonly userId: string;
  /** The avatar_url capabilities string, e.g. `mxc://raiden.network/cap?Receive=1...`. */
  readonly capabilities: string;
  /** `0x` + 130 hex signature, or null when not cached. */
  readonly displayname: string | null;
}

/** One route of a paths answer. `metadata[i]` belongs to `path[i]`. */
export interface RouteAnswer {
  readonly path: readonly Address[];
  /** May be negative. */
  readonly estimatedFee: bigint;
  readonly metadata: readonly AddressMetadata[];
}

function metadataJson(m: AddressMetadata): JsonOutRecord {
  return { user_id: m.userId, capabilities: m.capabilities, displayname: m.displayname };
}

/** A fresh feedback token: uuid4 as 32 lower-case hex digits (Python's `uuid4().hex`). */
export function newFeedbackToken(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * The 200 body of POST /paths:
 * `{"result": [{"path", "address_metadata", "estimated_fee"}...], "feedback_token"}`.
 * `address_metadata` has one entry per path node, in path order.
 */
export function pathsBody(routes: readonly RouteAnswer[], feedbackToken: string): JsonOutRecord {
  return {
    result: routes.map((route) => {
      if (route.metadata.length !== route.path.length) {
        throw new Error('RouteAnswer.metadata must have one entry per path node');
      }
      const path = route.path.map(toChecksumAddress);
      const addressMetadata = new Map(path.map((a, i) => [a, metadataJson(route.metadata[i]!)] as const));
      return { path, address_metadata: addressMetadata, estimated_fee: route.estimatedFee };
    }),
    feedback_token: feedbackToken,
  };
}

/** 200 answer of POST /paths. */
export function pathsReply(routes: readonly RouteAnswer[], feedbackToken: string): HttpReply {
  return jsonReply(200, pathsBody(routes, feedbackToken));
}

/** What /info reports (spec §2.8; in file-only mode see event-log.md "File-only mode"). */
export interface ServiceInfo {
  /** `--service-fee` */
  readonly priceInfo: bigint;
  readonly chainId: bigint;
  readonly tokenNetworkRegistryAddress: Address;
  readonly userDepositAddress: Address;
  /** UserDeposit.token(); the zero address without a chain. */
  readonly serviceTokenAddress: Address;
  /** latest_committed_block; in file-only mode the highest block seen in the file. */
  readonly confirmedBlock: bigint;
  /** Service version string (the reference reports "2.0.1"). */
  readonly version: string;
  /** raiden-contracts version (the reference reports "0.50.2"). */
  readonly contractsVersion: string;
  readonly operator: string;
  readonly message: string;
  /** Address of the service's key. */
  readonly paymentAddress: Address;
  /** Base URL of the main Matrix client; "" without Matrix. */
  readonly matrixServer: string;
}

/**
 * Body of GET /v1/info (version 1: numbers as JSON numbers) or /v2/info (version 2:
 * `price_info` and `confirmed_block.number` as decimal strings; `chain_id` stays a number).
 * `UTC` is Python's `datetime.utcnow().isoformat()` of `nowMicros`.
 */
export function infoBody(version: 1 | 2, info: ServiceInfo, nowMicros: bigint): JsonOutRecord {
  const big = (x: bigint): bigint | string => (version === 1 ? x : x.toString());
  return {
    price_info: big(info.priceInfo),
    network_info: {
      chain_id: info.chainId,
      token_network_registry_address: toChecksumAddress(info.tokenNetworkRegistryAddress),
      user_deposit_address: toChecksumAddress(info.userDepositAddress),
      service_token_address: toChecksumAddress(info.serviceTokenAddress),
      confirmed_block: { number: big(info.confirmedBlock) },
    },
    version: info.version,
    contracts_version: info.contractsVersion,
    operator: info.operator,
    message: info.message,
    payment_address: toChecksumAddress(info.paymentAddress),
    UTC: pythonUtcIsoformat(nowMicros),
    matrix_server: info.matrixServer,
  };
}

/** 200 answer of GET /v1/info or /v2/info. */
export function infoReply(version: 1 | 2, info: ServiceInfo, nowMicros: bigint = utcNowMicros()): HttpReply {
  return jsonReply(200, infoBody(version, info, nowMicros));
}

/** Wall-clock now in microseconds since the epoch (millisecond resolution). */
export function utcNowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

/** 200 answer of GET /v1/online_addresses: checksummed addresses, in the given order. */
export function onlineAddressesReply(addresses: Iterable<Address>): HttpReply {
  return jsonReply(200, Array.from(addresses, toChecksumAddress));
}

/** 200 answer of GET /v1/address/<address>/metadata. */
export function metadataReply(metadata: AddressMetadata): HttpReply {
  return jsonReply(200, metadataJson(metadata));
}

/**
 * `seen_offline_since` of the 2203 answer: Python's `timedelta.total_seconds()` of
 * now - offlineSince, a float with microsecond resolution.
 */
export function secondsSince(nowMicros: bigint, sinceMicros: bigint): number {
  return Number(nowMicros - sinceMicros) / 1e6;
}

/** 200 answer of GET /payment/iou: `{"last_iou": {...}}` without `claimed` (spec §2.4). */
export function lastIouReply(iou: IouFields): HttpReply {
  return jsonReply(200, { last_iou: iouToJson(iou, false) });
}

/** 200 `{}`: feedback accepted (or ignored as a repeat, which the client cannot tell). */
export function feedbackAcceptedReply(): HttpReply {
  return jsonReply(200, {});
}
