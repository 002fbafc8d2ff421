/**
 * GETs of big files (NARs) on raw kept-alive connections, their bodies
 * read in place: a restore thread fetches the NARs it unpacks itself
 * (restore-worker.ts), so their bytes never cross threads. Each connection
 * reads into one buffer of its own (`READ`, up to 1 MiB a system call, no
 * allocation per read) and stops reading until what was read has been
 * taken, so a body is handed out as views into that buffer, each valid
 * until the next is asked for (the contract `NarReader` keeps), and the
 * kernel's socket buffer is the only queue.
 *
 * One request per connection at a time; a connection whose answer was read
 * to its end is kept for the next GET. Only answers framed by a
 * Content-Length are read (static servers send files so); anything else
 * fails with `reason: 'unframed'`, and the caller uses Node's client. A
 * kept connection the server closed before answering is replaced once; a
 * connection refused, lost in a body or silent for `timeoutMs` fails with
 * `reason: 'down'`.
 */
import { connect, type Socket } from 'node:net';
import { parseHead } from './http-head.js';

/** Where a cache lives, for a thread that reaches it on its own. */
export interface Origin {
  readonly host: string;
  readonly port: number;
  /** The Host header. */
  readonly hostHeader: string;
  readonly timeoutMs: number;
}

/** A GET that failed: the server cannot be reached or stalled (`down`), or answered in a way this client does not frame. */
export class FetchFailed extends Error {
  constructor(message: string, readonly reason: 'down' | 'unframed') {
    super(message);
  }
}

/** An answer's status and its body, as views valid until the next is pulled. */
export interface BodyAnswer {
  readonly status: number;
  readonly body: AsyncGenerator<Uint8Array>;
  /** Let the connection go: kept if the body was read to its end, else closed (a body never started included). */
  release(): void;
}

/** Bytes one read may bring. */
const READ = 1 << 20;
/** The longest head read. */
const MAX_HEAD = 64 << 10;

/** A connection and its read buffer; `read()` takes the next read, the socket stopped in between. */
class Connection {
  private readonly socket: Socket;
  private readonly buffer = Buffer.allocUnsafe(READ);
  /** A read not yet taken. */
  private pending: Buffer | undefined;
  /** Why the connection ended. */
  private failure: Error | undefined;
  private waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  ended = false;
  /** It stalled: the server is down, and asking again on another connection would only wait again. */
  timedOut = false;

  constructor(private readonly origin: Origin) {
    this.socket = connect({
      host: origin.host,
      port: origin.port,
      noDelay: true,
      // `false`: stop reading until `read()` asks again, so the buffer is not written over while its view is in use.
      onread: { buffer: this.buffer, callback: (n: number) => { this.deliver(this.buffer.subarray(0, n)); return false; } },
    });
    this.socket.on('timeout', () => {
      this.timedOut = true;
      this.socket.destroy(new Error(`no answer within ${origin.timeoutMs} ms`));
    });
    this.socket.on('error', (e) => this.end(e));
    this.socket.on('end', () => this.end(new Error('the server closed the connection')));
    this.socket.on('close', () => this.end(new Error('the connection closed')));
  }

  write(text: string): void {
    this.socket.write(text);
  }

  private deliver(chunk: Buffer): void {
    this.socket.setTimeout(0);
    const w = this.waiting;
    this.waiting = undefined;
    if (w) w.resolve(chunk);
    else this.pending = chunk;
  }

  private end(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.ended = true;
    this.socket.destroy();
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  /** The next bytes read; rejects once the connection has ended (and every time after). */
  read(): Promise<Buffer> {
    const p = this.pending;
    if (p) {
      this.pending = undefined;
      return Promise.resolve(p);
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.setTimeout(this.origin.timeoutMs);
      this.socket.resume();
    });
  }

  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }
}

/** GETs to one server, on kept-alive connections. */
export class BodyClient {
  private readonly idle: Connection[] = [];

  constructor(private readonly origin: Origin) {}

  /** GET `path` (absolute, already encoded): resolves at the end of the head. Rejects with `FetchFailed`. */
  async get(path: string): Promise<BodyAnswer> {
    let kept: Connection | undefined;
    while ((kept = this.idle.pop()) && kept.ended);
    try {
      return await this.ask(kept ?? new Connection(this.origin), path);
    } catch (e) {
      // A kept connection may have been closed by the server as this asked (idle timeout): once more on a new one.
      if (kept && !kept.timedOut && !(e instanceof FetchFailed && e.reason === 'unframed')) return this.ask(new Connection(this.origin), path);
      throw e;
    }
  }

  private async ask(c: Connection, path: string): Promise<BodyAnswer> {
    c.write(`GET ${path} HTTP/1.1\r\nHost: ${this.origin.hostHeader}\r\n\r\n`);
    // Reads before the one the head ends in (rare: a head is small), copied out; the body's first bytes stay a view.
    let earlier = Buffer.alloc(0);
    for (;;) {
      let chunk: Buffer;
      try {
        chunk = await c.read();
      } catch (e) {
        throw new FetchFailed((e as Error).message, 'down');
      }
      const head = earlier.length ? Buffer.concat([earlier, chunk]) : chunk;
      const end = head.indexOf('\r\n\r\n', Math.max(0, earlier.length - 3));
      if (end < 0) {
        if (head.length > MAX_HEAD) return this.unframed(c, path, 'a head longer than 64 KiB');
        earlier = Buffer.from(head);
        continue;
      }
      const h = parseHead(head, end);
      if (!h || h.length < 0) return this.unframed(c, path, 'no Content-Length');
      const state = { settled: false };
      const body = this.body(c, head.subarray(end + 4), h.length, h.close, state);
      // Once settled, the body has kept or closed the connection itself (and it may already serve another GET).
      return { status: h.status, body, release: () => void (state.settled || c.destroy()) };
    }
  }

  private unframed(c: Connection, path: string, why: string): never {
    c.destroy();
    throw new FetchFailed(`the answer to GET ${path} has ${why}`, 'unframed');
  }

  private async *body(c: Connection, first: Buffer, length: number, close: boolean, state: { settled: boolean }): AsyncGenerator<Uint8Array> {
    let left = length;
    let whole = false;
    try {
      for (let chunk = first; ; chunk = await this.next(c, left, length)) {
        // One request at a time: bytes past the body are a server's error, not the next answer.
        if (chunk.length > left) throw new FetchFailed(`the server sent more than the ${length} bytes it announced`, 'down');
        left -= chunk.length;
        if (chunk.length) yield chunk;
        if (left === 0) break;
      }
      whole = true;
    } finally {
      state.settled = true;
      if (whole && !close && !c.ended) this.idle.push(c);
      else c.destroy();
    }
  }

  private async next(c: Connection, left: number, length: number): Promise<Buffer> {
    try {
      return await c.read();
    } catch (e) {
      throw new FetchFailed(`${(e as Error).message} before the end of the file (${left} of ${length} bytes missing)`, 'down');
    }
  }

  close(): void {
    for (const c of this.idle.splice(0)) c.destroy();
  }
}
