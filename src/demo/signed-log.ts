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

/** Counts of the messages a log holds. */
export interface MessageCounts {
  capacityUpdates: number;
  feeUpdates: number;
}

/**
 * The network as event-log lines: TokenNetworkCreated, presence of every node (online when
 * reachable, else offline), the ChannelOpened events, then from every channel side its
 * capacity updates and, when it charges, one fee update. Blocks start at `firstBlock`.
 */
export function* signedLogLines(spec: NetworkSpec, o: SignedLogOptions, counts: MessageCounts, firstBlock = 1): Generator<string> {
  if (o.keys.length !== spec.addresses.length) throw new Error('one key per node is needed');
  o.keys.forEach((k, i) => {
    if (k.address !== spec.addresses[i]) throw new Error(`key ${i} does not belong to address ${spec.addresses[i]}`);
  });
  let block = firstBlock;
  yield tokenNetworkCreatedLine(block, o.token, o.network, o.settleTimeout);
  for (let i = 0; i < spec.addresses.length; i++) yield presenceLine(o.keys[i]!, o.server, spec.reachable[i] === 1 ? 'online' : 'offline');
  for (let n = 0; n < spec.channels.length; n++) {
    const c = spec.channels[n]!;
    if (n % o.channelsPerBlock === 0) block++;
    yield channelOpenedLine(block, o.network, c.id, spec.addresses[c.a]!, spec.addresses[c.b]!);
  }
  yield blockLine(++block);

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
        counts.capacityUpdates++;
        yield toDeviceLine(key, o.server, [message]);
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
      counts.feeUpdates++;
      yield toDeviceLine(key, o.server, [message]);
    }
  }
  yield blockLine(++block);
}

/**
 * Writes lines to `path` through a temporary file that is renamed at the end, so a crash
 * never leaves a half-written log under `path`.
 */
export function writeLines(path: string, lines: Iterable<string>, progress?: (lines: number) => void): { lines: number; bytes: number } {
  const temporary = `${path}.partial-${process.pid}`;
  const fd = openSync(temporary, 'w');
  let buffer: string[] = [];
  let pending = 0;
  let count = 0;
  let bytes = 0;
  const flush = (): void => {
    const chunk = Buffer.from(buffer.join(''), 'utf8');
    writeSync(fd, chunk);
    bytes += chunk.length;
    buffer = [];
    pending = 0;
  };
  for (const line of lines) {
    buffer.push(line, '\n');
    pending += line.length + 1;
    count++;
    if (count % 10_000 === 0) progress?.(count);
    if (pending >= FLUSH_BYTES) flush();
  }
  flush();
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, path);
  return { lines: count, bytes };
}

/** Writes one network as a signed event log (see signedLogLines). */
export function writeSignedLog(path: string, spec: NetworkSpec, o: SignedLogOptions): SignedLogSummary {
  const counts: MessageCounts = { capacityUpdates: 0, feeUpdates: 0 };
  const written = writeLines(path, signedLogLines(spec, o, counts), o.progress);
  return { ...written, ...counts };
}
