import assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { after, describe, test } from 'node:test';
import { CallFailed, Mailbox } from '../../actors/runtime/mailbox.ts';

type Call = { readonly op: 'add'; readonly a: number; readonly b: number } | { readonly op: 'wait'; readonly ms: number; readonly tag: string } | { readonly op: 'fail'; readonly how: 'error' | 'string' | 'async' } | { readonly op: 'bad_reply' } | { readonly op: 'hang' };
type Reply = { readonly value: unknown };
type Note = { readonly n: number };

const ports: MessagePort[] = [];
after(() => ports.forEach((p) => p.close()));

/** Two connected mailboxes: `client` calls, `server` answers and both may notify. */
function pair() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const client = new Mailbox<Call, Reply, never, never, Note, Note>(port1);
  const server = new Mailbox<never, never, Call, Reply, Note, Note>(port2);
  return { client, server, port1, port2 };
}

function serve(server: ReturnType<typeof pair>['server']): void {
  server.onCall(async (c) => {
    switch (c.op) {
      case 'add':
        return { value: c.a + c.b };
      case 'wait':
        await new Promise((r) => setTimeout(r, c.ms));
        return { value: c.tag };
      case 'fail':
        if (c.how === 'error') throw new Error('boom');
        if (c.how === 'string') throw 'plain string'; // eslint-disable-line no-throw-literal
        return Promise.reject(new TypeError('async boom'));
      case 'bad_reply':
        return { value: () => 1 };
      case 'hang':
        return new Promise<Reply>(() => undefined);
    }
  });
}

