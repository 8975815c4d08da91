// Payments: the IOU ledger (LMDB) and the payment desk of path requests (spec §5).
export * from './iou-ledger.ts';
export * from './payment-desk.ts';
export * from './claim.ts';
