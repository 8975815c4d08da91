// Raiden protocol layer: message decoding, signed byte layouts, signer recovery, validation.
export * from './message-lines.ts';
export * from './naive-timestamp.ts';
export * from './packing.ts';
export * from './raiden-messages.ts';
export * from './signatures.ts';
export * from './validation.ts';
export * from './signer.ts';
