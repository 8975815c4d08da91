import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chooseMainServer, connectionOrder, measureRtt } from '../../src/transport/server-choice.ts';
import { freePort } from '../helpers/service-process.ts';

/** A loopback server answering /_matrix/client/versions after `delayMs`; counts the requests. */
async function versionsServer(delayMs: number): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/_matrix/client/versions') {
      res.writeHead(404).end();
      return;
    }
    hits++;
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"versions":["v1.1"]}'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits, server };
}

/** A URL on which nothing listens. */
async function closedUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

describe('main Matrix server by round-trip time (spec §8.1)', () => {
  const servers: Server[] = [];
  let fast: Awaited<ReturnType<typeof versionsServer>>;
  let slow: Awaited<ReturnType<typeof versionsServer>>;
  let silent: Server;
  let silentUrl = '';
  before(async () => {
    fast = await versionsServer(0);
    slow = await versionsServer(120);
    silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    servers.push(fast.server, slow.server, silent);
  });
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('measures three samples of GET /_matrix/client/versions', async () => {
    const before = slow.hits();
    const rtt = await measureRtt(slow.url);
    assert.equal(slow.hits() - before, 3);
    assert.ok(rtt !== null && rtt >= 110, `rtt ${rtt}`);
  });

  it('gives no time for a server that never answers within the timeout, or refuses', async () => {
    const start = performance.now();
    assert.equal(await measureRtt(silentUrl, 2, 150), null);
    assert.ok(performance.now() - start >= 290);
    assert.equal(await measureRtt(await closedUrl()), null);
  });

  it('picks the fastest answering candidate, whatever the order', async () => {
    const dead = await closedUrl();
    for (const candidates of [[slow.url, fast.url, dead], [dead, fast.url, slow.url], [fast.url, slow.url]]) {
      const { main, measured } = await chooseMainServer(candidates);
      assert.equal(main, fast.url);
      assert.deepEqual(measured.map((m) => m.server), candidates);
      assert.equal(measured.find((m) => m.server === dead)?.rttMs ?? null, null);
    }
  });

  it('keeps the first candidate when none answers, and measures nothing for a single one', async () => {
    const dead = [await closedUrl(), await closedUrl()];
    assert.equal((await chooseMainServer(dead)).main, dead[0]);
    let probes = 0;
    const only = await chooseMainServer([slow.url], async () => {
      probes++;
      return 1;
    });
    assert.deepEqual(only, { main: slow.url, measured: [] });
    assert.equal(probes, 0);
    // ties go to the earlier candidate
    assert.equal((await chooseMainServer(['x', 'y'], async () => 5)).main, 'x');
  });

  it('connects the main server first, then the other candidates and known servers once each', () => {
    assert.deepEqual(connectionOrder('b', ['a', 'b'], ['c', 'a', 'd']), ['b', 'a', 'c', 'd']);
    assert.deepEqual(connectionOrder('a', ['a'], []), ['a']);
  });
});
