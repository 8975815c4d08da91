export * from './address.ts';
export * from './amount.ts';
export * from './keccak.ts';
