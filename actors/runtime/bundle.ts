import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** Builds (or finds) the bundles; null when bundling is unavailable. */
function build(): Map<string, URL> | null {
  if (process.env.PFS_WORKERS_UNDER_TSX === '1') return null;
  try {
    const esbuild = createRequire(join(root, 'package.json'))('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      entryPoints: WORKER_ENTRIES.map((e) => join(root, e)),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outdir: join(root, 'out'),
      outbase: root,
      outExtension: { '.js': '.mjs' },
      write: false,
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    const hash = createHash('sha256');
    for (const f of result.outputFiles) hash.update(f.path).update(f.contents);
    const id = hash.digest('hex').slice(0, 16);
    const cache = join(root, 'node_modules', '.cache', 'raiden-pfs');
    const dir = join(cache, id);
    if (!existsSync(dir)) {
      // written under a temporary name and renamed, so concurrent processes never see half a build
      const temporary = join(cache, `${id}.${process.pid}.tmp`);
      for (const f of result.outputFiles) {
        const target = join(temporary, relative(join(root, 'out'), f.path));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, f.contents);
      }
      try {
        renameSync(temporary, dir);
      } catch {
        rmSync(temporary, { recursive: true, force: true });
        if (!existsSync(dir)) throw new Error('bundle folder could not be created');
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
