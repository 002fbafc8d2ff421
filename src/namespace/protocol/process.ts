/**
 * One running namespace process and the JSON-RPC connection on its stdio.
 * It turns every way a child can go wrong into a `NomiaError` for the
 * request in flight, and never into an exception of the engine:
 *
 * - it exits or cannot start: `namespace/crashed`, with the exit status or
 *   signal and the last lines of its stderr;
 * - it does not answer in time: SIGTERM, SIGKILL 2 s later, `namespace/timeout`;
 * - the request is cancelled: the same kill, the signal's reason;
 * - it writes bytes that are not framed JSON-RPC: `namespace/protocol`, killed.
 *
 * The first failure wins and ends the process for good: a request fails
 * only once the process is gone, and the owner starts a new one for the
 * next request. While idle the child does not keep Node's event loop alive;
 * when Node exits, live children get SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isErrorCode, NomiaError } from '../../errors.js';
import { createMessageConnection, ErrorCodes, ResponseError, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { NamespaceEvent } from '../types.js';
import { parseEventParams, parseLogParams, RpcErrors, type ErrorData } from './messages.js';

/** Lines of stderr kept for crash reports. */
const TAIL_LINES = 20;
/** Between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;
/** How long to wait for the rest of stderr after an exit, and for an exit after stdout closed. */
const SETTLE_MS = 200;

export interface ProcessOptions {
  /** The namespace id, for messages. */
  readonly id: string;
  /** argv: the program, then its arguments. */
  readonly command: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * An error the namespace reported as a JSON-RPC error object, with its message, hint and trace. It keeps
 * the Nomia code the namespace gave in `data.code` (a `store/not-found` stays one); without one, `usage`
 * when it says the name, its parameters or inputs are wrong (-32602), else `realize/failed`.
 */
export class NamespaceReportedError extends NomiaError {
  constructor(readonly rpcCode: number, message: string, data: { readonly hint?: string; readonly code?: unknown; readonly trace?: readonly string[] } = {}) {
    super(isErrorCode(data.code) ? data.code : rpcCode === RpcErrors.InvalidParams ? 'usage' : 'realize/failed', message, {
      ...(data.hint === undefined ? {} : { hint: data.hint }), ...(data.trace ? { trace: data.trace } : {}),
    });
    this.name = 'NamespaceReportedError';
  }
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLiveOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGTERM');
  });
}

type Refable = { ref?(): void; unref?(): void } | null;

export class NamespaceProcess {
  readonly connection: MessageConnection;
  /** Where `log` and `event` notifications and stderr lines (as log events) go while a request is in flight. */
  eventSink: ((event: NamespaceEvent) => void) | undefined;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private partial = '';
  private failure: Error | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | { error: Error } | undefined;
  private readonly gone: Promise<void>;
  private markGone!: () => void;
  private readonly failed: Promise<Error>;
  private markFailed!: (e: Error) => void;
  private holds = 0;
  /** The method of the request in flight, for crash reports. */
  private inFlight: string | undefined;

