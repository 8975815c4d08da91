export * from './fee-schedule.ts';
export * from './fee-schedule-codec.ts';
export * from './snapshot/index.ts';
export * from './token-network.ts';
