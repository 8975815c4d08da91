import type { Address } from '../domain/index.ts';
import { TOPICS } from './abi.ts';

/**
 * Decoding of the raw `eth_getLogs` entries the service follows (spec §7.1) into typed
 * chain events. Nothing from the node is trusted: every field is checked for shape, and a
 * log that does not fit is a counted rejection with a fixed reason, never an exception.
 */

/** A confirmed chain event, with where it sits on the chain (block, index in the block). */
export type ChainEvent =
  | { readonly kind: 'network_created'; readonly block: number; readonly logIndex: number; readonly token: Address; readonly network: Address; readonly settleTimeout: bigint }
  | { readonly kind: 'channel_opened'; readonly block: number; readonly logIndex: number; readonly network: Address; readonly id: bigint; readonly participants: readonly [Address, Address] }
  | { readonly kind: 'channel_closed'; readonly block: number; readonly logIndex: number; readonly network: Address; readonly id: bigint; readonly closing: Address }
  | { readonly kind: 'channel_settled'; readonly block: number; readonly logIndex: number; readonly network: Address; readonly id: bigint };

/** What decoding a log gives: an event, or the counter label of why not. */
export type DecodedLog =
  | { readonly ok: true; readonly event: ChainEvent }
  /** `ignored_<event>` for events the PFS does not use, `rejected_<reason>` for bad logs. */
  | { readonly ok: false; readonly outcome: string };

/** The largest block number accepted (positions are block × 2^20 + log index, below 2^53). */
export const MAX_BLOCK = 2 ** 33 - 1;
/** Log indices per block that fit a position. */
export const MAX_LOG_INDEX = 2 ** 20 - 1;

// leading zeros are tolerated (some nodes send them); 13 digits stay below 2^53
const QUANTITY = /^0x[0-9a-fA-F]{1,13}$/;
const WORD = /^0x[0-9a-fA-F]{64}$/;
const DATA = /^0x(?:[0-9a-fA-F]{2})*$/;

/** A JSON-RPC quantity (0x hex) up to `max`, else null. */
export function parseQuantity(v: unknown, max: number = Number.MAX_SAFE_INTEGER): number | null {
  if (typeof v !== 'string' || !QUANTITY.test(v)) return null;
  const n = Number.parseInt(v.slice(2), 16);
  return Number.isSafeInteger(n) && n <= max ? n : null;
}

function addressWord(word: string): Address | null {
  const hex = word.slice(2).toLowerCase();
  if (!/^0{24}$/.test(hex.slice(0, 24))) return null;
  return ('0x' + hex.slice(24)) as Address;
}

function dataWords(data: string): string[] {
  const words: string[] = [];
  for (let i = 2; i + 64 <= data.length; i += 64) words.push('0x' + data.slice(i, i + 64));
  return words;
}

/** The fields every log must have, checked once. */
interface LogFrame {
  readonly address: Address;
  readonly topics: readonly string[];
  readonly words: readonly string[];
  readonly block: number;
  readonly logIndex: number;
}

function frame(raw: unknown): LogFrame | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not_an_object';
  const log = raw as Record<string, unknown>;
  if (log.removed === true) return 'removed';
  const address = typeof log.address === 'string' && /^0x[0-9a-fA-F]{40}$/.test(log.address) ? (log.address.toLowerCase() as Address) : null;
  if (address === null) return 'bad_address';
  const topics = log.topics;
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string' && WORD.test(t))) return 'bad_topics';
  if (typeof log.data !== 'string' || !DATA.test(log.data)) return 'bad_data';
  const block = parseQuantity(log.blockNumber, MAX_BLOCK);
  if (block === null) return 'bad_block_number';
  const logIndex = parseQuantity(log.logIndex, MAX_LOG_INDEX);
  if (logIndex === null) return 'bad_log_index';
  return { address, topics: (topics as string[]).map((t) => t.toLowerCase()), words: dataWords(log.data), block, logIndex };
}

const IGNORED_TOPICS: ReadonlyMap<string, string> = new Map([
  [TOPICS.NonClosingBalanceProofUpdated, 'non_closing_balance_proof_updated'],
  [TOPICS.ChannelNewDeposit, 'channel_new_deposit'],
  [TOPICS.ChannelWithdraw, 'channel_withdraw'],
  [TOPICS.ChannelUnlocked, 'channel_unlocked'],
  [TOPICS.DeprecationSwitch, 'deprecation_switch'],
]);

/**
 * Decodes a log of the TokenNetworkRegistry: only TokenNetworkCreated exists in 0.50
 * (the reference takes any registry log for one; we check the topic).
 */
