import { closeStore, openStore } from '../../src/store/environment.ts';

/**
 * The routing state of a data dir as plain data (hex key -> hex value per database), to
 * compare two data dirs byte for byte. Presence and cursors hold wall-clock times and are
 * compared through the API instead.
 */
export async function dumpRoutingState(dataDir: string): Promise<Record<string, Record<string, string>>> {
  const store = openStore(dataDir);
  try {
    const out: Record<string, Record<string, string>> = {};
    for (const name of ['networks', 'nodes', 'channels', 'deferred'] as const) {
      const db = store.dbs[name];
      const entries: Record<string, string> = {};
      for (const { key, value } of db.getRange({})) entries[Buffer.from(key).toString('hex')] = Buffer.from(value).toString('hex');
      out[name] = entries;
    }
    return out;
  } finally {
    await closeStore(store);
  }
}
