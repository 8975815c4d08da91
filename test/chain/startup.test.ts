import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SELECTORS, checkChain, encodeAddressCall, registrationWarning } from '../../src/chain/index.ts';
import { type Address, asAddress } from '../../src/domain/index.ts';
import { FakeRpc } from './fake-rpc.ts';

const REGISTRY = asAddress('0x' + 'a1'.repeat(20));
const UDC = asAddress('0x' + 'a2'.repeat(20));
const ONE_TO_N = asAddress('0x' + 'a3'.repeat(20));
const SERVICE_REGISTRY = asAddress('0x' + 'a4'.repeat(20));
const TOKEN = asAddress('0x' + 'a5'.repeat(20));
const SERVICE = asAddress('0x' + 'c2'.repeat(20));

const word = (n: bigint) => '0x' + n.toString(16).padStart(64, '0');
const addressWord = (a: Address) => '0x' + a.slice(2).padStart(64, '0');

/** A node with a consistent deployment on chain 1337, the service registered or not. */
function node(registered: boolean): FakeRpc {
  const rpc = new FakeRpc();
  rpc.code.add(REGISTRY);
  rpc.calls.set(`${UDC}|${SELECTORS.token}|latest`, addressWord(TOKEN));
  rpc.calls.set(`${ONE_TO_N}|${SELECTORS.chainId}|latest`, word(1337n));
  rpc.calls.set(`${ONE_TO_N}|${SELECTORS.depositContract}|latest`, addressWord(UDC));
  rpc.calls.set(`${ONE_TO_N}|${SELECTORS.serviceRegistryContract}|latest`, addressWord(SERVICE_REGISTRY));
  rpc.calls.set(`${SERVICE_REGISTRY}|${encodeAddressCall(SELECTORS.hasValidRegistration, SERVICE)}|latest`, word(registered ? 1n : 0n));
  return rpc;
}

const all = { registry: REGISTRY, userDeposit: UDC, oneToN: ONE_TO_N, serviceRegistry: SERVICE_REGISTRY };

describe('start-up checks against the chain', () => {
  it('establishes the service token and the registration', async () => {
    const r = await checkChain(node(true), 1337n, 1337n, all, SERVICE);
    assert.deepEqual(r, { ok: true, facts: { chainId: 1337n, ...all, serviceToken: TOKEN, registration: { kind: 'registered', serviceRegistry: SERVICE_REGISTRY } } });
  });

  it('resolves UserDeposit and ServiceRegistry through OneToN when they are not given', async () => {
    const r = await checkChain(node(false), 1337n, null, { registry: REGISTRY, userDeposit: null, oneToN: ONE_TO_N, serviceRegistry: null }, SERVICE);
    assert.ok(r.ok);
    assert.equal(r.facts.userDeposit, UDC);
    assert.equal(r.facts.serviceRegistry, SERVICE_REGISTRY);
    assert.deepEqual(r.facts.registration, { kind: 'not_registered', serviceRegistry: SERVICE_REGISTRY });
    assert.match(registrationWarning(r.facts.registration, SERVICE)!, /has no valid registration in the ServiceRegistry 0x.*Raiden nodes send capacity and fee updates only to registered services/);
  });

  it('refuses, with one sentence each, what cannot work', async () => {
    const cases: [string, () => FakeRpc, Parameters<typeof checkChain>[3], bigint | null, RegExp][] = [
      ['chain id', () => node(true), all, 5n, /the Ethereum node is on chain 1337, but --chain-id says 5/],
      ['no registry code', () => { const n = node(true); n.code.clear(); return n; }, all, null, /no contract at --registry \(TokenNetworkRegistry\) 0x/],
      ['no UDC code', () => { const n = node(true); n.calls.delete(`${UDC}|${SELECTORS.token}|latest`); return n; }, all, null, /no contract at --user-deposit \(UserDeposit\)/],
      ['OneToN for another chain', () => { const n = node(true); n.calls.set(`${ONE_TO_N}|${SELECTORS.chainId}|latest`, word(1n)); return n; }, all, null, /was deployed for chain 1, but the node is on chain 1337/],
      ['OneToN with another UDC', () => { const n = node(true); n.calls.set(`${ONE_TO_N}|${SELECTORS.depositContract}|latest`, addressWord(TOKEN)); return n; }, all, null, /pays from UserDeposit 0x.*, not from --user-deposit/],
      ['node failing', () => { const n = node(true); n.failNext('eth_getCode', 'timeout'); return n; }, all, null, /the Ethereum node failed during the start-up checks: eth_getCode/],
    ];
    for (const [name, rpc, contracts, configured, message] of cases) {
      const r = await checkChain(rpc(), 1337n, configured, contracts, SERVICE);
      assert.equal(r.ok, false, name);
      assert.match((r as { message: string }).message, message, name);
    }
  });

  it('says when the registration cannot be known', () => {
    assert.match(registrationWarning({ kind: 'unknown' }, SERVICE)!, /no ServiceRegistry was given/);
    assert.equal(registrationWarning({ kind: 'registered', serviceRegistry: SERVICE_REGISTRY }, SERVICE), null);
  });
});
