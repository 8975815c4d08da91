// Chain layer: contract ABI pieces, log decoding, the JSON-RPC transport and the confirmed-block follower.
export * from './abi.ts';
export * from './chain-sync.ts';
export * from './follower.ts';
export * from './log-decoding.ts';
export * from './rpc.ts';
export * from './startup.ts';