describe('Mailbox over a MessageChannel', () => {
  test('call and reply', async () => {
    const { client, server } = pair();
    serve(server);
    assert.deepEqual(await client.call({ op: 'add', a: 2, b: 40 }, 1000), { value: 42 });
    assert.equal(client.inFlight, 0);
  });

  test('concurrent calls are matched to their replies by id, whatever order the replies come in', async () => {
    const { client, server } = pair();
    serve(server);
    const calls = [30, 5, 20, 0, 10].map((ms, i) => client.call({ op: 'wait', ms, tag: `t${i}` }, 2000));
    assert.equal(client.inFlight, 5);
    assert.deepEqual((await Promise.all(calls)).map((r) => r.value), ['t0', 't1', 't2', 't3', 't4']);
    assert.equal(client.inFlight, 0);
  });

  test('both sides can call each other at the same time (ids are per side)', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const a = new Mailbox<Call, Reply, Call, Reply>(port1);
    const b = new Mailbox<Call, Reply, Call, Reply>(port2);
    a.onCall((c) => ({ value: c.op === 'add' ? `a:${c.a + c.b}` : null }));
    b.onCall((c) => ({ value: c.op === 'add' ? `b:${c.a + c.b}` : null }));
    const [x, y] = await Promise.all([a.call({ op: 'add', a: 1, b: 1 }, 1000), b.call({ op: 'add', a: 2, b: 2 }, 1000)]);
    assert.deepEqual([x.value, y.value], ['b:2', 'a:4']);
  });

  test('notifications arrive in order, one way, without a reply', async () => {
    const { client, server } = pair();
    const got: number[] = [];
    const done = new Promise<void>((resolve) =>
      server.onNote((n) => {
        got.push(n.n);
        if (got.length === 3) resolve();
      }),
    );
    client.notify({ n: 1 });
    client.notify({ n: 2 });
    client.notify({ n: 3 });
    await done;
    assert.deepEqual(got, [1, 2, 3]);
    assert.equal(client.inFlight, 0);
  });

  test('a notification without a handler is dropped quietly', async () => {
    const { client, server } = pair();
    serve(server);
    client.notify({ n: 1 });
    // the conversation goes on
    assert.deepEqual(await client.call({ op: 'add', a: 1, b: 2 }, 1000), { value: 3 });
  });

  test('a call without a reply in time fails with CallFailed, and a late reply is ignored', async () => {
    const { client, server } = pair();
    serve(server);
    const started = Date.now();
    const late = client.call({ op: 'wait', ms: 150, tag: 'late' }, 30);
    await assert.rejects(late, (e: unknown) => e instanceof CallFailed && /timed out after 30 ms/.test(e.message));
    assert.ok(Date.now() - started < 140, 'failed at its deadline, not when the reply came');
    assert.equal(client.inFlight, 0);
    // the late reply arrives while a new call is in flight: it must not resolve the new one
    const next = client.call({ op: 'wait', ms: 200, tag: 'next' }, 2000);
    await new Promise((r) => setTimeout(r, 160));
    assert.equal(client.inFlight, 1);
    assert.deepEqual(await next, { value: 'next' });
  });

  test('a peer that never answers makes the call fail at its deadline', async () => {
    const { client, server } = pair();
    serve(server);
    await assert.rejects(client.call({ op: 'hang' }, 20), CallFailed);
    assert.equal(client.inFlight, 0);
  });

  test('a throwing handler answers the caller with its message; the peer keeps serving', async () => {
    const { client, server } = pair();
    serve(server);
    await assert.rejects(client.call({ op: 'fail', how: 'error' }, 1000), (e: unknown) => e instanceof CallFailed && e.message === 'boom');
    await assert.rejects(client.call({ op: 'fail', how: 'string' }, 1000), (e: unknown) => e instanceof CallFailed && e.message === 'plain string');
    await assert.rejects(client.call({ op: 'fail', how: 'async' }, 1000), (e: unknown) => e instanceof CallFailed && e.message === 'async boom');
    assert.deepEqual(await client.call({ op: 'add', a: 1, b: 1 }, 1000), { value: 2 });
    assert.equal(client.inFlight, 0);
  });

  test('a reply that cannot be cloned fails the call instead of leaving it hanging', async () => {
    const { client, server } = pair();
    serve(server);
    await assert.rejects(client.call({ op: 'bad_reply' }, 1000), (e: unknown) => e instanceof CallFailed && /clone/i.test(e.message));
  });

  test('a call that cannot be sent fails at once and leaves nothing in flight', async () => {
    const { client, server } = pair();
    serve(server);
    await assert.rejects(client.call({ op: 'add', a: 1, b: (() => 1) as never }, 60_000));
    assert.equal(client.inFlight, 0, 'no pending entry (and no timer) is left behind');
  });

  test('a peer without a call handler answers every call with a failure', async () => {
    const { client } = pair();
    await assert.rejects(client.call({ op: 'add', a: 1, b: 1 }, 1000), (e: unknown) => e instanceof CallFailed && e.message === 'no handler for calls');
  });

  test('close() fails every call in flight with the reason at once, and refuses new calls and notifications', async () => {
    const { client, server } = pair();
    serve(server);
    let notes = 0;
    server.onNote(() => notes++);
    const a = client.call({ op: 'hang' }, 60_000);
    const b = client.call({ op: 'wait', ms: 50, tag: 'b' }, 60_000);
    assert.equal(client.inFlight, 2);
    const started = Date.now();
    client.close('shard 3 exited with code 1');
    for (const p of [a, b]) await assert.rejects(p, (e: unknown) => e instanceof CallFailed && e.message === 'shard 3 exited with code 1');
    assert.ok(Date.now() - started < 40, 'failed at once, not at their deadlines');
    assert.equal(client.inFlight, 0);
    await assert.rejects(client.call({ op: 'add', a: 1, b: 1 }, 1000), (e: unknown) => e instanceof CallFailed && e.message === 'shard 3 exited with code 1');
    client.notify({ n: 1 });
    // the reply to b still arrives after the close: it is ignored
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(notes, 0);
  });

  test('transfer lists move buffers and ports with the call', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const a = new Mailbox<{ buf: ArrayBuffer; port: MessagePort }, { size: number }, never, never>(port1);
    const b = new Mailbox<never, never, { buf: ArrayBuffer; port: MessagePort }, { size: number }>(port2);
    b.onCall((c) => {
      c.port.postMessage('hello through the transferred port');
      c.port.close();
      return { size: c.buf.byteLength };
    });
    const inner = new MessageChannel();
    ports.push(inner.port1);
    const heard = new Promise((resolve) => inner.port1.once('message', resolve));
    const buf = new ArrayBuffer(64);
    const reply = await a.call({ buf, port: inner.port2 }, 1000, [buf, inner.port2]);
    assert.deepEqual(reply, { size: 64 });
    assert.equal(buf.byteLength, 0, 'the buffer was moved, not copied');
    assert.equal(await heard, 'hello through the transferred port');
  });
});
