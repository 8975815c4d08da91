import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the reference implementation (raiden-services 2.0.1 on networkx 2.8.7, executed
 * from its PyPI wheels by reference_oracle.py) in a project-local virtualenv that this
 * module creates on first use (git-ignored, reused afterwards).
 */

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const venv = join(root, '.venv-oracle');
const wheels = join(venv, 'wheels');
const python = join(venv, 'bin', 'python');
const servicesWheel = join(wheels, 'raiden_services-2.0.1-py3-none-any.whl');
const commonWheel = join(wheels, 'raiden_common-0.1.8-py3-none-any.whl');

/** Creates the virtualenv and fetches the wheels if needed; throws with a clear message. */
export function ensureOracle(): void {
  if (existsSync(python) && existsSync(servicesWheel) && existsSync(commonWheel)) return;
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      throw new Error(`reference oracle setup failed: ${cmd} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    }
  };
  if (!existsSync(python)) run('python3', ['-m', 'venv', venv]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'networkx==2.8.7']);
  mkdirSync(wheels, { recursive: true });
  run(python, [
    '-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps',
    'raiden-services==2.0.1', 'raiden-common==0.1.8', '-d', wheels,
  ]);
}

/** One fee schedule as the oracle takes it (integers as decimal strings). */
export interface OracleSchedule {
  cap_fees: boolean;
  flat: string;
  proportional: string;
  imbalance_penalty: [string, string][] | null;
}

/** A network and requests for the oracle; see reference_oracle.py. */
export interface OracleInput {
  channels: [number, string, string][];
  closes?: number[];
  reopens?: [number, string, string][];
  sides: Record<string, [[string, OracleSchedule | null], [string, OracleSchedule | null]]>;
  reachable: string[];
  requests: { source: string; target: string; value: string; max_paths: number; dp: number; fp: number }[];
  timeout_seconds?: number;
}

/** The reference's answer to one request. */
export type OracleAnswer =
  | { error: string }
  | { paths: string[][]; fees: string[] }
  | { crash: string }
  | { timeout: true };

/** Runs the reference on `input`. */
export function runOracle(input: OracleInput): OracleAnswer[] {
  ensureOracle();
  const out = execFileSync(python, [join(here, 'reference_oracle.py'), servicesWheel, commonWheel], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as OracleAnswer[];
}
