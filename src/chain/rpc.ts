import { FetchRequest, JsonRpcProvider, Network } from 'ethers';
import type { Address } from '../domain/index.ts';
import { parseQuantity } from './log-decoding.ts';

/**
 * The JSON-RPC calls the service makes, behind an interface so the follower and the
 * payment checks run against a fake in tests. The real one is ethers v6's JsonRpcProvider,
 * used only as a transport (`send`): a fixed network (no detection loop, which would retry
 * forever against a dead node), no batching, no cache, and a per-request timeout. Every
 * failure becomes an RpcFailure with a kind the callers act on.
 */

/** Why a call failed: no answer in time, no connection, an error answer, or nonsense. */
export type RpcFailureKind = 'timeout' | 'unreachable' | 'rpc_error' | 'bad_response';

/** A failed JSON-RPC call. */
export class RpcFailure extends Error {
  readonly kind: RpcFailureKind;
  readonly method: string;
  constructor(kind: RpcFailureKind, method: string, message: string) {
    super(`${method}: ${message}`);
    this.kind = kind;
    this.method = method;
  }
}

/** A block for a read: a number or the node's latest. */
export type BlockTag = number | 'latest';

/** The calls the service needs from an Ethereum node. */
export interface ChainRpc {
  /** eth_chainId. */
  chainId(): Promise<bigint>;
  /** eth_blockNumber. */
  blockNumber(): Promise<number>;
  /** eth_getLogs over `addresses` for blocks from..to inclusive: the raw entries (decoded by the caller). */
  getLogs(addresses: readonly Address[], from: number, to: number): Promise<readonly unknown[]>;
  /** eth_call: the raw return data. A revert is an `rpc_error`. */
  call(to: Address, data: string, block: BlockTag): Promise<string>;
  /** eth_getCode at latest. */
  getCode(address: Address): Promise<string>;
  /** Releases the connection. */
  close(): void;
}

function hexBlock(tag: BlockTag): string {
  return tag === 'latest' ? 'latest' : '0x' + tag.toString(16);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'SERVER_ERROR', 'NETWORK_ERROR']);

/** Maps whatever ethers or fetch threw to an RpcFailure. */
export function classifyError(method: string, e: unknown): RpcFailure {
  if (e instanceof RpcFailure) return e;
  const err = e as { code?: unknown; error?: { code?: unknown; message?: unknown }; shortMessage?: unknown; message?: unknown; cause?: { code?: unknown } };
  const message = String(err?.error?.message ?? err?.shortMessage ?? err?.message ?? e).slice(0, 300);
  if (err?.code === 'TIMEOUT') return new RpcFailure('timeout', method, 'request timed out');
  if (typeof err?.error?.code === 'number') return new RpcFailure('rpc_error', method, message);
  if (err?.code === 'BAD_DATA') return new RpcFailure('bad_response', method, message);
  if (typeof err?.code === 'string' && NETWORK_CODES.has(err.code)) return new RpcFailure('unreachable', method, message);
  if (typeof err?.cause?.code === 'string') return new RpcFailure('unreachable', method, `${message} (${err.cause.code})`);
  return new RpcFailure('unreachable', method, message);
}

/** Settings of the ethers transport. */
export interface EthersRpcOptions {
  /** Per-request timeout (default 10 s, the reference's web3 default). */
  readonly timeoutMs?: number;
}

/** Default per-request timeout. */
export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/** ChainRpc over ethers' JsonRpcProvider. */
export class EthersRpc implements ChainRpc {
  /** The underlying provider (the claim command sends transactions through it). */
  readonly provider: JsonRpcProvider;
  readonly url: string;
  /** The chain id the node reported when connecting (the provider's fixed network). */
  readonly openedChainId: bigint;

  private constructor(url: string, chainId: bigint, timeoutMs: number) {
    this.url = url;
    this.openedChainId = chainId;
    const request = new FetchRequest(url);
    request.timeout = timeoutMs;
    this.provider = new JsonRpcProvider(request, Network.from(chainId), { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  }

  /**
   * A transport for a node expected on `chainId`, without talking to it yet (the follower
   * checks the chain id on its first round, so a node that is down at start only delays).
   */
  static connect(url: string, chainId: bigint, o: EthersRpcOptions = {}): EthersRpc {
    return new EthersRpc(url, chainId, o.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS);
  }

  /**
   * Connects: asks the node for its chain id (one plain request), then builds the provider
   * for that network. Rejects with an RpcFailure when the node does not answer properly.
   */
  static async open(url: string, o: EthersRpcOptions = {}): Promise<EthersRpc> {
    const timeoutMs = o.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    const request = new FetchRequest(url);
    request.timeout = timeoutMs;
    request.setHeader('content-type', 'application/json');
    request.body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
    let chainId: bigint;
    try {
      const response = await request.send();
      response.assertOk();
      const body = response.bodyJson as { result?: unknown; error?: { code?: unknown; message?: unknown } };
      if (body?.error !== undefined) throw { error: body.error };
      const parsed = typeof body?.result === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(body.result) ? BigInt(body.result) : null;
      if (parsed === null) throw new RpcFailure('bad_response', 'eth_chainId', `not a chain id: ${JSON.stringify(body?.result)?.slice(0, 80)}`);
      chainId = parsed;
    } catch (e) {
      throw classifyError('eth_chainId', e);
    }
    return new EthersRpc(url, chainId, timeoutMs);
  }

  private async send(method: string, params: unknown[]): Promise<unknown> {
    try {
      return await this.provider.send(method, params);
    } catch (e) {
      throw classifyError(method, e);
    }
  }

  async chainId(): Promise<bigint> {
    const r = await this.send('eth_chainId', []);
    if (typeof r !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(r)) throw new RpcFailure('bad_response', 'eth_chainId', 'not a quantity');
    return BigInt(r);
  }

  async blockNumber(): Promise<number> {
    const r = parseQuantity(await this.send('eth_blockNumber', []));
    if (r === null) throw new RpcFailure('bad_response', 'eth_blockNumber', 'not a block number');
    return r;
  }

  async getLogs(addresses: readonly Address[], from: number, to: number): Promise<readonly unknown[]> {
    const r = await this.send('eth_getLogs', [{ address: [...addresses], fromBlock: hexBlock(from), toBlock: hexBlock(to) }]);
    if (!Array.isArray(r)) throw new RpcFailure('bad_response', 'eth_getLogs', 'not a list of logs');
    return r;
  }

  async call(to: Address, data: string, block: BlockTag): Promise<string> {
    const r = await this.send('eth_call', [{ to, data }, hexBlock(block)]);
    if (typeof r !== 'string' || !/^0x(?:[0-9a-fA-F]{2})*$/.test(r)) throw new RpcFailure('bad_response', 'eth_call', 'not hex data');
    return r;
  }

  async getCode(address: Address): Promise<string> {
    const r = await this.send('eth_getCode', [address, 'latest']);
    if (typeof r !== 'string' || !/^0x(?:[0-9a-fA-F]{2})*$/.test(r)) throw new RpcFailure('bad_response', 'eth_getCode', 'not hex data');
    return r;
  }

  close(): void {
    this.provider.destroy();
  }
}
