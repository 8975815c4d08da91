#!/usr/bin/env node
// The `pfs` command: registers tsx so the TypeScript sources run as they are, then starts
// the process entry (actors/main.ts). Worker threads go through actors/runtime/bootstrap.mjs.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
