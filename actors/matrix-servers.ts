import type { KnownServersSetting } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { defaultKnownServersUrl, fetchKnownServers } from '../src/transport/known-servers.ts';
import { chooseMainServer, connectionOrder, measureRtt } from '../src/transport/server-choice.ts';

/** How long the known-servers list may take to arrive. */
const KNOWN_SERVERS_TIMEOUT_MS = 10_000;

/** The Matrix servers to connect to, main first (empty: no live Matrix), or why there are none. */
export type MatrixServers = { readonly ok: true; readonly servers: readonly string[] } | { readonly ok: false; readonly message: string };

/** What the resolution depends on (injectable for tests). */
export interface MatrixServerDeps {
  fetchList(url: string): ReturnType<typeof fetchKnownServers>;
  measure(server: string): Promise<number | null>;
}

const LIVE: MatrixServerDeps = {
  fetchList: (url) => fetchKnownServers(url, KNOWN_SERVERS_TIMEOUT_MS),
  measure: (server) => measureRtt(server),
};

/**
 * Spec §8.1 at start-up. The known list is fetched when configured, or by default when a
 * chain is followed and its id is one the reference has a list for. The candidates for the
 * main connection are the `--matrix-server` values, or the known servers when none is
 * given; the fastest answering candidate is the main one, and every other candidate and
 * known server gets a connection of its own.
 *
 * A list that cannot be fetched is an error only when nothing else names a server: the
 * service would otherwise run without presence and answer no route at all.
 */
export async function resolveMatrixServers(
  configured: readonly string[],
  setting: KnownServersSetting,
  chainId: bigint,
  followsChain: boolean,
  log: Logger,
  deps: MatrixServerDeps = LIVE,
): Promise<MatrixServers> {
  const listUrl = setting.kind === 'url' ? setting.url : setting.kind === 'auto' && followsChain ? defaultKnownServersUrl(chainId) : null;
  let known: readonly string[] = [];
  if (listUrl !== null) {
    const list = await deps.fetchList(listUrl);
    if (list.ok) {
      known = list.servers;
      log.info('known Matrix servers fetched', { url: listUrl, servers: known });
    } else if (configured.length === 0) {
      return {
        ok: false,
        message: `cannot read the known Matrix servers from ${listUrl}: ${list.error}; name servers with --matrix-server, or pass --known-servers-url none to run without live Matrix`,
      };
    } else {
      log.warning('cannot read the known Matrix servers; using --matrix-server only', { url: listUrl, error: list.error });
    }
  }
  const candidates = configured.length > 0 ? configured : known;
  if (candidates.length === 0) return { ok: true, servers: [] };
  const { main, measured } = await chooseMainServer(candidates, deps.measure);
  if (measured.length > 0) {
    log.info('main Matrix server chosen by round-trip time', {
      main,
      rttMs: Object.fromEntries(measured.map((m) => [m.server, m.rttMs === null ? null : Math.round(m.rttMs * 10) / 10])),
    });
  }
  return { ok: true, servers: connectionOrder(main, candidates, known) };
}
