import { existsSync } from 'node:fs';
import { Interface, Wallet, keccak256 } from 'ethers';
import { type ClaimConfig, type GasPrice, dataDirFor, resolveKey } from '../src/config.ts';
import { type Address, toChecksumAddress } from '../src/domain/index.ts';
import { Logger } from '../src/log.ts';
import { type ClaimChain, type TxOutcome, IouLedger, claimFees } from '../src/payments/index.ts';
import { isUnpackable, iouSessionId } from '../src/protocol/index.ts';
import { closeStore, openStore, type DataDirIdentity } from '../src/store/environment.ts';

/**
 * `pfs claim-fees` (spec §5.3): claims this service's IOUs from its data dir through
 * OneToN.claim. Exit codes: 0 when every claim due went through (or nothing was due), 1
 * when a claim failed or the run could not start (node, data dir, contract), 2 for an
 * invalid configuration. Safe to run while the service runs (LMDB is multi-process) and
 * after a crash of an earlier run (src/payments/claim.ts).
 */

const ONE_TO_N = new Interface([
  'function claim(address sender, address receiver, uint256 amount, uint256 claimable_until, bytes signature) returns (uint256)',
  'function settled_sessions(bytes32) view returns (uint256)',
  'function chain_id() view returns (uint256)',
]);

/** How long a claim's receipt is waited for before the run moves on (the next run settles it). */
const RECEIPT_WAIT_MS = 120_000;
/** "fast" pays this much over the node's suggested gas price (numerator / denominator). */
const FAST_PREMIUM = { numerator: 5n, denominator: 4n };

function revertReason(e: unknown): string {
  const err = e as { reason?: unknown; shortMessage?: unknown; message?: unknown };
  return String(err?.reason ?? err?.shortMessage ?? err?.message ?? e).slice(0, 200);
}

/** Runs the command; resolves with the exit code. */
export async function runClaimFees(config: ClaimConfig): Promise<number> {
  const log = new Logger(config.logLevel, config.logJson);
  const key = await resolveKey(config.key);
  if (!key.ok) {
    process.stderr.write(`pfs: error: ${key.error}\n`);
    return 2;
  }
  const { EthersRpc } = await import('../src/chain/index.ts');
  let rpc: Awaited<ReturnType<typeof EthersRpc.open>>;
  try {
    rpc = await EthersRpc.open(config.ethRpc);
  } catch (e) {
    log.log('CRITICAL', `Can not connect to the Ethereum client at ${config.ethRpc}: ${(e as Error).message}`);
    return 1;
  }
  try {
    const chainId = rpc.openedChainId;
    if (config.chainId !== null && config.chainId !== chainId) {
      log.log('CRITICAL', `the Ethereum node is on chain ${chainId}, but --chain-id says ${config.chainId}`);
      return 1;
    }
    const dataDir = dataDirFor(config.dataDir, chainId);
    if (!existsSync(dataDir)) {
      log.log('CRITICAL', `no data dir at ${dataDir}: claim-fees reads the IOUs the service stored there`);
      return 1;
    }
    const store = openStore(dataDir, config.lmdbMapSize === null ? {} : { mapSize: config.lmdbMapSize });
    try {
      const identity = store.dbs.meta.get('identity') as DataDirIdentity | undefined;
      if (identity === undefined) {
        log.log('CRITICAL', `${dataDir} is not the data dir of a service`);
        return 1;
      }
      if (identity.chainId !== chainId.toString() || identity.serviceAddress !== key.address) {
        log.log('CRITICAL', `the data dir ${dataDir} belongs to service ${identity.serviceAddress} on chain ${identity.chainId}, not ${key.address} on chain ${chainId}`);
        return 1;
      }
      const oneToN = config.contracts.oneToN;
      const provider = rpc.provider;
      if ((await provider.getCode(oneToN)) === '0x') {
        log.log('CRITICAL', `no contract at --one-to-n ${toChecksumAddress(oneToN)} on chain ${chainId}`);
        return 1;
      }
      const wallet = new Wallet(key.privateKey.reveal(), provider);
      const chain = ethersClaimChain(provider, wallet, key.address, oneToN, chainId, config.gasPrice);
      const summary = await claimFees(
        new IouLedger(store),
        chain,
        { service: key.address, oneToN, expireWithin: BigInt(config.expireWithin), rdnPerEth: config.rdnPerEth, receiptWaitMs: RECEIPT_WAIT_MS },
        (level, message, fields) => log.log(level === 'error' ? 'ERROR' : level === 'warning' ? 'WARNING' : 'INFO', message, fields ?? {}),
      );
      log.info('claim-fees done', {
        claimed: summary.claimed,
        claimed_amount: summary.claimedAmount.toString(),
        reconciled: summary.reconciled,
        skipped: summary.skipped,
        failures: summary.failures.length,
      });
      for (const f of summary.failures) log.error(`claim failed: ${f}`);
      return summary.failures.length > 0 ? 1 : 0;
    } finally {
      await closeStore(store);
    }
  } finally {
    rpc.close();
  }
}

