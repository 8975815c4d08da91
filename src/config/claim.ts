/** Builds the `claim-fees` configuration from the raw settings (spec §5.3). */
import { readChainId, readContracts, readDataDir, readLmdbMapSize, readLogging } from './common.ts';
import { readKeySource } from './key.ts';
import type { SettingsReader } from './reader.ts';
import type { ClaimConfig, GasPrice } from './types.ts';
import { type Parsed, bad, ok, parseHttpUrl, parseIntInRange, parsePositiveDecimal, quote } from './values.ts';

/** Defaults of `claim-fees`, as in the reference's claim script. */
export const CLAIM_DEFAULTS = Object.freeze({
  rdnPerEth: '0.0025',
  expireWithin: 604_800,
  gasPrice: 'fast' as GasPrice,
});

const DEFAULT_RDN_PER_ETH = (() => {
  const parsed = parsePositiveDecimal(CLAIM_DEFAULTS.rdnPerEth);
  if (!parsed.ok) throw new Error('bad default --rdn-per-eth');
  return parsed.value;
})();

/** "fast", "normal" (any case) or a positive integer price in wei. */
export function parseGasPrice(input: string): Parsed<GasPrice> {
  const word = input.trim().toLowerCase();
  if (word === 'fast' || word === 'normal') return ok(word);
  if (/^[0-9]{1,30}$/.test(word) && BigInt(word) > 0n) return ok(BigInt(word));
  return bad(`must be "fast", "normal" or a positive integer price in wei, got ${quote(input)}`);
}

/** Reads every `claim-fees` option; null when any is invalid. */
export function buildClaimConfig(r: SettingsReader): ClaimConfig | null {
  const ethRpc = r.parse('eth-rpc', parseHttpUrl);
  if (!r.given('eth-rpc')) r.errors.push('--eth-rpc is required for claim-fees (claims are transactions)');
  const contracts = readContracts(r);
  if (!r.given('one-to-n')) r.errors.push('--one-to-n is required for claim-fees (the contract that pays the IOUs)');
  const rdnPerEth = r.parse('rdn-per-eth', parsePositiveDecimal) ?? DEFAULT_RDN_PER_ETH;
  const config = {
    ethRpc: ethRpc ?? '',
    chainId: readChainId(r),
    key: readKeySource(r),
    dataDir: readDataDir(r),
    lmdbMapSize: readLmdbMapSize(r),
    contracts,
    rdnPerEth,
    expireWithin: r.parse('expire-within', (t) => parseIntInRange(t, 1)) ?? CLAIM_DEFAULTS.expireWithin,
    gasPrice: r.parse('gas-price', parseGasPrice) ?? CLAIM_DEFAULTS.gasPrice,
    ...readLogging(r),
  };
  const { key, contracts: c } = config;
  if (r.errors.length > 0 || key === null || c.oneToN === null || ethRpc === null) return null;
  return { ...config, key, contracts: { ...c, oneToN: c.oneToN } };
}
