export * from './edge-store.ts';
export * from './network-snapshot.ts';
export * from './schedule-table.ts';
export * from './shared-memory.ts';
export * from './topology.ts';
export * from './address-registry.ts';
export * from './snapshot-image.ts';
