import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BaseContract,
  Contract,
  ContractFactory,
  type ContractTransactionResponse,
  type InterfaceAbi,
  JsonRpcProvider,
  Network,
  Wallet,
  concat,
  getBytes,
  keccak256,
  solidityPacked,
  toBeHex,
  toUtf8Bytes,
  zeroPadValue,
} from 'ethers';
import { PROJECT_ROOT } from './service-process.ts';

/**
 * The real Raiden contracts (raiden-contracts 0.50.2) on a dev chain: finding the compiled
 * file, deploying everything in the upstream order (contracts/README.md), and the
 * transactions tests need (token networks, channels, UserDeposit, ServiceRegistry).
 *
 * Where the compiled file comes from: `../shared/contracts/raiden-contracts-0.50.2.json`
 * next to the checkout (CI), else the same file from the PyPI package, installed with
 * `pip --no-deps` into the git-ignored `.venv-contracts` of this project.
 */

/** The compiled contract data: name -> abi and creation bytecode. */
export interface ContractsData {
  readonly version: string;
  readonly contracts: Readonly<Record<string, { readonly abi: InterfaceAbi; readonly bin: string }>>;
}

/** The shared copy next to the checkout. */
export const SHARED_CONTRACTS = join(PROJECT_ROOT, '..', 'shared', 'contracts', 'raiden-contracts-0.50.2.json');
/** The project-local virtualenv holding the PyPI package, when the shared copy is missing. */
export const CONTRACTS_VENV = join(PROJECT_ROOT, '.venv-contracts');
const PYPI_REQUIREMENT = 'raiden-contracts==0.50.2';

function venvContractsFile(venv: string): string | null {
  const lib = join(venv, 'lib');
  if (!existsSync(lib)) return null;
  for (const python of readdirSync(lib)) {
    const file = join(lib, python, 'site-packages', 'raiden_contracts', 'data', 'contracts.json');
    if (existsSync(file)) return file;
  }
  return null;
}

/** Where to look; tests of the fallback override both. */
export interface ContractsLocation {
  readonly shared: string;
  readonly venv: string;
}

/**
 * The path of the compiled contracts, installing the PyPI package into the venv when
 * neither copy exists; `{ problem }` when that is impossible (no python, no network).
 */
export function locateContracts(where: ContractsLocation = { shared: SHARED_CONTRACTS, venv: CONTRACTS_VENV }): { path: string } | { problem: string } {
  if (existsSync(where.shared)) return { path: where.shared };
  const installed = venvContractsFile(where.venv);
  if (installed !== null) return { path: installed };
  try {
    if (!existsSync(join(where.venv, 'bin', 'pip'))) execFileSync('python3', ['-m', 'venv', where.venv], { stdio: 'pipe', timeout: 120_000 });
    execFileSync(join(where.venv, 'bin', 'pip'), ['install', '--quiet', '--no-deps', PYPI_REQUIREMENT], { stdio: 'pipe', timeout: 300_000 });
  } catch (e) {
    const detail = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim().split('\n').slice(-3).join(' / ');
    return { problem: `no Raiden contracts: ${where.shared} is missing and pip could not install ${PYPI_REQUIREMENT} into ${where.venv} (${detail})` };
  }
  const file = venvContractsFile(where.venv);
  return file === null ? { problem: `${PYPI_REQUIREMENT} installed into ${where.venv} but it has no raiden_contracts/data/contracts.json` } : { path: file };
}

/** Reads a compiled contracts file (either source: both have `contracts_version` and `contracts`). */
export function readContracts(path: string): ContractsData {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { contracts_version: string | null; contracts: Record<string, { abi: InterfaceAbi; bin: string }> };
  // the PyPI copy has the same contracts but no version stamp (checked byte for byte)
  return { version: json.contracts_version ?? '0.50.2', contracts: json.contracts };
}

let cached: ContractsData | { problem: string } | undefined;

/** The contracts, or why there are none (tests skip with that message). */
export function loadContracts(): ContractsData | { problem: string } {
  if (cached === undefined) {
    const located = locateContracts();
    cached = 'problem' in located ? located : readContracts(located.path);
  }
  return cached;
}

