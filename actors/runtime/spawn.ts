import { type Transferable, Worker } from 'node:worker_threads';
import { bundledEntry } from './bundle.mjs';

const bootstrap = new URL('./bootstrap.mjs', import.meta.url);

/**
 * Starts a worker thread running the TypeScript module `entry` (a file URL): its prebuilt
 * bundle when there is one (bundle.mjs), else through the tsx bootstrap. `data` becomes its
 * workerData; SharedArrayBuffers and MessagePorts in it are shared or transferred as usual
 * (ports must also be listed in `transfer`).
 */
export function spawnWorker(entry: URL, data: Record<string, unknown>, transfer: Transferable[] = [], name?: string): Worker {
  const bundle = bundledEntry(entry);
  return new Worker(bundle ?? bootstrap, {
    workerData: { ...data, __entry: entry.href },
    transferList: transfer as never,
    ...(name !== undefined ? { name } : {}),
  });
}
