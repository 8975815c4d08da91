import { openStore, closeStore } from './src/store/environment.ts';
import { listNetworks, NetworkStore } from './src/store/network-store.ts';
import { SnapshotWriter } from './src/graph/index.ts';
const store = openStore('load-tests/.cache/data-scale-free-4000-20000-r1-v1');
const [n] = listNetworks(store);
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  const loaded = new NetworkStore(store, n!.address).load()!;
  const tl = performance.now() - t;
  t = performance.now();
  const w = new SnapshotWriter(loaded.state, (x) => x);
  const ts = performance.now() - t;
  console.log(`load ${tl.toFixed(0)} ms, snapshot ${ts.toFixed(0)} ms, channels ${loaded.state.channelCount}`);
}
await closeStore(store);
