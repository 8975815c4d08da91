import { type Address, keccak256 } from '../domain/index.ts';

/**
 * The few pieces of the Raiden contract ABIs (0.50) the service needs, computed from their
 * signatures: event topics for log decoding and selectors for read-only calls. Encoding
 * and decoding are done by hand (addresses and uint256 words only), so the ingress does
 * not need ethers' ABI coder on its hot path.
 */

/** keccak256 of a signature as 0x hex. */
export function signatureHash(signature: string): string {
  return '0x' + Buffer.from(keccak256(Buffer.from(signature, 'utf8'))).toString('hex');
}

/** topic0 of the events the service reads or deliberately ignores (ms-reference §2.1). */
export const TOPICS = Object.freeze({
  TokenNetworkCreated: signatureHash('TokenNetworkCreated(address,address,uint256)'),
  ChannelOpened: signatureHash('ChannelOpened(uint256,address,address)'),
  ChannelClosed: signatureHash('ChannelClosed(uint256,address,uint256,bytes32)'),
  ChannelSettled: signatureHash('ChannelSettled(uint256,address,uint256,bytes32,address,uint256,bytes32)'),
  NonClosingBalanceProofUpdated: signatureHash('NonClosingBalanceProofUpdated(uint256,address,uint256,bytes32)'),
  ChannelNewDeposit: signatureHash('ChannelNewDeposit(uint256,address,uint256)'),
  ChannelWithdraw: signatureHash('ChannelWithdraw(uint256,address,uint256)'),
  ChannelUnlocked: signatureHash('ChannelUnlocked(uint256,address,address,bytes32,uint256,uint256)'),
  DeprecationSwitch: signatureHash('DeprecationSwitch(bool)'),
});

function selector(signature: string): string {
  return signatureHash(signature).slice(0, 10);
}

/** Selectors of the read-only calls the service makes. */
export const SELECTORS = Object.freeze({
  effectiveBalance: selector('effectiveBalance(address)'),
  token: selector('token()'),
  hasValidRegistration: selector('hasValidRegistration(address)'),
  chainId: selector('chain_id()'),
  depositContract: selector('deposit_contract()'),
  serviceRegistryContract: selector('service_registry_contract()'),
});

/** Call data of `selector(address)`. */
export function encodeAddressCall(selectorHex: string, address: Address): string {
  return selectorHex + '0'.repeat(24) + address.slice(2);
}

const WORD_HEX = /^0x[0-9a-fA-F]{64}$/;

/** A uint256 return value (one 32-byte word), or null when the data is not one word. */
export function decodeUintResult(data: unknown): bigint | null {
  if (typeof data !== 'string' || !WORD_HEX.test(data)) return null;
  return BigInt(data);
}

/** A bool return value, or null when the data is not a canonical bool word. */
export function decodeBoolResult(data: unknown): boolean | null {
  const v = decodeUintResult(data);
  if (v === null || v > 1n) return null;
  return v === 1n;
}

/** An address return value, or null when the word has non-zero high bytes. */
export function decodeAddressResult(data: unknown): Address | null {
  if (typeof data !== 'string' || !WORD_HEX.test(data)) return null;
  const hex = data.slice(2).toLowerCase();
  if (!/^0{24}$/.test(hex.slice(0, 24))) return null;
  return ('0x' + hex.slice(24)) as Address;
}
