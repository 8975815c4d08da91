import { parentPort, workerData } from 'node:worker_threads';
import { AddressRegistry } from '../../src/graph/index.ts';
import { closeStore, openStore } from '../../src/store/environment.ts';
import { Mailbox } from '../runtime/mailbox.ts';
import type { ShardCommand, ShardControl, ShardControlReply, ShardNotice, ShardReply, ShardWorkerData } from './messages.ts';
import { ShardHost } from './shard-host.ts';

// Thread entry of a shard worker: wiring only, the logic is in ShardHost.
const data = workerData as ShardWorkerData;
const port = parentPort!;
const store = openStore(data.storePath, data.mapSize !== undefined ? { mapSize: data.mapSize } : {});
const main = new Mailbox<never, never, ShardControl, ShardControlReply, ShardNotice, never>(port);
const host = new ShardHost(store, new AddressRegistry(data.registry), data.limits, (n) => main.notify(n));
host.restore(data.networks);

// serialise commands: each batch commits before the next starts (and after the restore)
let queue: Promise<unknown> = host.ready;
/** Commands received and not yet answered (the one running included). */
let waiting = 0;
const timer = setInterval(() => {
  if (host.pending) host.publishDue(Date.now());
}, 100);

main.onCall(async (c) => {
  switch (c.type) {
    case 'attach_ingress': {
      const ingress = new Mailbox<never, never, ShardCommand, ShardReply>(c.port);
      ingress.onCall((command) => {
        waiting++;
        const result = queue.then(() => host.handle(command, () => waiting === 1)).finally(() => waiting--);
        queue = result.catch(() => undefined);
        return result;
      });
      // the rebuild behind snapshot images blocks this thread: start it after this answer
      setImmediate(() => host.rebuildBehindImages());
      return { type: 'ok' };
    }
    case 'publish_all':
      host.publishDue(Date.now(), true);
      return { type: 'ok' };
    case 'stop':
      clearInterval(timer);
      await queue;
      await host.stop();
      await closeStore(store);
      return { type: 'ok' };
  }
});
