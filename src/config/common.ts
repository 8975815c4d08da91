/** Settings shared by several commands, and the helpers that finish them at run time. */
import { join } from 'node:path';
import type { Address } from '../domain/index.ts';
import { absolutePath, defaultDataDirBase } from './files.ts';
import type { SettingsReader } from './reader.ts';
import { type ConfirmationsSetting, type ContractAddresses, type DataDirSetting, type LogLevel, LOG_LEVELS } from './types.ts';
import { type Parsed, bad, ok, parseContractAddress, parseIntInRange, parseUint256, quote } from './values.ts';

/** Default block confirmations (spec §7.2, DEFAULT_NUMBER_OF_BLOCK_CONFIRMATIONS). */
export const DEFAULT_CONFIRMATIONS = 5;

/** Chains where the reference waits for no confirmations (names containing "arbitrum"). */
export const ARBITRUM_CHAIN_IDS: ReadonlySet<bigint> = new Set([42161n, 421611n]);

/** A log level, any letter case. */
export function parseLogLevel(input: string): Parsed<LogLevel> {
  const upper = input.trim().toUpperCase();
  const level = LOG_LEVELS.find((l) => l === upper);
  return level === undefined ? bad(`must be one of ${LOG_LEVELS.join(', ')}, got ${quote(input)}`) : ok(level);
}

/** --log-level and --log-json. */
export function readLogging(r: SettingsReader): { logLevel: LogLevel; logJson: boolean } {
  return { logLevel: r.parse('log-level', parseLogLevel) ?? 'INFO', logJson: r.flag('log-json') };
}

/** --chain-id: a positive integer up to 2^256 - 1. */
export function readChainId(r: SettingsReader): bigint | null {
  return r.parse('chain-id', (t) => parseUint256(t, 1n));
}

/** --data-dir, or the per-user default; an existing non-directory is an error. */
export function readDataDir(r: SettingsReader): DataDirSetting {
  const text = r.text('data-dir');
  if (text === null) return { path: defaultDataDirBase(r.env, r.deps), perChain: true };
  if (text.trim() === '') {
    r.fail('data-dir', 'must not be empty');
    return { path: '', perChain: false };
  }
  const path = absolutePath(text, r.deps);
  const kind = r.deps.pathKind(path);
  if (kind === 'file' || kind === 'other') r.fail('data-dir', `${path} exists and is not a directory`);
  return { path, perChain: false };
}

/** --lmdb-map-size in bytes, at least 1 MiB. */
export function readLmdbMapSize(r: SettingsReader): number | null {
  return r.parse('lmdb-map-size', (t) => parseIntInRange(t, 1 << 20));
}

/** The four contract address options (EIP-55 each). */
export function readContracts(r: SettingsReader): ContractAddresses {
  const read = (name: string): Address | null => r.parse(name, parseContractAddress);
  return {
    registry: read('registry'),
    userDeposit: read('user-deposit'),
    oneToN: read('one-to-n'),
    serviceRegistry: r.given('service-registry') ? read('service-registry') : null,
  };
}

/** The data directory to use once the chain id is known. */
export function dataDirFor(setting: DataDirSetting, chainId: bigint): string {
  return setting.perChain ? join(setting.path, chainId.toString()) : setting.path;
}

/** The confirmations to use once the chain id is known (explicit values win, even 0). */
export function confirmationsFor(setting: ConfirmationsSetting, chainId: bigint): number {
  if (setting.explicit) return setting.value;
  return ARBITRUM_CHAIN_IDS.has(chainId) ? 0 : DEFAULT_CONFIRMATIONS;
}
