import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Worker entries compiled to plain JavaScript once per process. Starting a worker under
 * tsx costs about 0.4 s of CPU (a loader-hooks thread plus per-module transforms); a worker
 * that imports a prebuilt ES module starts in about 0.1 s, which decides how fast the
 * service restarts with several shards and pool threads on two cores. esbuild (the
 * compiler tsx itself uses) bundles our TypeScript sources, leaving packages external, into
 * a content-addressed folder inside the package (so bare imports still resolve through its
 * node_modules). When that fails (a read-only install), workers fall back to tsx.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The worker entry points that are bundled, relative to the package root. */
export const WORKER_ENTRIES = ['actors/ingress/ingress-worker.ts', 'actors/shard/shard-worker.ts', 'actors/path-pool/task.ts'] as const;

let built: Map<string, URL> | null | undefined;

/** Every source file a bundle can contain, for the content fingerprint. */
function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mts|mjs|json)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * A hash of the sources (by content: a few milliseconds), the package manifest and the
 * compiler version: a bundle is rebuilt exactly when one of them changed.
 */
function fingerprint(esbuildVersion: string): string {
  const hash = createHash('sha256').update(esbuildVersion);
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'actors')), join(root, 'package.json')].sort();
  for (const f of files) hash.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 20);
}

/** Builds (or finds) the bundles; null when bundling is unavailable. */
function build(): Map<string, URL> | null {
  if (process.env.PFS_WORKERS_UNDER_TSX === '1') return null;
  try {
    const esbuild = createRequire(join(root, 'package.json'))('esbuild') as typeof import('esbuild');
    const cache = join(root, 'node_modules', '.cache', 'raiden-pfs');
    const dir = join(cache, fingerprint(esbuild.version));
    if (!existsSync(join(dir, 'complete'))) {
      // built into a temporary folder and renamed, so concurrent processes never see half a build
      const temporary = join(cache, `tmp-${process.pid}-${Date.now()}`);
      esbuild.buildSync({
        entryPoints: WORKER_ENTRIES.map((e) => join(root, e)),
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        packages: 'external',
        outdir: temporary,
        outbase: root,
        outExtension: { '.js': '.mjs' },
        sourcemap: 'inline',
        logLevel: 'silent',
      });
      writeFileSync(join(temporary, 'complete'), '');
      try {
        renameSync(temporary, dir);
      } catch {
        rmSync(temporary, { recursive: true, force: true });
        if (!existsSync(join(dir, 'complete'))) throw new Error('bundle folder could not be created');
      }
    }
    return new Map(WORKER_ENTRIES.map((e) => [pathToFileURL(join(root, e)).href, pathToFileURL(join(dir, e.replace(/\.ts$/, '.mjs')))]));
  } catch (e) {
    process.emitWarning(`worker bundles unavailable, starting workers under tsx: ${(e as Error).message}`);
    return null;
  }
}

/** The prebuilt module for a TypeScript worker entry, or null (start it under tsx). */
export function bundledEntry(entry: URL): URL | null {
  if (built === undefined) built = build();
  return built?.get(entry.href) ?? null;
}
