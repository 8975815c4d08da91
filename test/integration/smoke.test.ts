import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toChecksumAddress } from '../../src/domain/index.ts';
import { address } from '../fixtures/accounts.ts';
import { FIXTURE_TOKEN_NETWORK, writeFixtureLog } from '../helpers/fixture-log.ts';
import { CASE_1 } from '../helpers/reference-fixtures.ts';
import { ServiceProcess } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const TN = toChecksumAddress(FIXTURE_TOKEN_NETWORK);
const A = (i: number) => toChecksumAddress(address(i));

describe('the service over HTTP on the case_1 model (test_get_paths)', () => {
  const dir = tempDir();
  let service: ServiceProcess;
  before(async () => {
    const events = join(dir.path, 'case1.ndjson');
    writeFixtureLog(events, CASE_1);
    service = await ServiceProcess.start({ dataDir: join(dir.path, 'data'), events });
    await service.waitReady();
  });
  after(async () => {
    assert.equal(await service.stop(), 0, 'SIGTERM stops the service with exit code 0');
    dir.cleanup();
  });

  it('finds the two reference paths from 0 to 2', async () => {
    const r = await service.post(`/api/v1/${TN}/paths`, { from: A(0), to: A(2), value: 10, max_paths: 5 });
    assert.equal(r.status, 200, r.text);
    const body = r.json as { result: { path: string[]; estimated_fee: number; address_metadata: Record<string, unknown> }[]; feedback_token: string };
    assert.deepEqual(body.result.map((x) => x.path), [[A(0), A(1), A(2)], [A(0), A(1), A(4), A(3), A(2)]]);
    assert.deepEqual(body.result.map((x) => x.estimated_fee), [0, 0]);
    for (const route of body.result) assert.deepEqual(Object.keys(route.address_metadata), route.path);
    assert.match(body.feedback_token, /^[0-9a-f]{32}$/);
  });
});
