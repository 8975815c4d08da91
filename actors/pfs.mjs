#!/usr/bin/env node
// The `pfs` command: runs the process entry (actors/main.ts) from its prebuilt bundle
// (runtime/bundle.mjs), or through tsx when bundling is unavailable. Worker threads start
// from the same bundles, or through actors/runtime/bootstrap.mjs under tsx.
import { bundledEntry, prepareBundles } from './runtime/bundle.mjs';

const main = new URL('./main.ts', import.meta.url);
if (await prepareBundles()) {
  await import(bundledEntry(main).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(main.href);
}
