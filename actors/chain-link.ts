import type { ChainFacts, ChainRpc, EthersRpc, Registration } from '../src/chain/index.ts';
import type { Config } from '../src/config.ts';
import type { Address } from '../src/domain/index.ts';
import type { Logger } from '../src/log.ts';

/**
 * The main thread's connection to the chain (with --eth-rpc): the start-up checks, the
 * registration watch and the calls the HTTP front makes (deposit reads for payments, the
 * liveness probe of /v2/info). The ingress has its own connection for following the chain.
 * src/chain (and with it ethers) is loaded only here, so file-only mode never pays for it.
 */

/** How often the ServiceRegistry registration is read again (it expires). */
const REGISTRATION_RECHECK_MS = 10 * 60_000;

/** A checked connection. */
export interface ChainLink {
  readonly url: string;
  readonly rpc: ChainRpc;
  readonly facts: ChainFacts;
  /** Why the registration needs attention (null when registered). */
  registrationWarning(): string | null;
  /** UserDeposit.effectiveBalance(owner) at `block`; rejects when the node cannot answer it. */
  effectiveBalance(userDeposit: Address, owner: Address, block: number): Promise<bigint>;
  /** Stops the registration watch and closes the connection. */
  close(): void;
}

/**
 * Connects to the node, runs the start-up checks and logs the registration state loudly
 * when the service is not registered. `{ ok: false }` carries the message to log before
 * exiting with 1.
 */
export async function connectChain(config: Config, service: Address, log: Logger): Promise<{ ok: true; link: ChainLink } | { ok: false; message: string }> {
  const url = config.ethRpc!;
  const chain = await import('../src/chain/index.ts');
  let rpc: EthersRpc;
  try {
    rpc = await chain.EthersRpc.open(url);
  } catch (e) {
    return { ok: false, message: `Can not connect to the Ethereum client at ${url}: ${(e as Error).message}` };
  }
  const checked = await chain.checkChain(
    rpc,
    rpc.openedChainId,
    config.chainId,
    { registry: config.contracts.registry!, userDeposit: config.contracts.userDeposit, oneToN: config.contracts.oneToN, serviceRegistry: config.contracts.serviceRegistry },
    service,
  );
  if (!checked.ok) {
    rpc.close();
    return { ok: false, message: checked.message };
  }
  const facts = checked.facts;
  let registration: Registration = facts.registration;
  const report = (r: Registration) => {
    const warning = chain.registrationWarning(r, service);
    if (warning !== null && r.kind === 'not_registered') log.log('ERROR', `NOT REGISTERED: ${warning}`);
    else if (warning !== null) log.warning(warning);
  };
  report(registration);
  const timer =
    facts.serviceRegistry === null
      ? null
      : setInterval(() => {
          void chain.readRegistration(rpc, facts.serviceRegistry!, service).then(
            (r) => {
              if (r === null || r.kind === registration.kind) return;
              registration = r;
              if (r.kind === 'registered') log.info('the service is now registered in the ServiceRegistry', { serviceRegistry: facts.serviceRegistry });
              else report(r);
            },
            // the node is down: the chain source reports that; keep the last known state
            () => undefined,
          );
        }, REGISTRATION_RECHECK_MS);
  timer?.unref();
  return {
    ok: true,
    link: {
      url,
      rpc,
      facts,
      registrationWarning: () => chain.registrationWarning(registration, service),
      effectiveBalance: async (userDeposit, owner, block) => {
        const answer = chain.decodeUintResult(await rpc.call(userDeposit, chain.encodeAddressCall(chain.SELECTORS.effectiveBalance, owner), block));
        if (answer === null) throw new Error('UserDeposit.effectiveBalance answered something other than a uint256');
        return answer;
      },
      close: () => {
        if (timer !== null) clearInterval(timer);
        rpc.close();
      },
    },
  };
}
