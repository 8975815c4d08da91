// Entry of every worker thread: registers tsx so the TypeScript entry named in workerData
// can be imported (a plain `new Worker('x.ts')` fails on Node 20).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.__entry);
