import { appendFileSync, existsSync, statSync, truncateSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { AddressRegistryWriter } from '../../src/graph/index.ts';
import { closeStore, openStore } from '../../src/store/environment.ts';
import { matrixSourceName } from '../../src/transport/matrix-connection.ts';
import { Mailbox } from '../runtime/mailbox.ts';
import type { ShardCommand, ShardEvent, ShardReply } from '../shard/messages.ts';
import type { ChainSource } from './chain-source.ts';
import { IngressCore, type IngressNotice, type RecordSink } from './ingress-core.ts';
import type { MatrixSource, MatrixSourceSettings } from './matrix-source.ts';
import type { IngressControl, IngressControlReply, IngressRequest, IngressRequestReply, IngressWorkerData } from './messages.ts';

// Thread entry of the ingress actor: wiring only, the logic is in IngressCore.
const data = workerData as IngressWorkerData;
const store = openStore(data.storePath, data.mapSize !== undefined ? { mapSize: data.mapSize } : {});
const main = new Mailbox<IngressRequest, IngressRequestReply, IngressControl, IngressControlReply, IngressNotice, never>(parentPort!);
const shards: (Mailbox<ShardCommand, ShardReply, never, never> | undefined)[] = [];
let batchId = 0;

/** How long a shard may take to commit one batch before the call fails. */
const SHARD_CALL_TIMEOUT_MS = 120_000;

const core = new IngressCore({
  store,
  registry: new AddressRegistryWriter(data.registry),
  chainId: BigInt(data.chainId),
  shardCount: data.shardCount,
  sendBatch: async (shard: number, events: readonly ShardEvent[]) => {
    // a shard worker starts when its first network appears
    if (shards[shard] === undefined) await main.call({ type: 'start_shard', index: shard }, SHARD_CALL_TIMEOUT_MS);
    const mailbox = shards[shard];
    if (mailbox === undefined) throw new Error(`shard ${shard} did not attach`);
    return mailbox.call({ type: 'batch', id: ++batchId, events }, SHARD_CALL_TIMEOUT_MS);
  },
  recover: async (jobs) => {
    if (jobs.length === 0) return [];
    const reply = await main.call({ type: 'recover', jobs }, 120_000);
    if (reply.type !== 'recovered') throw new Error('unexpected reply to recover');
    return reply.signers as never;
  },
  notify: (n) => main.notify(n),
  record: data.record === null ? null : fileRecordSink(data.record),
  now: () => Date.now(),
  chunkLines: data.chunkLines,
  liveSources: data.matrix === null ? [] : data.matrix.servers.map(matrixSourceName),
});

/** The --record file: cut back to its committed length at start, appended to after. */
function fileRecordSink(path: string): RecordSink {
  return {
    open(committed) {
      const size = existsSync(path) ? statSync(path).size : 0;
      if (committed !== null && size > committed) {
        truncateSync(path, committed);
        return committed;
      }
      return size;
    },
    append(text) {
      appendFileSync(path, text);
    },
  };
}

let running: Promise<void> = Promise.resolve();
let chain: ChainSource | null = null;

/**
 * The configured sources in order: the chain up to its confirmed head, then the event log
 * (its messages then find the networks and channels the chain announced), then the chain
 * live until stopped (spec event-log.md, "Combining the file with live sources").
 */
async function runSources(): Promise<void> {
  if (data.chain !== null) {
    // loaded only with a chain: ethers is not needed (nor paid for at start) in file-only mode
    const { openChainSource } = await import('./chain-source.ts');
    chain = await openChainSource(core, store, data.chain, (n) => main.notify(n));
    if (!(await chain.sync.catchUp())) return;
  }
  if (data.events !== null) await core.runFile(data.events);
  else main.notify({ type: 'progress', source: data.chain === null ? 'none' : 'chain', line: 0, block: 0, caughtUp: true });
  await chain?.sync.follow();
}

let matrix: MatrixSource | null = null;
let stopping = false;

/** Starts the live Matrix source; its connections log in and sync alongside the other sources. */
function startMatrix(settings: MatrixSourceSettings): void {
  // loaded only with Matrix: matrix-js-sdk takes over a second to import
  const run = import('./matrix-source.ts').then(({ startMatrixSource }) => {
    if (stopping) return;
    matrix = startMatrixSource(core, settings, (n) => main.notify(n));
    return matrix.done;
  });
  run.catch((e: unknown) => {
    main.notify({ type: 'log', level: 'error', message: 'Matrix source failed', fields: { error: String((e as Error)?.stack ?? e) } });
    // a bug or a lost shard: crash so the supervisor restarts us from LMDB
    setImmediate(() => {
      throw e;
    });
  });
}

main.onCall(async (c): Promise<IngressControlReply> => {
  switch (c.type) {
    case 'load':
      core.load();
      await store.env.committed;
      return { type: 'loaded', networks: [] };
    case 'attach_shard':
      shards[c.index]?.close('shard replaced');
      shards[c.index] = new Mailbox<ShardCommand, ShardReply, never, never>(c.port);
      return { type: 'ok' };
    case 'run':
      if (data.matrix !== null) startMatrix(data.matrix);
      running = runSources().then(
        () => undefined,
        (e: unknown) => {
          main.notify({ type: 'log', level: 'error', message: 'ingress failed', fields: { error: String((e as Error)?.stack ?? e) } });
          // a failed ingestion is a bug or a lost shard: crash so the supervisor restarts us from LMDB
          setImmediate(() => {
            throw e;
          });
        },
      );
      return { type: 'ok' };
    case 'stop':
      stopping = true;
      await matrix?.stop();
      core.stop();
      await chain?.close();
      // a failed run leaves no image: the next start reads the records it did commit
      if (await running.then(() => true, () => false)) await core.writePresenceImage();
      await closeStore(store);
      return { type: 'ok' };
  }
});
