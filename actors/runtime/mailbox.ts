import type { MessagePort, Transferable, Worker } from 'node:worker_threads';

/**
 * Typed request/reply over a MessagePort or Worker. Every call carries a correlation id
 * and a deadline; a call whose reply does not arrive in time, or whose peer goes away,
 * fails with a clear error instead of hanging. Notifications are one-way messages.
 * Handlers return values; a handler that throws answers the caller with an error message
 * (the thread keeps running; bugs that must crash the actor should be rethrown by it).
 */

/** Anything a mailbox can talk through. */
export type Endpoint = MessagePort | Worker;

type Envelope =
  | { readonly k: 'call'; readonly id: number; readonly body: unknown }
  | { readonly k: 'reply'; readonly id: number; readonly body: unknown }
  | { readonly k: 'fail'; readonly id: number; readonly message: string }
  | { readonly k: 'note'; readonly body: unknown };

/** Error of a call that timed out, or whose peer failed or went away. */
export class CallFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallFailed';
  }
}

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One side of a typed conversation: `Out` is what this side sends, `In` what it receives. */
export class Mailbox<OutCall, OutReply, InCall, InReply, OutNote = never, InNote = never> {
  private readonly endpoint: Endpoint;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private callHandler: ((body: InCall) => InReply | Promise<InReply>) | null = null;
  private noteHandler: ((body: InNote) => void) | null = null;
  private closed: string | null = null;

  constructor(endpoint: Endpoint) {
    this.endpoint = endpoint;
    endpoint.on('message', (m: Envelope) => this.receive(m));
  }

  /** Handles calls from the peer. */
  onCall(handler: (body: InCall) => InReply | Promise<InReply>): void {
    this.callHandler = handler;
  }

  /** Handles notifications from the peer. */
  onNote(handler: (body: InNote) => void): void {
    this.noteHandler = handler;
  }

  /** Sends a call and waits for its reply (or fails after `timeoutMs`). */
  call(body: OutCall, timeoutMs: number, transfer: Transferable[] = []): Promise<OutReply> {
    if (this.closed !== null) return Promise.reject(new CallFailed(this.closed));
    const id = this.nextId++;
    return new Promise<OutReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CallFailed(`call timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.endpoint.postMessage({ k: 'call', id, body } satisfies Envelope, transfer as never);
      } catch (e) {
        // never sent (e.g. a body that cannot be cloned): no reply will come, so nothing
        // may stay pending until the deadline
        clearTimeout(timer);
        this.pending.delete(id);
        reject(e);
      }
    });
  }

  /** Sends a one-way notification. */
  notify(body: OutNote, transfer: Transferable[] = []): void {
    if (this.closed === null) this.endpoint.postMessage({ k: 'note', body } satisfies Envelope, transfer as never);
  }

  /** Fails every call in flight (the peer died) and refuses new ones. */
  close(reason: string): void {
    this.closed = reason;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new CallFailed(reason));
      this.pending.delete(id);
    }
  }

  /** Number of calls waiting for a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  private receive(m: Envelope): void {
    switch (m.k) {
      case 'reply':
      case 'fail': {
        const p = this.pending.get(m.id);
        if (p === undefined) return; // timed out already
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.k === 'reply') p.resolve(m.body);
        else p.reject(new CallFailed(m.message));
        return;
      }
      case 'call':
        void this.answer(m.id, m.body as InCall);
        return;
      case 'note':
        this.noteHandler?.(m.body as InNote);
        return;
    }
  }

  private async answer(id: number, body: InCall): Promise<void> {
    if (this.callHandler === null) {
      this.endpoint.postMessage({ k: 'fail', id, message: 'no handler for calls' } satisfies Envelope);
      return;
    }
    try {
      const reply = await this.callHandler(body);
      this.endpoint.postMessage({ k: 'reply', id, body: reply } satisfies Envelope);
    } catch (e) {
      this.endpoint.postMessage({ k: 'fail', id, message: e instanceof Error ? e.message : String(e) } satisfies Envelope);
    }
  }
}