/** Why contract tests cannot run, or null. */
export function contractsUnavailable(): string | null {
  const c = loadContracts();
  return 'problem' in c ? c.problem : null;
}

function contracts(): ContractsData {
  const c = loadContracts();
  if ('problem' in c) throw new Error(c.problem);
  return c;
}

/** The ABI of a contract by name. */
export function abiOf(name: string): InterfaceAbi {
  const c = contracts().contracts[name];
  if (c === undefined) throw new Error(`contract ${name} not in the compiled file`);
  return c.abi;
}

/**
 * An ethers provider for the dev chain. `cacheTimeout: -1` turns off ethers' request
 * cache (back-to-back transactions otherwise read a stale nonce and fail with
 * NONCE_EXPIRED); the network is fixed so no detection loop runs.
 */
export function devProvider(url: string, chainId: bigint): JsonRpcProvider {
  return new JsonRpcProvider(url, Network.from(chainId), { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1, pollingInterval: 50 });
}

/** A wallet of a deterministic test key, funded with 1000 ETH on the dev chain. */
export async function fundedWallet(provider: JsonRpcProvider, privateKey: string): Promise<Wallet> {
  const wallet = new Wallet(privateKey, provider);
  await provider.send('anvil_setBalance', [wallet.address, toBeHex(10n ** 21n)]);
  return wallet;
}

/** The private key `keccak("raiden-test/<label>")`: stable across runs, distinct per label. */
export function testKey(label: string): string {
  return keccak256(Buffer.from(`raiden-test/${label}`, 'utf8'));
}

async function mined(tx: Promise<unknown>): Promise<number> {
  const receipt = await ((await tx) as ContractTransactionResponse).wait();
  if (receipt === null || receipt.status !== 1) throw new Error('transaction failed');
  return receipt.blockNumber;
}

/** A contract whose methods are looked up by name (the ABI decides what exists). */
type AnyContract = BaseContract & Record<string, (...args: unknown[]) => Promise<unknown>>;

function at(name: string, address: string, runner: Wallet | JsonRpcProvider): AnyContract {
  return new Contract(address, abiOf(name), runner) as unknown as AnyContract;
}

