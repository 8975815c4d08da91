/**
 * Choice of the main Matrix server (spec §8.1): among several candidates, the one with the
 * lowest measured HTTP round-trip time, 3 samples with a 3 s timeout each; a single
 * candidate is taken without measuring.
 */

export const RTT_SAMPLES = 3;
export const RTT_TIMEOUT_MS = 3000;

/** One candidate's measurement: the mean of its answered samples, null when none answered. */
export interface Measured {
  readonly server: string;
  readonly rttMs: number | null;
}

/**
 * Mean round trip of `GET <server>/_matrix/client/versions` over the samples that got an
 * HTTP answer (any status: the server is there); samples run one after the other.
 */
export async function measureRtt(server: string, samples = RTT_SAMPLES, timeoutMs = RTT_TIMEOUT_MS): Promise<number | null> {
  let total = 0;
  let answered = 0;
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    try {
      const answer = await fetch(`${server}/_matrix/client/versions`, { signal: AbortSignal.timeout(timeoutMs) });
      await answer.body?.cancel();
      total += performance.now() - start;
      answered++;
    } catch {
      // no answer in time, refused connection, bad TLS: this sample does not count
    }
  }
  return answered === 0 ? null : total / answered;
}

/**
 * The main server and every candidate's measurement. Candidates are measured in parallel;
 * the fastest answering one wins (the earlier in `candidates` on a tie). When none answers,
 * the first candidate is kept, so its connection's retry loop takes over.
 */
export async function chooseMainServer(
  candidates: readonly string[],
  measure: (server: string) => Promise<number | null> = measureRtt,
): Promise<{ main: string; measured: readonly Measured[] }> {
  if (candidates.length === 0) throw new Error('chooseMainServer: no candidates');
  if (candidates.length === 1) return { main: candidates[0]!, measured: [] };
  const measured = await Promise.all(candidates.map(async (server) => ({ server, rttMs: await measure(server) })));
  let best: Measured | null = null;
  for (const m of measured) {
    if (m.rttMs !== null && (best === null || m.rttMs < best.rttMs!)) best = m;
  }
  return { main: best?.server ?? candidates[0]!, measured };
}

/**
 * The servers to connect to, main first: the candidates (the `--matrix-server` values, or
 * the known list when none is given) and every other known server, without duplicates.
 */
export function connectionOrder(main: string, candidates: readonly string[], known: readonly string[]): string[] {
  const order = [main];
  for (const s of [...candidates, ...known]) if (!order.includes(s)) order.push(s);
  return order;
}
