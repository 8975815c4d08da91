import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ServiceMetrics } from '../../actors/front/service-metrics.ts';
import { OPTIONS_BEGIN, OPTIONS_END, optionsMarkdown, withOptionsBlock } from '../../src/config/options-markdown.ts';
import { OPTIONS, envName } from '../../src/config/options.ts';

// The README is the operators' reference: it must list every option and metric there is.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the README option reference is the generated one (run `npm run docs` after changing options)', () => {
  assert.ok(readme.includes(OPTIONS_BEGIN) && readme.includes(OPTIONS_END), 'markers present');
  assert.equal(withOptionsBlock(readme), readme);
  const block = optionsMarkdown();
  for (const o of OPTIONS) {
    assert.ok(block.includes(`\`--${o.name}`), o.name);
    assert.ok(block.includes(`\`${envName(o.name)}\``), envName(o.name));
  }
});

test('withOptionsBlock replaces only the block and needs both markers', () => {
  const doc = `intro\n${OPTIONS_BEGIN}\nstale\n${OPTIONS_END}\noutro\n`;
  const out = withOptionsBlock(doc);
  assert.ok(out !== null && out.startsWith(`intro\n${OPTIONS_BEGIN}\n\n**`) && out.endsWith(`\n\n${OPTIONS_END}\noutro\n`));
  assert.ok(!out.includes('stale'));
  assert.equal(withOptionsBlock('no markers'), null);
  assert.equal(withOptionsBlock(`${OPTIONS_END}${OPTIONS_BEGIN}`), null);
});

test('every metric the service exposes is documented in the README', () => {
  const names = [...new ServiceMetrics().registry.expose().matchAll(/^# HELP (\S+)/gm)].map((m) => m[1]!);
  assert.ok(names.length >= 10, `found ${names.length} metrics`);
  for (const name of names) assert.ok(readme.includes(`\`${name}`), `${name} missing from the README's metrics table`);
});

test('the README keeps the newcomer commands', () => {
  assert.match(readme, /^npm install$/m);
  assert.match(readme, /^npm start\b/m);
  assert.match(readme, /^npm test\b/m);
});