async function deploy(name: string, signer: Wallet, ...args: unknown[]): Promise<AnyContract> {
  const c = contracts().contracts[name];
  if (c === undefined) throw new Error(`contract ${name} not in the compiled file`);
  const factory = new ContractFactory(c.abi, c.bin, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract as unknown as AnyContract;
}

/** Deployment parameters (the upstream deployer's values by default). */
export interface DeployOptions {
  /** Channel settle timeout of the registry, seconds (default 500). */
  readonly settleTimeout?: bigint;
  /** ServiceRegistry price of a registration (default 1000). */
  readonly registrationPrice?: bigint;
}

interface RaidenChainParts {
  readonly provider: JsonRpcProvider;
  readonly deployer: Wallet;
  readonly chainId: bigint;
  readonly token: AnyContract;
  readonly secretRegistry: AnyContract;
  readonly registry: AnyContract;
  readonly serviceRegistry: AnyContract;
  readonly userDeposit: AnyContract;
  readonly monitoringService: AnyContract;
  readonly oneToN: AnyContract;
  readonly startBlock: number;
}

/** A deployment of the Raiden service and channel contracts. */
export class RaidenChain {
  readonly provider: JsonRpcProvider;
  readonly deployer: Wallet;
  readonly chainId: bigint;
  readonly token: AnyContract;
  readonly secretRegistry: AnyContract;
  readonly registry: AnyContract;
  readonly serviceRegistry: AnyContract;
  readonly userDeposit: AnyContract;
  readonly monitoringService: AnyContract;
  readonly oneToN: AnyContract;
  /** Block of the first deployment transaction. */
  readonly startBlock: number;
  private tokenNetworks = 0;

  private constructor(init: RaidenChainParts) {
    this.provider = init.provider;
    this.deployer = init.deployer;
    this.chainId = init.chainId;
    this.token = init.token;
    this.secretRegistry = init.secretRegistry;
    this.registry = init.registry;
    this.serviceRegistry = init.serviceRegistry;
    this.userDeposit = init.userDeposit;
    this.monitoringService = init.monitoringService;
    this.oneToN = init.oneToN;
    this.startBlock = init.startBlock;
  }

  /**
   * Deploys in the upstream order: CustomToken, SecretRegistry, TokenNetworkRegistry,
   * ServiceRegistry, UserDeposit, MonitoringService, OneToN, then UserDeposit.init.
   */
  static async deploy(url: string, chainId: bigint, o: DeployOptions = {}): Promise<RaidenChain> {
    const provider = devProvider(url, chainId);
    const deployer = await fundedWallet(provider, testKey('deployer'));
    const startBlock = (await provider.getBlockNumber()) + 1;
    const day = 24n * 3600n;
    const token = await deploy('CustomToken', deployer, 10n ** 27n, 18, 'Service Token', 'SVT');
    const secretRegistry = await deploy('SecretRegistry', deployer);
    const registry = await deploy('TokenNetworkRegistry', deployer, await secretRegistry.getAddress(), o.settleTimeout ?? 500n, 100n);
    const price = o.registrationPrice ?? 1000n;
    const serviceRegistry = await deploy('ServiceRegistry', deployer, await token.getAddress(), deployer.address, price, 1n, 1n, 200n * day, price, 180n * day);
    const userDeposit = await deploy('UserDeposit', deployer, await token.getAddress(), 10n ** 26n, 1500n);
    const monitoringService = await deploy(
      'MonitoringService',
      deployer,
      await token.getAddress(),
      await serviceRegistry.getAddress(),
      await userDeposit.getAddress(),
      await registry.getAddress(),
    );
    const oneToN = await deploy('OneToN', deployer, await userDeposit.getAddress(), chainId, await serviceRegistry.getAddress());
    await mined(userDeposit['init']!(await monitoringService.getAddress(), await oneToN.getAddress()));
    return new RaidenChain({ provider, deployer, chainId, token, secretRegistry, registry, serviceRegistry, userDeposit, monitoringService, oneToN, startBlock });
  }

  /** Checksummed addresses of the service contracts. */
  async addresses(): Promise<{ token: string; registry: string; serviceRegistry: string; userDeposit: string; oneToN: string; monitoringService: string }> {
    return {
      token: await this.token.getAddress(),
      registry: await this.registry.getAddress(),
      serviceRegistry: await this.serviceRegistry.getAddress(),
      userDeposit: await this.userDeposit.getAddress(),
      oneToN: await this.oneToN.getAddress(),
      monitoringService: await this.monitoringService.getAddress(),
    };
  }

  /** A funded wallet for a test key label. */
  wallet(label: string): Promise<Wallet> {
    return fundedWallet(this.provider, testKey(label));
  }

  /**
   * Deploys a fresh channel token and creates its token network (TokenNetworkCreated);
   * returns the token network address and the block of the creation.
   */
  async createTokenNetwork(): Promise<{ tokenNetwork: string; token: string; block: number }> {
    const n = ++this.tokenNetworks;
    const token = await deploy('CustomToken', this.deployer, 10n ** 27n, 18, `Channel Token ${n}`, `CT${n}`);
    const tokenAddress = await token.getAddress();
    const block = await mined(this.registry['createERC20TokenNetwork']!(tokenAddress, (10n ** 30n), (10n ** 31n)));
    const tokenNetwork = (await this.registry['token_to_token_networks']!(tokenAddress)) as string;
    return { tokenNetwork, token: tokenAddress, block };
  }

  /** The TokenNetwork contract at `address`, sending from `signer` (default the deployer). */
  tokenNetwork(address: string, signer: Wallet = this.deployer): AnyContract {
    return at('TokenNetwork', address, signer);
  }

  /** Opens a channel between two addresses; returns its id and block. */
  async openChannel(tokenNetwork: string, a: string, b: string): Promise<{ id: bigint; block: number }> {
    const tn = this.tokenNetwork(tokenNetwork);
    const block = await mined(tn['openChannel']!(a, b));
    const id = (await tn['getChannelIdentifier']!(a, b)) as bigint;
    return { id, block };
  }

  /**
   * Closes a channel without a balance proof of the partner (nonce 0): the closer signs
   * the close counter-signature (type 1, the zero balance proof, no partner signature).
   */
  async closeChannel(tokenNetwork: string, id: bigint, closer: Wallet, partner: string): Promise<number> {
    const zero = zeroPadValue('0x', 32);
    const packed = solidityPacked(
      ['address', 'uint256', 'uint256', 'uint256', 'bytes32', 'uint256', 'bytes32', 'bytes'],
      [tokenNetwork, this.chainId, 1n, id, zero, 0n, zero, '0x'],
    );
    // the contract hashes with the prefix length of a full counter-signature (277) whatever
    // the partner signature's length, so the EIP-191 digest is built by hand
    const digest = keccak256(concat([toUtf8Bytes('\x19Ethereum Signed Message:\n277'), getBytes(packed)]));
    const closingSignature = closer.signingKey.sign(digest).serialized;
    return mined(this.tokenNetwork(tokenNetwork, closer)['closeChannel']!(id, partner, closer.address, zero, 0n, zero, '0x', closingSignature));
  }

  /** Settles a closed channel once its settle timeout has passed (moves the chain clock). */
  async settleChannel(tokenNetwork: string, id: bigint, a: string, b: string): Promise<number> {
    const tn = this.tokenNetwork(tokenNetwork);
    const timeout = (await tn['settle_timeout']!()) as bigint;
    await this.provider.send('evm_increaseTime', [Number(timeout) + 1]);
    await this.provider.send('evm_mine', []);
    const zero = zeroPadValue('0x', 32);
    return mined(tn['settleChannel']!(id, a, 0n, 0n, zero, b, 0n, 0n, zero));
  }

  /** Mints service tokens to `wallet` (CustomToken.mint mints to the sender). */
  async mintTokens(wallet: Wallet, amount: bigint): Promise<void> {
    await mined(at('CustomToken', await this.token.getAddress(), wallet)['mint']!(amount));
  }

  /** Sets `wallet`'s UserDeposit total to `total` (mints and approves the difference); returns the block. */
  async depositToUdc(wallet: Wallet, total: bigint): Promise<number> {
    const udc = await this.userDeposit.getAddress();
    const current = (await this.userDeposit['total_deposit']!(wallet.address)) as bigint;
    const more = total - current;
    if (more > 0n) {
      await this.mintTokens(wallet, more);
      await mined(at('CustomToken', await this.token.getAddress(), wallet)['approve']!(udc, more));
    }
    return mined(at('UserDeposit', udc, wallet)['deposit']!(wallet.address, total));
  }

  /** Plans a withdrawal (lowers the effective balance at once). */
  async planWithdraw(wallet: Wallet, amount: bigint): Promise<number> {
    return mined(at('UserDeposit', await this.userDeposit.getAddress(), wallet)['planWithdraw']!(amount));
  }

  /** UserDeposit balance of an address. */
  async udcBalance(address: string): Promise<bigint> {
    return (await this.userDeposit['balances']!(address)) as bigint;
  }

  /** Service-token balance of an address. */
  async tokenBalance(address: string): Promise<bigint> {
    return (await this.token['balanceOf']!(address)) as bigint;
  }

  /** Registers `wallet` as a service in the ServiceRegistry (pays the current price). */
  async registerService(wallet: Wallet): Promise<number> {
    const registry = await this.serviceRegistry.getAddress();
    const price = (await this.serviceRegistry['currentPrice']!()) as bigint;
    await this.mintTokens(wallet, price);
    await mined(at('CustomToken', await this.token.getAddress(), wallet)['approve']!(registry, price));
    return mined(at('ServiceRegistry', registry, wallet)['deposit']!(price));
  }
}