export function decodeRegistryLog(raw: unknown, registry: Address): DecodedLog {
  const f = frame(raw);
  if (typeof f === 'string') return { ok: false, outcome: `rejected_${f}` };
  if (f.address !== registry) return { ok: false, outcome: 'rejected_unexpected_address' };
  if (f.topics[0] !== TOPICS.TokenNetworkCreated) return { ok: false, outcome: 'rejected_unknown_topic' };
  if (f.topics.length !== 3 || f.words.length !== 1) return { ok: false, outcome: 'rejected_bad_token_network_created' };
  const token = addressWord(f.topics[1]!);
  const network = addressWord(f.topics[2]!);
  if (token === null || network === null) return { ok: false, outcome: 'rejected_bad_token_network_created' };
  return { ok: true, event: { kind: 'network_created', block: f.block, logIndex: f.logIndex, token, network, settleTimeout: BigInt(f.words[0]!) } };
}

/** Decodes a log of a TokenNetwork (`networks` are the addresses that were queried). */
export function decodeTokenNetworkLog(raw: unknown, networks: ReadonlySet<Address>): DecodedLog {
  const f = frame(raw);
  if (typeof f === 'string') return { ok: false, outcome: `rejected_${f}` };
  if (!networks.has(f.address)) return { ok: false, outcome: 'rejected_unexpected_address' };
  const topic = f.topics[0]!;
  const base = { block: f.block, logIndex: f.logIndex, network: f.address };
  switch (topic) {
    case TOPICS.ChannelOpened: {
      if (f.topics.length !== 4 || f.words.length !== 0) return { ok: false, outcome: 'rejected_bad_channel_opened' };
      const p1 = addressWord(f.topics[2]!);
      const p2 = addressWord(f.topics[3]!);
      if (p1 === null || p2 === null) return { ok: false, outcome: 'rejected_bad_channel_opened' };
      return { ok: true, event: { kind: 'channel_opened', ...base, id: BigInt(f.topics[1]!), participants: [p1, p2] } };
    }
    case TOPICS.ChannelClosed: {
      if (f.topics.length !== 4 || f.words.length !== 1) return { ok: false, outcome: 'rejected_bad_channel_closed' };
      const closing = addressWord(f.topics[2]!);
      if (closing === null) return { ok: false, outcome: 'rejected_bad_channel_closed' };
      return { ok: true, event: { kind: 'channel_closed', ...base, id: BigInt(f.topics[1]!), closing } };
    }
    case TOPICS.ChannelSettled:
      if (f.topics.length !== 2 || f.words.length !== 6) return { ok: false, outcome: 'rejected_bad_channel_settled' };
      return { ok: true, event: { kind: 'channel_settled', ...base, id: BigInt(f.topics[1]!) } };
    default: {
      const ignored = IGNORED_TOPICS.get(topic);
      return { ok: false, outcome: ignored === undefined ? 'rejected_unknown_topic' : `ignored_${ignored}` };
    }
  }
}

/**
 * The position of an event in its source `chain`: block × 2^20 + log index. Strictly
 * increasing along the chain, below 2^53, so shards can skip what they applied already.
 */
export function chainPosition(block: number, logIndex: number): number {
  return block * (MAX_LOG_INDEX + 1) + logIndex;
}

/** The event-log line (spec event-log.md) of a chain event, as --record writes it. */
export function eventLogLine(e: ChainEvent): string {
  const network = e.network;
  switch (e.kind) {
    case 'network_created':
      return JSON.stringify({ kind: 'chain', block: e.block, event: 'TokenNetworkCreated', token_address: e.token, token_network_address: network, settle_timeout: e.settleTimeout.toString() });
    case 'channel_opened':
      return JSON.stringify({ kind: 'chain', block: e.block, event: 'ChannelOpened', token_network_address: network, channel_identifier: e.id.toString(), participant1: e.participants[0], participant2: e.participants[1] });
    case 'channel_closed':
      return JSON.stringify({ kind: 'chain', block: e.block, event: 'ChannelClosed', token_network_address: network, channel_identifier: e.id.toString(), closing_participant: e.closing });
    case 'channel_settled':
      return JSON.stringify({ kind: 'chain', block: e.block, event: 'ChannelSettled', token_network_address: network, channel_identifier: e.id.toString() });
  }
}

/** The event-log line saying the confirmed head reached `block`. */
export function blockLine(block: number): string {
  return JSON.stringify({ kind: 'chain', block, event: 'Block' });
}
