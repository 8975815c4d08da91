import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Uws from 'uWebSockets.js';

/**
 * Loads the native uWebSockets.js server. The package's own entry falls back silently to a
 * slow pure-JS server when no binary matches this Node ABI; the service refuses that and
 * loads the binary itself, so a mismatch is an error with a clear message instead.
 */
export type UwsModule = typeof Uws;

export function loadNativeUws(): { ok: true; uws: UwsModule } | { ok: false; error: string } {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(require.resolve('uWebSockets.js/package.json'));
  } catch {
    return { ok: false, error: 'uWebSockets.js is not installed (run npm install)' };
  }
  const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  try {
    return { ok: true, uws: require(join(root, 'binaries', binary)) as UwsModule };
  } catch (e) {
    return {
      ok: false,
      error:
        `the native uWebSockets.js server ${binary} cannot be loaded on Node ${process.version} ` +
        `(${(e as Error).message.split('\n')[0]}); the pure-JS fallback is refused. Use Node 20 (see package.json engines).`,
    };
  }
}
