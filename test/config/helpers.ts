import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClaimConfig, type Config, type ConfigDeps, type ParseResult, parseConfig } from '../../src/config.ts';

/** A valid private key (32 x 0x01, spec §6.6 PRIVATE_KEY_1). */
export const KEY1 = '01'.repeat(32);

/** The address of KEY1, lower case. */
export const ADDRESS1 = '0x1a642f0e3c3af545e7acbd38b07251b3990914f1';

/** EIP-55 test vectors from the EIP itself. */
export const CHECKSUMMED = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
/** A second EIP-55 vector. */
export const CHECKSUMMED2 = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';

/** Machine facts fixed for tests: 4 cores, home /home/tester. */
export const TEST_DEPS: Partial<ConfigDeps> = { cpuCount: () => 4, homeDir: () => '/home/tester' };

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-config-'));
  created.push(dir);
  return dir;
}

/** Writes a file in a fresh temporary directory and returns its path. */
export function tempFile(name: string, content: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

/** parseConfig with the test machine facts. */
export function parse(argv: string[], env: Record<string, string | undefined> = {}): ParseResult {
  return parseConfig(argv, env, TEST_DEPS);
}

/** The serve config of a parse that must succeed. */
export function serveOk(argv: string[], env: Record<string, string | undefined> = {}): Config {
  const result = parse(argv, env);
  if (!result.ok) assert.fail(`expected success, got errors:\n${result.errors.join('\n')}`);
  assert.ok(result.command === 'serve' || result.command === 'demo', `command ${result.command}`);
  return result.config;
}

/** The claim config of a parse that must succeed. */
export function claimOk(argv: string[], env: Record<string, string | undefined> = {}): ClaimConfig {
  const result = parse(argv, env);
  if (!result.ok) assert.fail(`expected success, got errors:\n${result.errors.join('\n')}`);
  assert.equal(result.command, 'claim-fees');
  return result.config as ClaimConfig;
}

/** The errors of a parse that must fail. */
export function errorsOf(argv: string[], env: Record<string, string | undefined> = {}): readonly string[] {
  const result = parse(argv, env);
  assert.equal(result.ok, false, 'expected failure');
  return result.ok ? [] : result.errors;
}

/** Asserts that some error matches each pattern, and that there are exactly that many errors. */
export function assertErrors(errors: readonly string[], patterns: RegExp[]): void {
  for (const p of patterns) assert.ok(errors.some((e) => p.test(e)), `no error matches ${p}; errors:\n${errors.join('\n')}`);
  assert.equal(errors.length, patterns.length, `error count; errors:\n${errors.join('\n')}`);
}

/** Minimal valid serve arguments (file-only mode). */
export const MIN_SERVE = ['serve', '--chain-id', '1', '--private-key', KEY1];
