// k6 scenario for operators: path requests against any running service.
//
//   k6 run -e PFS_URL=http://127.0.0.1:6000 -e TOKEN_NETWORK=0x... load-tests/k6-paths.js
//
// Optional: VUS (default 16), DURATION (default 30s), MAX_PATHS (default 3),
// VALUE_MAX (largest request value, default 1e18; values are log-uniform from 1 to it),
// SEED (default 1). Pairs are drawn from /api/v1/online_addresses, so the service must
// know some reachable addresses (the demo and any event log with presence do). 404 (no
// route) is an expected answer for part of the pairs; anything else but 200 is an error.
// k6 is not packaged for Debian or npm: `go install go.k6.io/k6@latest`.
import http from 'k6/http';
import { check, fail } from 'k6';
import { Rate } from 'k6/metrics';

const BASE = __ENV.PFS_URL || 'http://127.0.0.1:6000';
const NETWORK = __ENV.TOKEN_NETWORK;
const MAX_PATHS = Number(__ENV.MAX_PATHS || 3);
const VALUE_MAX = Number(__ENV.VALUE_MAX || 1e18);

export const options = {
  vus: Number(__ENV.VUS || 16),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    unexpected_answers: ['rate<0.001'],
    // k6 tags every request with its status, so this is the latency of answered routes
    'http_req_duration{status:200}': ['p(99)<25'],
  },
};

const unexpected = new Rate('unexpected_answers');
// "no route" is an answer, not a failed request
http.setResponseCallback(http.expectedStatuses(200, 404));

export function setup() {
  if (!NETWORK) fail('set TOKEN_NETWORK to the token network address to query');
  const ready = http.get(`${BASE}/ready`);
  if (ready.status !== 200) fail(`service not ready: ${ready.status} ${ready.body}`);
  const online = http.get(`${BASE}/api/v1/online_addresses`).json();
  if (!Array.isArray(online) || online.length < 2) fail('fewer than two online addresses');
  return { online };
}

// a small deterministic generator per VU, so runs with the same SEED ask the same things
let state = 0;
function random() {
  if (state === 0) state = (Number(__ENV.SEED || 1) * 2654435761 + __VU * 40503) >>> 0 || 1;
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 4294967296;
}

export default function (data) {
  const n = data.online.length;
  const from = data.online[Math.floor(random() * n)];
  let to = data.online[Math.floor(random() * n)];
  if (to === from) to = data.online[(data.online.indexOf(from) + 1) % n];
  // log-uniform value, written as an integer string (values above 2^53 stay exact)
  const value = BigInt(Math.max(1, Math.floor(Math.exp(random() * Math.log(VALUE_MAX))))).toString();
  const body = `{"from":"${from}","to":"${to}","value":${value},"max_paths":${MAX_PATHS}}`;
  const res = http.post(`${BASE}/api/v1/${NETWORK}/paths`, body, {
    headers: { 'Content-Type': 'application/json' },
  });
  const ok = check(res, { 'routes or no route': (r) => r.status === 200 || r.status === 404 });
  unexpected.add(!ok);
}

