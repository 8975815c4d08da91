import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { Address } from '../domain/index.ts';
import type { FeeSchedule } from '../graph/index.ts';
import { isoFromEpochMs } from '../protocol/index.ts';
import {
  blockLine,
  capacityUpdateJson,
  channelOpenedLine,
  feeUpdateJson,
  presenceLine,
  toDeviceLine,
  tokenNetworkCreatedLine,
} from './event-lines.ts';
import type { KeyPair } from '../protocol/index.ts';
import type { NetworkSpec } from './topology.ts';

/** How a NetworkSpec becomes a signed event log. */
export interface SignedLogOptions {
  readonly chainId: bigint;
  readonly token: Address;
  readonly network: Address;
  readonly settleTimeout: bigint;
  /** Matrix server part of the user ids. */
  readonly server: string;
  /** The key of every node, index-aligned with `spec.addresses`. */
  readonly keys: readonly KeyPair[];
  /**
   * Capacity updates each channel side sends (nonces 1..rounds); the last carries the
   * spec's capacities, earlier ones smaller amounts, so every round changes state.
   */
  readonly capacityRounds: number;
  /** Channels per block (one ChannelOpened block advances every this many channels). */
  readonly channelsPerBlock: number;
  /** Epoch milliseconds of the first fee update; later ones are a millisecond apart. */
  readonly feeEpochMs: number;
  /** Called every 10,000 lines with the lines written so far (progress output). */
  readonly progress?: (lines: number) => void;
}

/** Counts of what was written. */
export interface SignedLogSummary {
  readonly lines: number;
  readonly capacityUpdates: number;
  readonly feeUpdates: number;
  readonly bytes: number;
}

const FLUSH_BYTES = 1 << 20;

/**
 * Writes the network as an event log: TokenNetworkCreated, presence of every node (online
 * when reachable, else offline), the ChannelOpened events, then from every channel side
 * its capacity updates and, when it charges, one fee update. Written to a temporary file
 * and renamed, so a crash never leaves a half-written log under `path`.
 */
export function writeSignedLog(path: string, spec: NetworkSpec, o: SignedLogOptions): SignedLogSummary {
  if (o.keys.length !== spec.addresses.length) throw new Error('one key per node is needed');
  o.keys.forEach((k, i) => {
    if (k.address !== spec.addresses[i]) throw new Error(`key ${i} does not belong to address ${spec.addresses[i]}`);
  });
  const temporary = `${path}.partial-${process.pid}`;
  const fd = openSync(temporary, 'w');
  let buffer: string[] = [];
  let pending = 0;
  let lines = 0;
  let bytes = 0;
  const emit = (line: string): void => {
    buffer.push(line, '\n');
    pending += line.length + 1;
    lines++;
    if (lines % 10_000 === 0) o.progress?.(lines);
    if (pending >= FLUSH_BYTES) flush();
  };
  const flush = (): void => {
    const chunk = Buffer.from(buffer.join(''), 'utf8');
    writeSync(fd, chunk);
    bytes += chunk.length;
    buffer = [];
    pending = 0;
  };

  let block = 1;
  emit(tokenNetworkCreatedLine(block, o.token, o.network, o.settleTimeout));
  spec.addresses.forEach((_, i) => emit(presenceLine(o.keys[i]!, o.server, spec.reachable[i] === 1 ? 'online' : 'offline')));
  spec.channels.forEach((c, n) => {
    if (n % o.channelsPerBlock === 0) block++;
    emit(channelOpenedLine(block, o.network, c.id, spec.addresses[c.a]!, spec.addresses[c.b]!));
  });
  emit(blockLine(++block));

  let capacityUpdates = 0;
  let feeUpdates = 0;
  let feeClock = o.feeEpochMs;
  for (let round = 1; round <= o.capacityRounds; round++) {
    const last = round === o.capacityRounds;
    for (const c of spec.channels) {
      // earlier rounds announce a share of the final capacity, growing towards it
      const scale = (v: bigint): bigint => (last ? v : (v * BigInt(round)) / BigInt(o.capacityRounds + 1));
      const sides: [number, number, bigint, bigint][] = [
        [c.a, c.b, scale(c.capacityAB), scale(c.capacityBA)],
        [c.b, c.a, scale(c.capacityBA), scale(c.capacityAB)],
      ];
      for (const [self, other, own, theirs] of sides) {
        const key = o.keys[self]!;
        const message = capacityUpdateJson(
          {
            chainId: o.chainId,
            tokenNetwork: o.network,
            channelId: c.id,
            updating: key.address,
            other: spec.addresses[other]!,
            updatingNonce: BigInt(round),
            otherNonce: BigInt(round),
            updatingCapacity: own,
            otherCapacity: theirs,
            revealTimeout: 50n,
          },
          key,
        );
        emit(toDeviceLine(key, o.server, [message]));
        capacityUpdates++;
      }
    }
  }
  for (const c of spec.channels) {
    const sides: [number, FeeSchedule | undefined][] = [
      [c.a, c.feeA?.schedule],
      [c.b, c.feeB?.schedule],
    ];
    for (const [self, schedule] of sides) {
      if (schedule === undefined) continue;
      const key = o.keys[self]!;
      const message = feeUpdateJson(
        { chainId: o.chainId, tokenNetwork: o.network, channelId: c.id, updating: key.address, schedule, timestamp: isoFromEpochMs(feeClock++) },
        key,
      );
      emit(toDeviceLine(key, o.server, [message]));
      feeUpdates++;
    }
  }
  emit(blockLine(++block));
  flush();
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, path);
  return { lines, capacityUpdates, feeUpdates, bytes };
}
