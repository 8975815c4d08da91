import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceProcess } from '../helpers/service-process.ts';
import { Synapse } from '../helpers/synapse.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * The known-servers list (spec §8.1) through the real process: the list is served over
 * loopback HTTP in the reference's format and names a real Synapse (open registration, so
 * the service registers itself at its first login). Without --matrix-server the service
 * connects to the listed servers, and /ready waits for their first sync. A list that
 * cannot be read, with no --matrix-server to fall back on, stops the start with a clear
 * message and exit code 1.
 */

describe('known-servers list: connections come from the list', () => {
  const dir = tempDir();
  let synapse: Synapse;
  let lists: Server;
  let listBase = '';

  before(async () => {
    synapse = await Synapse.start({ serverName: 'known.test', openRegistration: true });
    lists = createServer((req, res) => {
      if (req.url === '/known.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ active_servers: [synapse.url], all_servers: [synapse.url] }));
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => lists.listen(0, '127.0.0.1', resolve));
    listBase = `http://127.0.0.1:${(lists.address() as AddressInfo).port}`;
  });
  after(async () => {
    lists?.close();
    await synapse?.stop();
    dir.cleanup();
  });

  it('connects to the listed server and is ready after its first sync', async () => {
    const service = await ServiceProcess.start({
      dataDir: join(dir.path, 'listed'),
      args: ['--workers', '1'],
      env: { URL_KNOWN_FEDERATION_SERVERS: `${listBase}/known.json` },
    });
    try {
      await service.waitReady(120_000);
      assert.match(service.log, /known Matrix servers fetched/);
      assert.ok(service.log.includes(`Matrix first sync applied server=${synapse.url}`), service.log.slice(-3000));
      // file-only mode: info names the first --matrix-server, and there is none (event-log spec)
      const info = await service.get('/api/v1/info');
      assert.equal((info.json as { matrix_server: string }).matrix_server, '');
    } finally {
      assert.equal(await service.stop(), 0);
    }
  });

  it('refuses to start when the list cannot be read and no --matrix-server is given', async () => {
    const service = await ServiceProcess.start({
      dataDir: join(dir.path, 'refused'),
      args: ['--known-servers-url', `${listBase}/missing.json`],
    });
    const { code } = await service.exited;
    assert.equal(code, 1);
    assert.match(service.log, /cannot read the known Matrix servers from http:\/\/127\.0\.0\.1:\d+\/missing\.json: HTTP 404; name servers with --matrix-server/);
  });
});
