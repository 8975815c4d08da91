import type { Address } from '../domain/index.ts';
import { type KeyPair, signEip191Hex } from '../protocol/index.ts';

/**
 * How a Raiden service logs in to a homeserver (spec §8.1): the user name is the lower-case
 * hex address, the password the EIP-191 signature of the server URL's netloc, the device
 * id `PATH_FINDING`, and the displayname the signature of the full user id, which is what
 * other Raiden nodes verify before they trust a user (§8.2).
 */

/** The device id of a pathfinding service. */
export const PFS_DEVICE_ID = 'PATH_FINDING';

/**
 * Python's `urlparse(url).netloc`: everything between `//` and the next `/`, `?` or `#`,
 * verbatim (port and user info included, letter case kept). Not `URL.host`, which drops a
 * default port and lower-cases, and would sign a different string than a Raiden node.
 */
export function netlocOf(url: string): string {
  const start = url.indexOf('//');
  if (start < 0) return '';
  const rest = url.slice(start + 2);
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The Matrix user name of an address (lower-case hex with 0x). */
export function matrixUsername(address: Address): string {
  return address.toLowerCase();
}

/** The login password for a homeserver: the signature of its netloc. */
export function matrixPassword(key: KeyPair, serverUrl: string): string {
  return signEip191Hex(key, Buffer.from(netlocOf(serverUrl), 'utf8'));
}

/** The displayname a Raiden user sets: the signature of its full user id. */
export function matrixDisplayname(key: KeyPair, userId: string): string {
  return signEip191Hex(key, Buffer.from(userId, 'utf8'));
}

/** The server name of a user id (`@local:server` → `server`), or null. */
export function serverNameOf(userId: string): string | null {
  const colon = userId.indexOf(':');
  return colon < 0 || colon === userId.length - 1 ? null : userId.slice(colon + 1);
}
