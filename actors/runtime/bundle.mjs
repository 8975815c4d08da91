// Plain JavaScript on purpose: the `pfs` command loads this before anything can compile
// TypeScript. Types for TypeScript callers are in bundle.d.mts.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/*
 * The process and worker entries compiled to plain JavaScript once per source version.
 * Loading our TypeScript through tsx costs about 0.4 s of CPU per thread (a loader-hooks
 * thread plus per-module transforms), 1 s for the main thread with all its modules on a
 * busy machine; a prebuilt ES module loads in a fraction of that, which decides how fast
 * the service (re)starts with several shards and pool threads on two cores.
 *
 * esbuild (the compiler tsx itself uses) bundles our sources, packages left external, into
 * a content-addressed folder inside the package, so bare imports still resolve through its
 * node_modules. `import.meta.url` is replaced by each source file's own URL at build time,
 * so code that locates files next to itself (worker entries, native modules) behaves
 * exactly as under tsx. When bundling fails (a read-only install, no esbuild),
 * everything falls back to tsx; PFS_WORKERS_UNDER_TSX=1 forces that.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The bundled entry points, relative to the package root. */
export const BUNDLE_ENTRIES = Object.freeze([
  'actors/main.ts',
  'actors/ingress/ingress-worker.ts',
  'actors/shard/shard-worker.ts',
  'actors/path-pool/task.ts',
]);

/** Bundle folders kept besides the current one (older source versions, newest first). */
const KEEP_OLD = 3;

/** @type {Map<string, URL> | null | undefined} */
let built;

/** Every source file a bundle can contain, for the content fingerprint. */
function sourceFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mts|mjs|json)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * A hash of the sources (by content: a few milliseconds), the package manifest, the
 * compiler version and the package location (the bundles embed source URLs): a bundle is
 * rebuilt exactly when one of them changed.
 */
function fingerprint(esbuildVersion) {
  const hash = createHash('sha256').update(esbuildVersion).update('\0').update(root).update('\0');
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'actors')), join(root, 'package.json')].sort();
  for (const f of files) hash.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 20);
}

/**
 * esbuild plugin: `import.meta.url` becomes the URL of the source file it is written in,
 * and this module stays external (imported by its file URL), so the bundled main thread
 * shares the bundle table its entry filled instead of getting an empty copy.
 */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    const self = fileURLToPath(import.meta.url);
    build.onResolve({ filter: /bundle\.mjs$/ }, (args) => {
      const path = join(args.resolveDir, args.path);
      return path === self ? { path: pathToFileURL(self).href, external: true } : undefined;
    });
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/** Removes bundle folders of older source versions beyond the newest KEEP_OLD. */
function prune(cache, current) {
  try {
    const old = readdirSync(cache)
      .filter((d) => d !== current && /^[0-9a-f]{16,64}$/.test(d))
      .map((d) => ({ d, t: statSync(join(cache, d)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { d } of old.slice(KEEP_OLD)) rmSync(join(cache, d), { recursive: true, force: true });
  } catch {
    // pruning is housekeeping; a failure changes nothing else
  }
}

/** Builds (or finds) the bundles; null when bundling is unavailable. */
async function build() {
  if (process.env.PFS_WORKERS_UNDER_TSX === '1') return null;
  try {
    const esbuild = createRequire(join(root, 'package.json'))('esbuild');
    const cache = join(root, 'node_modules', '.cache', 'raiden-pfs');
    const name = fingerprint(esbuild.version);
    const dir = join(cache, name);
    if (!existsSync(join(dir, 'complete'))) {
      // built into a temporary folder and renamed, so concurrent processes never see half a build
      const temporary = join(cache, `tmp-${process.pid}-${Date.now()}`);
      await esbuild.build({
        entryPoints: BUNDLE_ENTRIES.map((e) => join(root, e)),
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
        plugins: [sourceUrls],
      });
      writeFileSync(join(temporary, 'complete'), '');
      try {
        renameSync(temporary, dir);
      } catch {
        rmSync(temporary, { recursive: true, force: true });
        if (!existsSync(join(dir, 'complete'))) throw new Error('bundle folder could not be created');
      }
      prune(cache, name);
    }
    return new Map(BUNDLE_ENTRIES.map((e) => [pathToFileURL(join(root, e)).href, pathToFileURL(join(dir, e.replace(/\.ts$/, '.mjs')))]));
  } catch (e) {
    process.emitWarning(`bundles unavailable, running the TypeScript sources under tsx: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

/** Builds or finds the bundles once per process; call before `bundledEntry`. */
export async function prepareBundles() {
  if (built === undefined) built = await build();
  return built !== null;
}

/**
 * The prebuilt module of a TypeScript entry (a file URL), or null: start it under tsx.
 * Without a `prepareBundles` first (a process started under tsx directly, e.g. tests
 * importing actors/service.ts), there are no bundles.
 */
export function bundledEntry(entry) {
  return built?.get(entry.href) ?? null;
}