function ethersClaimChain(
  provider: import('ethers').JsonRpcProvider,
  wallet: Wallet,
  service: Address,
  oneToN: Address,
  chainId: bigint,
  gasPrice: GasPrice,
): ClaimChain {
  const claimData = (i: { sender: Address; amount: bigint; claimableUntil: bigint; signature: Uint8Array }) =>
    ONE_TO_N.encodeFunctionData('claim', [i.sender, service, i.amount, i.claimableUntil, i.signature]);
  return {
    now: async () => {
      const block = await provider.getBlock('latest');
      if (block === null) throw new Error('the node has no latest block');
      return BigInt(block.timestamp);
    },
    gasPrice: async () => {
      if (typeof gasPrice === 'bigint') return gasPrice;
      const suggested = BigInt((await provider.send('eth_gasPrice', [])) as string);
      return gasPrice === 'normal' ? suggested : (suggested * FAST_PREMIUM.numerator + FAST_PREMIUM.denominator - 1n) / FAST_PREMIUM.denominator;
    },
    dryRun: async (iou) => {
      const tx = { from: service, to: oneToN, data: claimData(iou) };
      try {
        const result = await provider.call(tx);
        const [transferable] = ONE_TO_N.decodeFunctionResult('claim', result) as unknown as [bigint];
        const gas = await provider.estimateGas(tx);
        return { ok: true, transferable, gas };
      } catch (e) {
        return { ok: false, reason: revertReason(e) };
      }
    },
    settled: async (iou) => {
      const id = iouSessionId(service, iou.sender, iou.claimableUntil);
      if (isUnpackable(id)) return false;
      const result = await provider.call({ to: oneToN, data: ONE_TO_N.encodeFunctionData('settled_sessions', [id]) });
      return BigInt(result) !== 0n;
    },
    sign: async (iou, gasLimit, price) => {
      const nonce = await provider.getTransactionCount(wallet.address, 'pending');
      const signed = await wallet.signTransaction({ type: 0, to: oneToN, data: claimData(iou), gasLimit, gasPrice: price, nonce, chainId });
      return { hash: keccak256(signed), broadcast: async () => void (await provider.send('eth_sendRawTransaction', [signed])) };
    },
    receipt: async (hash, waitMs): Promise<TxOutcome> => {
      // waits only while the node holds the transaction: one it does not know is not coming
      const until = Date.now() + waitMs;
      for (;;) {
        const receipt = (await provider.send('eth_getTransactionReceipt', [hash])) as { status?: string } | null;
        if (receipt !== null) return BigInt(receipt.status ?? '0x0') === 1n ? 'success' : 'failed';
        if ((await provider.send('eth_getTransactionByHash', [hash])) === null) return 'absent';
        if (Date.now() >= until) return 'pending';
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}
