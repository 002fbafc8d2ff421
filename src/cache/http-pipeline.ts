/**
 * Small GETs over HTTP/1.1 pipelining: the reduction records a realize asks
 * for. Node's HTTP client writes each request in a system call of its own
 * and parses each answer through a stream; on a loopback or LAN cache that
 * costs more than the answer. Here the GETs asked for in one turn of the
 * event loop go out in one write on one kept-alive connection, and the
 * answers (each with a Content-Length, as static servers send files and
 * errors) are cut from what arrives, in order.
 *
 * What this client does not understand (no Content-Length, a chunked body,
 * a connection closed by the server before answering) is not guessed at:
 * the requests without an answer are retried once on a new connection,
 * and an answer it cannot frame fails with `Unframed`, after which the
 * caller uses an ordinary client for this server. A connection on which
 * nothing arrives for `timeoutMs` while answers are awaited fails its
 * requests as the cache being down.
 */
import { connect, type Socket } from 'node:net';
import { parseHead } from './http-head.js';

/** An answer: the status and the body. */
export interface Answer {
  readonly status: number;
  readonly body: Buffer;
}

/** The server answered in a way this client does not frame (no Content-Length, chunked). */
export class Unframed extends Error {}

interface Pending {
  readonly path: string;
  readonly resolve: (a: Answer) => void;
  readonly reject: (e: Error) => void;
  retried: boolean;
}

/** Requests written in one go on one connection, at most. */
const MAX_BATCH = 64;

export class Pipeline {
  private socket: Socket | undefined;
  /** Written, waiting for their answers, in order. */
  private inFlight: Pending[] = [];
  /** Asked for in this turn, not yet written. */
  private queued: Pending[] = [];
  private scheduled = false;
  /** What arrived and is not yet cut into answers, and how many bytes the next answer needs at least. */
  private chunks: Buffer[] = [];
  private have = 0;
  private need = 0;
  private closed = false;
  /** Answers received on the current connection: a connection lost after some made progress. */
  private answered = 0;

  constructor(private readonly host: string, private readonly port: number, private readonly timeoutMs: number, private readonly hostHeader: string) {}

  /** GET `path` (absolute, already encoded). Rejects with `Unframed`, or an Error that says the cache is down. */
  get(path: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.queued.push({ path, resolve, reject, retried: false });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.closed) return this.failAll(new Error('the client was closed'), this.queued.splice(0));
    while (this.queued.length) {
      const batch = this.queued.splice(0, MAX_BATCH);
      const s = this.connection();
      s.write(batch.map((p) => `GET ${p.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n\r\n`).join(''));
      this.inFlight.push(...batch);
      s.setTimeout(this.timeoutMs);
    }
  }

  private connection(): Socket {
    if (this.socket) return this.socket;
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = s;
    this.chunks = [];
    this.have = 0;
    this.need = 0;
    this.answered = 0;
    s.on('data', (chunk: Buffer) => this.receive(s, chunk));
    s.on('timeout', () => s.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
    s.on('error', (e) => this.lost(s, e));
    s.on('close', () => this.lost(s, undefined));
    return s;
  }

  private receive(s: Socket, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.have += chunk.length;
    // A body spread over many reads is joined once, when it is complete.
    if (this.have < this.need) return;
    const buffer = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const rest = this.answers(s, buffer);
    this.chunks = rest.length ? [rest] : [];
    this.have = rest.length;
  }

  /** Cut the complete answers off `buffer`; what is left. */
  private answers(s: Socket, buffer: Buffer): Buffer {
    this.need = 0;
    for (;;) {
      const head = buffer.indexOf('\r\n\r\n');
      if (head < 0) return buffer;
      const h = parseHead(buffer, head);
      if (!h || h.length < 0) {
        const e = new Unframed(`the answer to GET ${this.inFlight[0]?.path ?? '?'} has no Content-Length`);
        this.failAll(e, this.inFlight.splice(0));
        s.destroy();
        return Buffer.alloc(0);
      }
      const { length, close } = h;
      const end = head + 4 + length;
      if (buffer.length < end) {
        this.need = end;
        return buffer;
      }
      const p = this.inFlight.shift();
      this.answered++;
      // A copy: the body outlives the chunk it was cut from, which may be large.
      p?.resolve({ status: h.status, body: Buffer.from(buffer.subarray(head + 4, end)) });
      buffer = buffer.subarray(end);
      if (this.inFlight.length === 0) s.setTimeout(0);
      if (close) {
        s.destroy();
        return Buffer.alloc(0);
      }
    }
  }

  /**
   * The connection ended: requests without an answer go out again on a new one (a server may close a
   * kept-alive connection after any answer). A request is given up after a connection that answered
   * nothing was lost while it waited a second time, or after a timeout (said at once: one timeout per cache).
   */
  private lost(s: Socket, e: Error | undefined): void {
    if (this.socket !== s) return;
    this.socket = undefined;
    const waiting = this.inFlight.splice(0);
    const timedOut = e?.message.startsWith('no answer') === true;
    const progress = this.answered > 0;
    const again = timedOut ? [] : waiting.filter((p) => progress || !p.retried);
    this.failAll(e ?? new Error('the server closed the connection without answering'), waiting.filter((p) => !again.includes(p)));
    if (!progress) for (const p of again) p.retried = true;
    if (again.length) {
      this.queued.unshift(...again);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    }
  }

  private failAll(e: Error, ps: readonly Pending[]): void {
    for (const p of ps) p.reject(e);
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }
}