  constructor(private readonly options: ProcessOptions) {
    this.gone = new Promise((r) => (this.markGone = r));
    this.failed = new Promise((r) => (this.markFailed = r));
    const [program, ...args] = options.command;
    this.child = spawn(program ?? '', args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    live.add(this.child);
    killLiveOnExit();
    const { stdin, stdout, stderr } = this.child;
    // Errors on the pipes (EPIPE after a crash) are reported through the exit; never let them escape.
    for (const s of [stdin, stdout, stderr]) s?.on('error', () => undefined);
    stderr?.setEncoding('utf8');
    stderr?.on('data', (chunk: string) => this.stderrData(chunk));
    // 'error' also reports a failed kill of a running child: only a child without a pid never started.
    this.child.on('error', (error) => {
      if (this.child.pid === undefined) this.exited({ error });
    });
    this.child.on('exit', (code, signal) => {
      if (!stderr || stderr.closed) return this.exited({ code, signal });
      // The rest of stderr may still be in the pipe: wait for it, briefly.
      const settle = setTimeout(() => this.exited({ code, signal }), SETTLE_MS);
      stderr.once('close', () => {
        clearTimeout(settle);
        this.exited({ code, signal });
      });
    });
    this.connection = createMessageConnection(new StreamMessageReader(stdout!), new StreamMessageWriter(stdin!), {
      error: (message) => {
        if (/^Received (empty message|message which is neither)/.test(message)) {
          this.fail(this.protocolError(`sent a message that is neither a request, a response nor a notification`));
        }
      },
      warn: () => undefined,
      info: () => undefined,
      log: () => undefined,
    });
    this.connection.onError(([error, message]) => {
      // A write error (EPIPE) means the process went away: its exit tells why. A read error is garbage on stdout.
      if (message === undefined) {
        this.fail(this.protocolError(`wrote something on its standard output that is not a framed JSON-RPC message (${error.message})`));
      }
    });
    this.connection.onClose(() => {
      setTimeout(() => this.fail(this.protocolError('closed its standard output')), SETTLE_MS).unref();
    });
    this.connection.onNotification('log', (params: unknown) => {
      const p = parseLogParams(params);
      if (p) this.eventSink?.({ kind: 'log', line: p.line });
    });
    this.connection.onNotification('event', (params: unknown) => {
      const e = parseEventParams(params);
      if (e) this.eventSink?.(e);
    });
    this.connection.listen();
    this.refs('unref');
  }

  /** The process id, while it is known. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True once the process has failed or was stopped: it takes no more requests. */
  get ended(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Send a request and wait for its answer, at most `timeoutMs`. Resolves with the raw result (its
   * shape is the caller's to check); rejects with a `NomiaError`, or with `signal.reason` when cancelled.
   */
  async request(method: string, params: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    if (this.failure) throw this.failure;
    this.hold();
    this.inFlight = method;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => this.fail(signal?.reason instanceof Error ? signal.reason : new Error(`${method} was cancelled`));
    try {
      const answer = new Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }>((resolve) => {
        Promise.resolve()
          .then(() => (params === undefined ? this.connection.sendRequest(method) : this.connection.sendRequest(method, params)))
          .then((value) => resolve({ ok: true, value }), (error: unknown) => {
            // Connection trouble (closed, disposed) ends in a failure of the process, which answers below.
            if (error instanceof ResponseError && error.code !== ErrorCodes.PendingResponseRejected) resolve({ ok: false, error });
            else if (!(error instanceof ResponseError) && /neither a result nor an error/.test(String(error))) {
              resolve({ ok: false, error: this.protocolError(`answered ${method} with a message that has neither a result nor an error`) });
            }
          });
        void this.failed.then((error) => resolve({ ok: false, error }));
      });
      timer = setTimeout(() => this.fail(new NomiaError('namespace/timeout',
        `namespace ${this.options.id} did not answer ${method} within ${seconds(timeoutMs)}; it was stopped`, {
          hint: `if it needs longer, raise its timeout; to see what it was doing, run \`${this.commandText()}\` by hand`,
        })), timeoutMs);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      const a = await answer;
      if (a.ok) return a.value;
      if (a.error instanceof ResponseError) throw this.reported(method, a.error);
      throw a.error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.inFlight = undefined;
      this.release();
    }
  }

  /**
   * End the process politely: `shutdown`, close its stdin, and kill it if it has not exited
   * `graceMs` after the start. Never throws.
   */
  async shutdown(graceMs = KILL_GRACE_MS): Promise<void> {
    if (this.failure) return this.gone;
    this.hold();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => (timer = setTimeout(r, graceMs)));
    try {
      const answered = this.request('shutdown', undefined, graceMs).catch(() => undefined);
      await Promise.race([answered, this.gone, grace]);
      this.child.stdin?.end();
      await Promise.race([this.gone, grace]);
      this.fail(new NomiaError('namespace/crashed', `namespace ${this.options.id} was shut down`));
      await this.gone;
    } finally {
      clearTimeout(timer);
      this.release();
    }
  }

  /** The first failure wins: record it, stop the process, and answer waiting requests once it is gone. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.hold();
    if (!this.exit) {
      this.child.kill('SIGTERM');
      const kill = setTimeout(() => {
        if (!this.exit) this.child.kill('SIGKILL');
      }, KILL_GRACE_MS);
      void this.gone.then(() => clearTimeout(kill));
    }
    void this.gone.then(() => {
      this.markFailed(error);
      this.connection.dispose();
      this.release();
    });
  }

  private exited(exit: NonNullable<NamespaceProcess['exit']>): void {
    if (this.exit) return;
    this.exit = exit;
    live.delete(this.child);
    if (this.partial !== '') this.pushLine(this.partial);
    this.partial = '';
    this.fail(this.crashError(exit));
    this.markGone();
  }

  private crashError(exit: NonNullable<NamespaceProcess['exit']>): NomiaError {
    const how = 'error' in exit
      ? `could not be started (${exit.error.message})`
      : `${exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`}${this.inFlight ? ` while answering ${this.inFlight}` : ''}`;
    const tail = this.tail.length ? `\nthe last lines of its stderr:\n${this.tail.map((l) => `  ${l}`).join('\n')}` : ' (it wrote nothing on stderr)';
    return new NomiaError('namespace/crashed', `namespace ${this.options.id} (\`${this.commandText()}\`) ${how}${tail}`, {
      hint: 'error' in exit ? 'check the command configured for this namespace in nomia.json' : `run \`${this.commandText()}\` by hand to see why; the next request starts it again`,
    });
  }

  private reported(method: string, e: ResponseError<unknown>): NomiaError {
    const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as ErrorData;
    const message = typeof e.message === 'string' && e.message.trim() !== '' ? clip(e.message, 2000) : `namespace ${this.options.id} failed at ${method} without saying why`;
    const trace = Array.isArray(data.trace) ? data.trace.filter((f): f is string => typeof f === 'string').slice(0, 20).map((f) => clip(f, 1000)) : [];
    return new NamespaceReportedError(e.code, message, {
      ...(typeof data.hint === 'string' ? { hint: clip(data.hint, 1000) } : {}), code: data.code, ...(trace.length ? { trace } : {}),
    });
  }

  private protocolError(what: string): NomiaError {
    return new NomiaError('namespace/protocol', `namespace ${this.options.id} ${what}`, {
      hint: 'a namespace process writes only protocol messages on stdout (docs/spec/protocol.md); logs go to stderr',
    });
  }

  private stderrData(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.pushLine(l);
  }

  private pushLine(line: string): void {
    const l = clip(line.replace(/\r$/, ''), 500);
    this.tail.push(l);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.eventSink?.({ kind: 'log', line: l });
  }

  private commandText(): string {
    return this.options.command.map((a) => (/^[\w./=:@%+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  }

  /** While a request is in flight or the process is being stopped, keep Node's event loop alive for it. */
  private hold(): void {
    if (this.holds++ === 0) this.refs('ref');
  }

  private release(): void {
    this.holds -= 1;
    if (this.holds === 0) this.refs('unref');
  }

  private refs(what: 'ref' | 'unref'): void {
    const c = this.child;
    c[what]();
    for (const s of [c.stdin, c.stdout, c.stderr] as Refable[]) s?.[what]?.();
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
