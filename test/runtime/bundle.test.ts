import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUNDLE_ENTRIES, bundledEntry, prepareBundles } from '../../actors/runtime/bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('every entry has a bundle, and bundled code sees its source location', async () => {
  assert.equal(await prepareBundles(), true);
  for (const entry of BUNDLE_ENTRIES) {
    const url = bundledEntry(new URL(entry, `file://${root}/`));
    assert.ok(url !== null, entry);
    assert.match(url.pathname, /node_modules\/\.cache\/raiden-pfs\/[0-9a-f]{20}\//);
  }
  assert.equal(bundledEntry(new URL('actors/not-an-entry.ts', `file://${root}/`)), null);
  // import.meta.url is replaced by the source file's URL: the bundled service spawns the
  // workers by their source names, and the bundle table stays one shared module
  const dir = dirname(fileURLToPath(bundledEntry(new URL('actors/main.ts', `file://${root}/`))!));
  const code = readdirSync(dir, { recursive: true })
    .filter((f) => String(f).endsWith('.mjs'))
    .map((f) => readFileSync(join(dir, String(f)), 'utf8'))
    .join('\n');
  assert.ok(!/import\.meta\.url/.test(code.replace(/\/\/# sourceMappingURL=.*/g, '')), 'no import.meta.url left');
  assert.ok(code.includes(JSON.stringify(`file://${join(root, 'actors/service.ts')}`)), 'service.ts locates its workers from its source URL');
  assert.ok(code.includes(`file://${join(root, 'actors/runtime/bundle.mjs')}`), 'bundle.mjs imported by URL, not copied');
});

test('the pfs command runs bundled and, with PFS_WORKERS_UNDER_TSX=1, under tsx', () => {
  for (const env of [{}, { PFS_WORKERS_UNDER_TSX: '1' }]) {
    const r = spawnSync(process.execPath, [join(root, 'actors/pfs.mjs'), '--help'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^pfs: Raiden Pathfinding Service/);
  }
});
