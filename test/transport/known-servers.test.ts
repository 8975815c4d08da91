import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  KNOWN_SERVERS_MAX_BYTES,
  KNOWN_SERVERS_MAX_ENTRIES,
  defaultKnownServersUrl,
  fetchKnownServers,
  parseKnownServers,
} from '../../src/transport/known-servers.ts';
import { freePort } from '../helpers/service-process.ts';

describe('known-servers list (spec §8.1)', () => {
  it('has the reference list only for chain ids 1, 3, 4, 5 and 42', () => {
    assert.match(defaultKnownServersUrl(1n)!, /known_servers-production-v3\.0\.0\.json$/);
    for (const id of [3n, 4n, 5n, 42n]) assert.match(defaultKnownServersUrl(id)!, /known_servers-development-v3\.0\.0\.json$/);
    for (const id of [2n, 61n, 100n, 337n, 42161n]) assert.equal(defaultKnownServersUrl(id), null);
  });

  it('reads the active servers as homeserver URLs, host names over https', () => {
    const list = parseKnownServers(
      JSON.stringify({
        active_servers: ['transport.transport01.raiden.network', 'http://127.0.0.1:8008', 'https://m.example:8448/', 'transport.transport01.raiden.network'],
        all_servers: ['ignored.example'],
      }),
    );
    assert.deepEqual(list, { ok: true, servers: ['https://transport.transport01.raiden.network', 'http://127.0.0.1:8008', 'https://m.example:8448'] });
    assert.deepEqual(parseKnownServers('{"active_servers": []}'), { ok: true, servers: [] });
  });

  it('refuses the whole document on any malformed part', () => {
    const refused = (text: string, error: RegExp) => {
      const r = parseKnownServers(text);
      assert.equal(r.ok, false, text);
      if (!r.ok) assert.match(r.error, error);
    };
    refused('not json', /not JSON/);
    refused('["a.example"]', /not a JSON object/);
    refused('null', /not a JSON object/);
    refused('{"all_servers": ["a.example"]}', /no "active_servers" array/);
    refused('{"active_servers": "a.example"}', /no "active_servers" array/);
    for (const entry of [42, null, '', 'ftp://a.example', 'https://user:pw@a.example', 'https://a.example/path', 'https://a.example?x=1', 'a b']) {
      refused(JSON.stringify({ active_servers: ['ok.example', entry] }), /bad server entry/);
    }
    refused(JSON.stringify({ active_servers: Array.from({ length: KNOWN_SERVERS_MAX_ENTRIES + 1 }, (_, i) => `s${i}.example`) }), /more than/);
  });

  describe('fetched over HTTP', () => {
    let server: Server;
    let base = '';
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/list.json') {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"active_servers": ["a.example", "b.example:8448"]}');
        } else if (req.url === '/bad.json') {
          res.writeHead(200).end('{"active_servers": [1]}');
        } else if (req.url === '/huge-declared') {
          res.writeHead(200, { 'content-length': String(KNOWN_SERVERS_MAX_BYTES + 1) }).end();
        } else if (req.url === '/huge-chunked') {
          // no length header: the reader must stop at the limit by itself
          res.writeHead(200, { 'transfer-encoding': 'chunked' });
          const chunk = ' '.repeat(64 * 1024);
          for (let i = 0; i * chunk.length <= KNOWN_SERVERS_MAX_BYTES; i++) res.write(chunk);
          res.end('{}');
        } else if (req.url === '/silent') {
          // never answers
        } else {
          res.writeHead(404).end('nope');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    it('parses a served list', async () => {
      assert.deepEqual(await fetchKnownServers(`${base}/list.json`, 2000), { ok: true, servers: ['https://a.example', 'https://b.example:8448'] });
    });

    it('reports HTTP errors, bad documents, oversized bodies, timeouts and refused connections', async () => {
      const error = async (url: string, timeoutMs = 2000) => {
        const r = await fetchKnownServers(url, timeoutMs);
        assert.equal(r.ok, false, url);
        return r.ok ? '' : r.error;
      };
      assert.equal(await error(`${base}/missing`), 'HTTP 404');
      assert.match(await error(`${base}/bad.json`), /bad server entry/);
      assert.match(await error(`${base}/huge-declared`), /larger than/);
      assert.match(await error(`${base}/huge-chunked`), /larger than/);
      assert.equal(await error(`${base}/silent`, 300), 'no answer within 300 ms');
      assert.ok((await error(`http://127.0.0.1:${await freePort()}/list.json`)).length > 0);
    });
  });
});
