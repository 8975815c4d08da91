import {
  type ChainEvent,
  ChainFollower,
  ChainSync,
  EthersRpc,
  MAX_LOG_INDEX,
  type RangeRound,
  blockLine,
  chainPosition,
  eventLogLine,
} from '../../src/chain/index.ts';
import { type Address, asAddress } from '../../src/domain/index.ts';
import type { Store } from '../../src/store/environment.ts';
import type { IngressCore, IngressNotice } from './ingress-core.ts';
import { readCursor } from './ingress-state.ts';
import type { LogInput } from './log-line.ts';

/**
 * The live chain source of the ingress: wires the confirmed-block follower (src/chain) to
 * the ingress core. Each range goes through the same path as event-log chunks: the events
 * go to their shards (with positions `chain`/block × 2^20 + log index, so a replay after a
 * crash is skipped where it was applied), the shards commit, then the `chain` cursor moves
 * to the range's last block.
 */

/** Cursor name of the chain source. */
export const CHAIN_SOURCE = 'chain';

/** What the ingress worker is given for the chain source (plain data: it crosses threads). */
export interface ChainSourceSettings {
  readonly url: string;
  /** Decimal chain id of the data dir. */
  readonly chainId: string;
  readonly registry: string;
  readonly confirmations: number;
  /** First block to read when the data dir has no chain cursor yet. */
  readonly startBlock: number;
  readonly pollIntervalMs: number;
  /** Per-request timeout. */
  readonly requestTimeoutMs: number;
}

/** Longest pause between retries while the node is down. */
const MAX_BACKOFF_MS = 30_000;

/** The committed block of the chain source: its cursor, or start block - 1 when there is none. */
export function committedBlock(store: Store, startBlock: number): number {
  if (store.dbs.cursors.get(Buffer.from(CHAIN_SOURCE, 'utf8')) === undefined) return startBlock - 1;
  return readCursor(store, CHAIN_SOURCE).block;
}

/** The ingress input of a chain event (ChannelSettled acts like ChannelClosed, spec §7.1). */
export function chainInput(e: ChainEvent): LogInput {
  switch (e.kind) {
    case 'network_created':
      return { kind: 'network_created', block: e.block, token: e.token, network: e.network, settleTimeout: e.settleTimeout };
    case 'channel_opened':
      return { kind: 'channel_opened', block: e.block, network: e.network, id: e.id, participants: e.participants };
    case 'channel_closed':
    case 'channel_settled':
      return { kind: 'channel_closed', block: e.block, network: e.network, id: e.id };
  }
}

/** The inputs of a range: its events, then the head block (which raises the confirmed block). */
export function rangeInputs(round: RangeRound): { at: number; text: string; input: LogInput }[] {
  const inputs = round.events.map((e) => ({ at: chainPosition(e.block, e.logIndex), text: eventLogLine(e), input: chainInput(e) }));
  inputs.push({ at: chainPosition(round.to, MAX_LOG_INDEX), text: blockLine(round.to), input: { kind: 'block', block: round.to } });
  return inputs;
}

/** A connected chain source: run `sync.catchUp()` then `sync.follow()`; `close()` ends both. */
export interface ChainSource {
  readonly sync: ChainSync;
  /** Stops the loop (waiting for a range being applied) and closes the connection. */
  close(): Promise<void>;
}

/** Connects to the node and builds the loop. */
export async function openChainSource(core: IngressCore, store: Store, settings: ChainSourceSettings, notify: (n: IngressNotice) => void): Promise<ChainSource> {
  const rpc = EthersRpc.connect(settings.url, BigInt(settings.chainId), { timeoutMs: settings.requestTimeoutMs });
  let committed = committedBlock(store, settings.startBlock);
  const follower = new ChainFollower(rpc, asAddress(settings.registry.toLowerCase()), settings.confirmations);
  const sync = new ChainSync({
    rpc,
    follower,
    expectedChainId: BigInt(settings.chainId),
    pollIntervalMs: settings.pollIntervalMs,
    maxBackoffMs: Math.max(settings.pollIntervalMs, MAX_BACKOFF_MS),
    committed: () => committed,
    networks: (): readonly Address[] => core.networkAddresses(),
    apply: async (round) => {
      const counts: Record<string, number> = {};
      for (const [k, n] of Object.entries(round.outcomes)) counts[`chain_log:${k}`] = n;
      core.addCounts(counts);
      await core.applySourceInputs(CHAIN_SOURCE, rangeInputs(round), round.to);
      committed = round.to;
    },
    status: (s) => notify({ type: 'chain', lagging: s.lagging, head: s.head, committed: s.committed }),
    log: (level, message, fields) => notify({ type: 'log', level, message, ...(fields === undefined ? {} : { fields }) }),
  });
  notify({ type: 'log', level: 'info', message: 'following the chain', fields: { from: committed + 1, confirmations: settings.confirmations, registry: settings.registry } });
  return {
    sync,
    close: async () => {
      await sync.stop();
      rpc.close();
    },
  };
}
