/** The typed, frozen configuration handed to the program after parsing. */
import type { Address } from '../domain/index.ts';
import type { SearchLimits } from '../routing/index.ts';
import type { KeySource } from './key.ts';
import type { Ratio } from './values.ts';

/** Log levels of the reference, most severe first. */
export const LOG_LEVELS = ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'] as const;

/** One of the reference's log levels (always upper case here). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The data directory. An explicit --data-dir is used as given (`perChain` false); the
 * default is a per-user base to which the chain id is appended once known (`perChain`
 * true), because with --eth-rpc the chain id comes from the node. Use `dataDirFor`.
 */
export interface DataDirSetting {
  /** Absolute path: the directory itself, or the per-user base when `perChain`. */
  readonly path: string;
  /** True when `<chain id>` must be appended to `path`. */
  readonly perChain: boolean;
}

/**
 * Block confirmations (spec §7.2). `explicit` is false when defaulted: the default is 5,
 * or 0 on Arbitrum, which needs the chain id; use `confirmationsFor`. An explicit value,
 * including 0, is honoured on every chain (the reference turns an explicit 0 into 5).
 */
export interface ConfirmationsSetting {
  /** The given value, or 5 when not given. */
  readonly value: number;
  /** Whether the value was given explicitly. */
  readonly explicit: boolean;
}

/** Contract addresses; null when not given (file-only mode reports the zero address). */
export interface ContractAddresses {
  /** TokenNetworkRegistry. */
  readonly registry: Address | null;
  /** UserDeposit. */
  readonly userDeposit: Address | null;
  /** OneToN. */
  readonly oneToN: Address | null;
  /** ServiceRegistry. */
  readonly serviceRegistry: Address | null;
}

/** Configuration of `serve` and `demo`: parsed, typed, deeply frozen. */
export interface Config {
  /** Listening address for HTTP (default 127.0.0.1). */
  readonly host: string;
  /** Listening port, 1..65535 (default 6000). */
  readonly port: number;
  /** LMDB data directory; see DataDirSetting. */
  readonly dataDir: DataDirSetting;
  /** Absolute path of the event log to apply, or null. */
  readonly events: string | null;
  /** Absolute path of the record file to append to, or null. */
  readonly record: string | null;
  /** Configured chain id; required without --eth-rpc, else checked against the node. */
  readonly chainId: bigint | null;
  /** The service key's source; turn it into a key with `resolveKey`. */
  readonly key: KeySource;
  /** Price per path request (service token units); > 0 only with a chain. */
  readonly serviceFee: bigint;
  /** Path-finding pool threads (default: available cores). */
  readonly workers: number;
  /** Most dedicated shard threads (default: 2 x available cores). */
  readonly shardWorkers: number;
  /** Whether the /v1/_debug routes are on. */
  readonly enableDebug: boolean;
  /** Operator name for /info. */
  readonly operator: string;
  /** Message for /info. */
  readonly infoMessage: string;
  /** Log level. */
  readonly logLevel: LogLevel;
  /** JSON log lines instead of text. */
  readonly logJson: boolean;
  /** Ethereum JSON-RPC URL, or null for file-only mode. */
  readonly ethRpc: string | null;
  /** Contract addresses (lower-case internal form). */
  readonly contracts: ContractAddresses;
  /** Block confirmations; see ConfirmationsSetting. */
  readonly confirmations: ConfirmationsSetting;
  /** First block to read when the data dir is new. */
  readonly startBlock: number;
  /** Pause between polls of the node once the follower is at the confirmed head, ms. */
  readonly pollIntervalMs: number;
  /**
   * Matrix homeservers, in the given order: the candidates for the main connection (with
   * the known servers connected as well); empty means the known list alone, or no live Matrix.
   */
  readonly matrixServers: readonly string[];
  /** Where the known-servers list comes from (spec §8.1). */
  readonly knownServers: KnownServersSetting;
  /** Presence room alias or id, or null for the transport's default. */
  readonly presenceRoom: string | null;
  /** Bytes accepted per sender per 5 minutes over Matrix. */
  readonly matrixRateLimit: number;
  /** Largest accepted HTTP request body in bytes. */
  readonly maxBodyBytes: number;
  /** Pending path requests before answering 503. */
  readonly queueLimit: number;
  /** Hard deadline for answering a path request, in milliseconds. */
  readonly requestTimeoutMs: number;
  /** Seconds a client has to send a whole request body. */
  readonly bodyTimeoutS: number;
  /** Work budget of one path request. */
  readonly searchLimits: SearchLimits;
  /** LMDB map size in bytes, or null for the library default. */
  readonly lmdbMapSize: number | null;
  /** Most deferred updates kept per token network. */
  readonly deferredMax: number;
  /** Seconds after which a deferred update is dropped. */
  readonly deferredExpiryS: number;
}

/** Gas price for claim transactions: a strategy name or a fixed price in wei. */
export type GasPrice = 'fast' | 'normal' | bigint;

/** Configuration of `claim-fees`: parsed, typed, deeply frozen. */
export interface ClaimConfig {
  /** Ethereum JSON-RPC URL (required: claiming sends transactions). */
  readonly ethRpc: string;
  /** Configured chain id, checked against the node when given. */
  readonly chainId: bigint | null;
  /** The service key's source. */
  readonly key: KeySource;
  /** LMDB data directory holding the IOUs. */
  readonly dataDir: DataDirSetting;
  /** LMDB map size in bytes, or null for the library default. */
  readonly lmdbMapSize: number | null;
  /** Contract addresses; `oneToN` is always set. */
  readonly contracts: ContractAddresses & { readonly oneToN: Address };
  /** Exchange rate: claim cost in RDN = cost in ETH / rdnPerEth (exact). */
  readonly rdnPerEth: Ratio;
  /** Claim IOUs that expire within this many seconds. */
  readonly expireWithin: number;
  /** Gas price strategy or fixed wei price. */
  readonly gasPrice: GasPrice;
  /** Log level. */
  readonly logLevel: LogLevel;
  /** JSON log lines instead of text. */
  readonly logJson: boolean;
}

/**
 * The known-servers list: `auto` fetches the reference's list for chain ids 1, 3, 4, 5 and 42
 * when a chain is followed, `none` fetches nothing, `url` fetches that list in any mode.
 */
export type KnownServersSetting = { readonly kind: 'auto' } | { readonly kind: 'none' } | { readonly kind: 'url'; readonly url: string };
