import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withOptionsBlock } from './options-markdown.ts';

// `npm run docs`: regenerates the option reference in README.md from the option table.
const path = fileURLToPath(new URL('../../README.md', import.meta.url));
const updated = withOptionsBlock(readFileSync(path, 'utf8'));
if (updated === null) {
  process.stderr.write('README.md has no options markers\n');
  process.exit(1);
}
writeFileSync(path, updated);
process.stdout.write('README.md option reference regenerated\n');
