import { type Address, toChecksumAddress } from '../domain/index.ts';
import { SELECTORS, decodeAddressResult, decodeBoolResult, decodeUintResult, encodeAddressCall } from './abi.ts';
import { type ChainRpc, RpcFailure } from './rpc.ts';

/**
 * Start-up checks against the chain (spec §7.3 step 1, issue 4 part 2): the node answers,
 * it is on the configured chain, every configured contract has code, the contracts fit
 * together (OneToN pays from the given UserDeposit, signs for this chain), and the service
 * token is read from UserDeposit.token(). A missing UserDeposit or ServiceRegistry is
 * resolved from OneToN. Every refusal is one clear sentence; the caller exits with 1.
 */

/** The configured contracts (null where not given). */
export interface ConfiguredContracts {
  readonly registry: Address;
  readonly userDeposit: Address | null;
  readonly oneToN: Address | null;
  readonly serviceRegistry: Address | null;
}

/** Whether the service is registered, and where that was asked. */
export type Registration =
  | { readonly kind: 'registered'; readonly serviceRegistry: Address }
  | { readonly kind: 'not_registered'; readonly serviceRegistry: Address }
  /** No ServiceRegistry configured or resolvable: unknown. */
  | { readonly kind: 'unknown' };

/** What the checks established. */
export interface ChainFacts {
  readonly chainId: bigint;
  readonly registry: Address;
  readonly userDeposit: Address | null;
  readonly oneToN: Address | null;
  readonly serviceRegistry: Address | null;
  /** UserDeposit.token(), or null without a UserDeposit. */
  readonly serviceToken: Address | null;
  readonly registration: Registration;
}

/** Outcome of the checks. */
export type StartupResult = { readonly ok: true; readonly facts: ChainFacts } | { readonly ok: false; readonly message: string };

function refuse(message: string): StartupResult {
  return { ok: false, message };
}

const cs = toChecksumAddress;

/** Reads an address-returning view; null when the call fails or returns something else. */
async function viewAddress(rpc: ChainRpc, contract: Address, data: string): Promise<Address | null> {
  try {
    return decodeAddressResult(await rpc.call(contract, data, 'latest'));
  } catch (e) {
    if (e instanceof RpcFailure && e.kind === 'rpc_error') return null;
    throw e;
  }
}

/**
 * `hasValidRegistration(service)` on the ServiceRegistry; null when the call reverts or
 * answers nonsense (a registry of another version). Node failures propagate.
 */
export async function readRegistration(rpc: ChainRpc, serviceRegistry: Address, service: Address): Promise<Registration | null> {
  let answer: boolean | null;
  try {
    answer = decodeBoolResult(await rpc.call(serviceRegistry, encodeAddressCall(SELECTORS.hasValidRegistration, service), 'latest'));
  } catch (e) {
    if (e instanceof RpcFailure && e.kind === 'rpc_error') return null;
    throw e;
  }
  if (answer === null) return null;
  return { kind: answer ? 'registered' : 'not_registered', serviceRegistry };
}

/** The sentence /ready and the log use for a registration (null when registered). */
export function registrationWarning(r: Registration, service: Address): string | null {
  switch (r.kind) {
    case 'registered':
      return null;
    case 'not_registered':
      return `this service (${cs(service)}) has no valid registration in the ServiceRegistry ${cs(r.serviceRegistry)}: Raiden nodes send capacity and fee updates only to registered services, so its routes will lack capacities`;
    case 'unknown':
      return 'registration unknown: no ServiceRegistry was given (--service-registry) or found through OneToN';
  }
}

/** Runs the checks in order; `rpc` is connected to the node (its chain id is `nodeChainId`). */
export async function checkChain(rpc: ChainRpc, nodeChainId: bigint, configuredChainId: bigint | null, contracts: ConfiguredContracts, service: Address): Promise<StartupResult> {
  try {
    if (configuredChainId !== null && configuredChainId !== nodeChainId) {
      return refuse(`the Ethereum node is on chain ${nodeChainId}, but --chain-id says ${configuredChainId}`);
    }
    const hasCode = async (a: Address) => (await rpc.getCode(a)) !== '0x';
    const named: [string, Address | null][] = [
      ['--registry (TokenNetworkRegistry)', contracts.registry],
      ['--user-deposit (UserDeposit)', contracts.userDeposit],
      ['--one-to-n (OneToN)', contracts.oneToN],
      ['--service-registry (ServiceRegistry)', contracts.serviceRegistry],
    ];
    for (const [name, address] of named) {
      if (address !== null && !(await hasCode(address))) return refuse(`no contract at ${name} ${cs(address)} on chain ${nodeChainId}`);
    }
    let userDeposit = contracts.userDeposit;
    let serviceRegistry = contracts.serviceRegistry;
    if (contracts.oneToN !== null) {
      const oneToN = contracts.oneToN;
      const signedChain = decodeUintResult(await rpc.call(oneToN, SELECTORS.chainId, 'latest').catch(() => null));
      if (signedChain === null) return refuse(`--one-to-n ${cs(oneToN)} does not answer chain_id(): not a OneToN contract of raiden-contracts 0.50`);
      if (signedChain !== nodeChainId) return refuse(`OneToN ${cs(oneToN)} was deployed for chain ${signedChain}, but the node is on chain ${nodeChainId}: its IOUs could never be claimed here`);
      const paysFrom = await viewAddress(rpc, oneToN, SELECTORS.depositContract);
      if (paysFrom === null) return refuse(`--one-to-n ${cs(oneToN)} does not answer deposit_contract(): not a OneToN contract of raiden-contracts 0.50`);
      if (userDeposit === null) userDeposit = paysFrom;
      else if (paysFrom !== userDeposit) return refuse(`OneToN ${cs(oneToN)} pays from UserDeposit ${cs(paysFrom)}, not from --user-deposit ${cs(userDeposit)}`);
      if (serviceRegistry === null) serviceRegistry = await viewAddress(rpc, oneToN, SELECTORS.serviceRegistryContract);
    }
    let serviceToken: Address | null = null;
    if (userDeposit !== null) {
      serviceToken = await viewAddress(rpc, userDeposit, SELECTORS.token);
      if (serviceToken === null) return refuse(`UserDeposit ${cs(userDeposit)} does not answer token(): not a UserDeposit contract of raiden-contracts 0.50`);
    }
    let registration: Registration = { kind: 'unknown' };
    if (serviceRegistry !== null) {
      const r = await readRegistration(rpc, serviceRegistry, service);
      if (r === null) return refuse(`ServiceRegistry ${cs(serviceRegistry)} does not answer hasValidRegistration(): not a ServiceRegistry of raiden-contracts 0.50`);
      registration = r;
    }
    return { ok: true, facts: { chainId: nodeChainId, registry: contracts.registry, userDeposit, oneToN: contracts.oneToN, serviceRegistry, serviceToken, registration } };
  } catch (e) {
    if (e instanceof RpcFailure) return refuse(`the Ethereum node failed during the start-up checks: ${e.message}`);
    throw e;
  }
}
