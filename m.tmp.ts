import { readFileSync } from 'node:fs';
import { parseLogLine } from './actors/ingress/log-line.ts';
import { decodeRaidenMessage, splitMessageBody, packCapacityUpdate, packFeeUpdate, isUnpackable, recoverEip191Signer, eip191Hash } from './src/protocol/index.ts';
const lines = readFileSync('load-tests/.cache/scale-free-4000-20000-r1-v1.ndjson', 'utf8').split('\n').filter((l) => l.includes('to_device')).slice(0, 20000);
function time(name: string, f: () => void) { f(); const t = performance.now(); f(); console.log(name, ((performance.now() - t) / lines.length * 1000).toFixed(1), 'µs/line'); }
const parsed = lines.map((l) => parseLogLine(l));
time('JSON.parse line', () => { for (const l of lines) JSON.parse(l); });
time('parseLogLine', () => { for (const l of lines) parseLogLine(l); });
const bodies = parsed.map((p) => (p as any).body as string);
time('JSON.parse body', () => { for (const b of bodies) JSON.parse(b); });
time('split+decode', () => { for (const b of bodies) for (const x of splitMessageBody(b)) decodeRaidenMessage(x); });
const decoded = bodies.map((b) => decodeRaidenMessage(b) as any);
time('pack', () => { for (const d of decoded) d.kind === 'capacity_update' ? packCapacityUpdate(d) : packFeeUpdate(d); });
const packed = decoded.map((d) => (d.kind === 'capacity_update' ? packCapacityUpdate(d) : packFeeUpdate(d)) as Uint8Array);
time('eip191Hash', () => { for (const p of packed) eip191Hash(p); });
time('recover', () => { for (let i = 0; i < 3000; i++) recoverEip191Signer(packed[i]!, decoded[i].signature); });
{
const N = 3000;
let t = performance.now();
for (let i = 0; i < N; i++) recoverEip191Signer(packed[i]!, decoded[i].signature);
console.log('recoverEip191Signer', ((performance.now() - t) / N * 1000).toFixed(1), 'µs');
const hashes = packed.slice(0, N).map((p) => eip191Hash(p));
const { createRequire } = await import('node:module');
const native = createRequire(import.meta.url)('secp256k1/bindings');
t = performance.now();
for (let i = 0; i < N; i++) { const s = decoded[i].signature as Uint8Array; native.ecdsaRecover(s.subarray(0, 64), s[64]! - 27, hashes[i]!, false); }
console.log('raw ecdsaRecover', ((performance.now() - t) / N * 1000).toFixed(1), 'µs');
}
