import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, freePort } from './service-process.ts';

/**
 * A throw-away anvil dev chain for integration tests: the binary of the devDependency
 * `@foundry-rs/anvil-linux-amd64`, spawned directly on a free loopback port. Every anvil
 * started here is killed when the test process exits, whatever happens to the test.
 */

/** Path of the anvil binary inside node_modules. */
export const ANVIL_BINARY = join(PROJECT_ROOT, 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin', 'anvil');

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Options of an anvil run. */
export interface AnvilOptions {
  /** Chain id (default 1337). */
  readonly chainId?: bigint;
  /** Port (default: a free one). Giving the port of a stopped anvil restarts "the same node". */
  readonly port?: number;
  /** Mine only on `evm_mine` (default false: one block per transaction). */
  readonly noMining?: boolean;
  /** Accept transactions from any address without a signature (default false). */
  readonly autoImpersonate?: boolean;
  /** Block gas limit (default anvil's). */
  readonly gasLimit?: bigint;
}

/** Why anvil cannot run here, or null when it can (tests skip with this message). */
export function anvilUnavailable(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `anvil is only installed for linux-x64 (this is ${process.platform}-${process.arch})`;
  if (!existsSync(ANVIL_BINARY)) return `anvil binary missing at ${ANVIL_BINARY} (npm install the devDependencies)`;
  return null;
}

/** A running anvil. */
export class Anvil {
  readonly url: string;
  readonly port: number;
  readonly chainId: bigint;
  private readonly child: ChildProcess;
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(child: ChildProcess, port: number, chainId: bigint) {
    this.child = child;
    this.port = port;
    this.chainId = chainId;
    this.url = `http://127.0.0.1:${port}`;
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.exited = new Promise((resolve) =>
      child.on('exit', () => {
        running.delete(child);
        resolve();
      }),
    );
  }

  /** Starts anvil and resolves once it answers JSON-RPC. */
  static async start(o: AnvilOptions = {}): Promise<Anvil> {
    const problem = anvilUnavailable();
    if (problem !== null) throw new Error(problem);
    const port = o.port ?? (await freePort());
    const chainId = o.chainId ?? 1337n;
    const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', chainId.toString(), '--accounts', '3'];
    if (o.noMining === true) args.push('--no-mining');
    if (o.autoImpersonate === true) args.push('--auto-impersonate');
    if (o.gasLimit !== undefined) args.push('--gas-limit', o.gasLimit.toString());
    const child = spawn(ANVIL_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const anvil = new Anvil(child, port, chainId);
    await anvil.waitReady(20_000);
    return anvil;
  }

  /** Anvil's output so far (last 20 kB), for failure messages. */
  get log(): string {
    return this.output;
  }

  /** One JSON-RPC call; throws on an error answer. */
  async rpc(method: string, params: unknown[] = []): Promise<unknown> {
    const r = await fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await r.json()) as { result?: unknown; error?: { message: string } };
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < until) {
      if (exited) throw new Error(`anvil exited before it answered:\n${this.output}`);
      try {
        await this.rpc('eth_chainId');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    this.child.kill('SIGKILL');
    throw new Error(`anvil did not answer within ${timeoutMs} ms:\n${this.output}`);
  }

  /** The current block number. */
  async blockNumber(): Promise<number> {
    return Number(BigInt((await this.rpc('eth_blockNumber')) as string));
  }

  /** Mines `n` empty blocks. */
  async mine(n = 1): Promise<void> {
    await this.rpc('anvil_mine', ['0x' + n.toString(16)]);
  }

  /** Moves the chain clock forward by `seconds` (applies from the next block). */
  async increaseTime(seconds: number): Promise<void> {
    await this.rpc('evm_increaseTime', ['0x' + seconds.toString(16)]);
  }

  /** Timestamp of the latest block, POSIX seconds. */
  async latestTimestamp(): Promise<number> {
    const block = (await this.rpc('eth_getBlockByNumber', ['latest', false])) as { timestamp: string };
    return Number(BigInt(block.timestamp));
  }

  /** Takes a snapshot of the chain state; `revert(id)` returns to it (the head moves back). */
  async snapshot(): Promise<string> {
    return (await this.rpc('evm_snapshot')) as string;
  }

  /** Reverts to a snapshot taken earlier: blocks after it disappear. */
  async revert(id: string): Promise<void> {
    const ok = await this.rpc('evm_revert', [id]);
    if (ok !== true) throw new Error(`evm_revert ${id} failed`);
  }

  /** Kills anvil (SIGKILL) and waits for it to exit. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
