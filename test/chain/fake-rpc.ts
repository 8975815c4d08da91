import { type BlockTag, type ChainRpc, RpcFailure, TOPICS } from '../../src/chain/index.ts';
import type { Address } from '../../src/domain/index.ts';

/**
 * An in-memory node for the chain tests: a head, a list of logs, scripted failures, and
 * eth_call answers by (to, data, block).
 */

/** A raw log as a node returns it. */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
  removed?: boolean;
}

const hex = (n: number | bigint) => '0x' + n.toString(16);
const word = (n: bigint) => '0x' + n.toString(16).padStart(64, '0');
const addressWord = (a: string) => '0x' + a.slice(2).toLowerCase().padStart(64, '0');

/** TokenNetworkCreated as the registry logs it. */
export function createdLog(registry: Address, token: Address, network: Address, block: number, index = 0, settleTimeout = 500n): RawLog {
  return { address: registry, topics: [TOPICS.TokenNetworkCreated, addressWord(token), addressWord(network)], data: word(settleTimeout), blockNumber: hex(block), logIndex: hex(index) };
}

/** ChannelOpened of a token network. */
export function openedLog(network: Address, id: bigint, p1: Address, p2: Address, block: number, index = 0): RawLog {
  return { address: network, topics: [TOPICS.ChannelOpened, word(id), addressWord(p1), addressWord(p2)], data: '0x', blockNumber: hex(block), logIndex: hex(index) };
}

/** ChannelClosed of a token network. */
export function closedLog(network: Address, id: bigint, closer: Address, block: number, index = 0): RawLog {
  return { address: network, topics: [TOPICS.ChannelClosed, word(id), addressWord(closer), word(0n)], data: word(0n), blockNumber: hex(block), logIndex: hex(index) };
}

/** A scriptable fake node. */
export class FakeRpc implements ChainRpc {
  head = 0;
  id = 1337n;
  logs: RawLog[] = [];
  /** The next calls of a method fail with these, in order. */
  readonly failures = new Map<string, RpcFailure[]>();
  /** eth_call answers: key `${to}|${data}|${block}` (block 'latest' or a number). */
  readonly calls = new Map<string, string>();
  /** Addresses with code besides those that answer a call. */
  readonly code = new Set<string>();
  readonly log: string[] = [];

  failNext(method: string, kind: RpcFailure['kind'], times = 1, message = 'scripted'): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(new RpcFailure(kind, method, message));
    this.failures.set(method, list);
  }

  private maybeFail(method: string): void {
    this.log.push(method);
    const f = this.failures.get(method)?.shift();
    if (f !== undefined) throw f;
  }

  async chainId(): Promise<bigint> {
    this.maybeFail('eth_chainId');
    return this.id;
  }

  async blockNumber(): Promise<number> {
    this.maybeFail('eth_blockNumber');
    return this.head;
  }

  async getLogs(addresses: readonly Address[], from: number, to: number): Promise<readonly unknown[]> {
    this.maybeFail('eth_getLogs');
    const set = new Set(addresses.map((a) => a.toLowerCase()));
    return this.logs.filter((l) => set.has(l.address.toLowerCase()) && Number(l.blockNumber) >= from && Number(l.blockNumber) <= to);
  }

  async call(to: Address, data: string, block: BlockTag): Promise<string> {
    this.maybeFail('eth_call');
    const answer = this.calls.get(`${to}|${data}|${block}`) ?? this.calls.get(`${to}|${data}|*`);
    if (answer === undefined) throw new RpcFailure('rpc_error', 'eth_call', 'execution reverted');
    return answer;
  }

  async getCode(address: Address): Promise<string> {
    this.maybeFail('eth_getCode');
    return this.code.has(address) || [...this.calls.keys()].some((k) => k.startsWith(address + '|')) ? '0x6001' : '0x';
  }

  close(): void {}
}
