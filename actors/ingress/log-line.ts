import { type Address, parseAddressAnyCase, parseUintDecimal } from '../../src/domain/index.ts';

/**
 * One line of the event log (spec/event-log.md) as a typed input, or the reason it is not
 * one. Integers may be JSON numbers or decimal strings; addresses any letter case.
 */
export type LogInput =
  | { readonly kind: 'network_created'; readonly block: number; readonly token: Address; readonly network: Address; readonly settleTimeout: bigint }
  | { readonly kind: 'channel_opened'; readonly block: number; readonly network: Address; readonly id: bigint; readonly participants: readonly [Address, Address] }
  | { readonly kind: 'channel_closed'; readonly block: number; readonly network: Address; readonly id: bigint }
  | { readonly kind: 'block'; readonly block: number }
  | {
      readonly kind: 'presence';
      readonly userId: string;
      readonly presence: 'online' | 'unavailable' | 'offline';
      readonly displayname: string | null;
      readonly avatarUrl: string | null;
    }
  | { readonly kind: 'to_device'; readonly sender: string; readonly body: string }
  | { readonly kind: 'skip' }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Largest block number accepted (JSON numbers stay exact below 2^53). */
const MAX_BLOCK = Number.MAX_SAFE_INTEGER;

function uint(v: unknown): bigint | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : null;
  return parseUintDecimal(v);
}

function block(v: unknown): number | null {
  const b = uint(v);
  return b === null || b > BigInt(MAX_BLOCK) ? null : Number(b);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Parses one line; empty lines are `skip`. */
export function parseLogLine(line: string): LogInput {
  // a UTF-8 byte order mark (editors on some systems write one) would hide the first event
  const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (text.trim() === '') return { kind: 'skip' };
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not_json' };
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return { kind: 'invalid', reason: 'not_an_object' };
  const r = o as Record<string, unknown>;
  switch (r.kind) {
    case 'chain':
      return chainEvent(r);
    case 'presence': {
      const userId = str(r.user_id);
      const presence = r.presence;
      if (userId === null) return { kind: 'invalid', reason: 'presence_without_user_id' };
      if (presence !== 'online' && presence !== 'unavailable' && presence !== 'offline') {
        return { kind: 'invalid', reason: 'unknown_presence' };
      }
      return { kind: 'presence', userId, presence, displayname: str(r.displayname), avatarUrl: str(r.avatar_url) };
    }
    case 'to_device': {
      const sender = str(r.sender);
      const body = str(r.body);
      if (sender === null || body === null) return { kind: 'invalid', reason: 'to_device_without_sender_or_body' };
      return { kind: 'to_device', sender, body };
    }
    default:
      return { kind: 'invalid', reason: 'unknown_kind' };
  }
}

function chainEvent(r: Record<string, unknown>): LogInput {
  const b = block(r.block);
  if (b === null) return { kind: 'invalid', reason: 'bad_block' };
  switch (r.event) {
    case 'Block':
      return { kind: 'block', block: b };
    case 'TokenNetworkCreated': {
      const token = parseAddressAnyCase(r.token_address);
      const network = parseAddressAnyCase(r.token_network_address);
      const settleTimeout = uint(r.settle_timeout);
      if (token === null || network === null || settleTimeout === null) return { kind: 'invalid', reason: 'bad_token_network_created' };
      return { kind: 'network_created', block: b, token, network, settleTimeout };
    }
    case 'ChannelOpened': {
      const network = parseAddressAnyCase(r.token_network_address);
      const id = uint(r.channel_identifier);
      const p1 = parseAddressAnyCase(r.participant1);
      const p2 = parseAddressAnyCase(r.participant2);
      if (network === null || id === null || p1 === null || p2 === null) return { kind: 'invalid', reason: 'bad_channel_opened' };
      return { kind: 'channel_opened', block: b, network, id, participants: [p1, p2] };
    }
    case 'ChannelClosed':
    case 'ChannelSettled': {
      const network = parseAddressAnyCase(r.token_network_address);
      const id = uint(r.channel_identifier);
      if (network === null || id === null) return { kind: 'invalid', reason: `bad_${String(r.event).toLowerCase()}` };
      return { kind: 'channel_closed', block: b, network, id };
    }
    default:
      return { kind: 'invalid', reason: 'unknown_chain_event' };
  }
}
