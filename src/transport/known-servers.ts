/**
 * The known Matrix servers of the Raiden federation (spec §8.1): a JSON document
 * `{"active_servers": [...], "all_servers": [...]}` of host names, published per
 * environment. The service connects to the active ones.
 */

/** Chains for which the reference fetches the list (mainnet and the old testnets). */
const LIST_CHAINS: ReadonlySet<bigint> = new Set([1n, 3n, 4n, 5n, 42n]);

const LIST_BASE = 'https://raw.githubusercontent.com/raiden-network/raiden-service-bundle/master/known_servers/';

/** The reference's list for a chain: production for chain 1, development for the testnets, none otherwise. */
export function defaultKnownServersUrl(chainId: bigint): string | null {
  if (!LIST_CHAINS.has(chainId)) return null;
  return LIST_BASE + (chainId === 1n ? 'known_servers-production-v3.0.0.json' : 'known_servers-development-v3.0.0.json');
}

/** Bounds on the document: it lists a handful of servers. */
export const KNOWN_SERVERS_MAX_BYTES = 256 * 1024;
export const KNOWN_SERVERS_MAX_ENTRIES = 100;

/** A parsed list, or why it was refused. */
export type KnownServers = { readonly ok: true; readonly servers: readonly string[] } | { readonly ok: false; readonly error: string };

/**
 * The active servers of a known-servers document as homeserver URLs: entries are host names
 * (optionally with a port) to be reached over https, or full http(s) URLs. Duplicates are
 * dropped; any malformed entry refuses the whole document, since a half-read list would
 * silently change which servers the service listens to.
 */
export function parseKnownServers(text: string): KnownServers {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, error: 'not a JSON object' };
  const active = (doc as Record<string, unknown>)['active_servers'];
  if (!Array.isArray(active)) return { ok: false, error: 'no "active_servers" array' };
  if (active.length > KNOWN_SERVERS_MAX_ENTRIES) return { ok: false, error: `more than ${KNOWN_SERVERS_MAX_ENTRIES} active servers` };
  const servers: string[] = [];
  for (const entry of active) {
    const url = typeof entry === 'string' ? serverUrl(entry) : null;
    if (url === null) return { ok: false, error: `bad server entry ${JSON.stringify(entry)?.slice(0, 80)}` };
    if (!servers.includes(url)) servers.push(url);
  }
  return { ok: true, servers };
}

/** `host[:port]` as https://host[:port], or an http(s) URL without path, query or credentials. */
function serverUrl(entry: string): string | null {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `https://${entry}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.hostname === '' || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return null;
  if (url.pathname !== '/') return null;
  return `${url.protocol}//${url.host}`;
}

/** Fetches and parses a list; network errors, non-200 answers and oversized bodies are errors. */
export async function fetchKnownServers(url: string, timeoutMs: number): Promise<KnownServers> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (answer.status !== 200) {
      await answer.body?.cancel();
      return { ok: false, error: `HTTP ${answer.status}` };
    }
    const declared = Number(answer.headers.get('content-length') ?? 0);
    if (declared > KNOWN_SERVERS_MAX_BYTES) {
      await answer.body?.cancel();
      return { ok: false, error: `larger than ${KNOWN_SERVERS_MAX_BYTES} bytes` };
    }
    const text = await readLimited(answer, KNOWN_SERVERS_MAX_BYTES);
    if (text === null) return { ok: false, error: `larger than ${KNOWN_SERVERS_MAX_BYTES} bytes` };
    return parseKnownServers(text);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? (e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.message) : String(e) };
  }
}

/** The body as UTF-8 text, or null once it exceeds `limit` bytes (a missing length header is no excuse). */
async function readLimited(answer: Response, limit: number): Promise<string | null> {
  if (answer.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of answer.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
