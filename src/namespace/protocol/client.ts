/**
 * `ExternalNamespace`: a namespace that runs as a separate process speaking
 * `nomia-namespace/1` (docs/spec/protocol.md) on its stdin and stdout. To the
 * engine it is just another `Namespace` (STYLE rule 6).
 *
 * The process is started on first use and `initialize`d; requests go to it
 * one at a time. Objects it writes under the per-call outDir are added to the
 * store here and named by content, so what a namespace process hands back is
 * never trusted beyond its bytes. A process that failed (crash, timeout,
 * garbage, cancellation) is gone, and the next request starts a new one.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { NomiaError } from '../../errors.js';
import { valueName } from '../../resource/names.js';
import { parseName } from '../../name/parse.js';
import { addPath, isValidObjectName, objectResource, withWorkDir } from '../store-api.js';
import type { Spelling } from '../../graph/spell.js';
import type { AtomRequest, KnotMember, Namespace, NamespaceEvent, NodeSpelling, RealizeContext, Resource, RunContext, Signature } from '../types.js';
import {
  parseInitializeResult, parseKnotResult, parseRealizeResult, parseReduceResult, parseSignature, parseSpellResult, protocolMajor, PROTOCOL,
  PROTOCOL_MAJOR, RpcErrors, ShapeError, wireContext, type Capabilities, type KnotParams, type RealizeParams, type ReduceParams, type SpellParams,
  type WireOutput,
} from './messages.js';
import { NamespaceProcess, NamespaceReportedError } from './process.js';

export interface ExternalNamespaceOptions {
  /** The id it is configured under. */
  readonly id: string;
  /** Its spelling in the namespace of namespaces (the registry computes it). */
  readonly spelling: string;
  /** argv of the namespace process: the program, then its arguments. */
  readonly command: readonly string[];
  /** Working directory of the process; default: this process's. */
  readonly cwd?: string;
  /** Environment of the process; default: this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Milliseconds an answer may take: `realize` (default 5 min) and every other request (default 30 s). */
  readonly timeouts?: { readonly realize?: number; readonly other?: number };
}

const DEFAULT_REALIZE_MS = 5 * 60_000;
const DEFAULT_OTHER_MS = 30_000;

/** What the server said about itself in `initialize`. */
export interface ServerInfo {
  readonly protocol: string;
  readonly id?: string;
  readonly version?: string;
  readonly capabilities?: Capabilities;
}

export class ExternalNamespace implements Namespace {
  readonly id: string;
  readonly spelling: string;
  private readonly realizeMs: number;
  private readonly otherMs: number;
  private process: NamespaceProcess | undefined;
  private info: ServerInfo | undefined;
  /** Requests go one at a time: each waits for the one before. */
  private queue: Promise<void> = Promise.resolve();
  private reduceUnsupported = false;

  constructor(private readonly options: ExternalNamespaceOptions) {
    if (options.command.length === 0) throw new NomiaError('usage', `namespace ${options.id} has an empty command`, { hint: 'give its command as an argv array, e.g. ["python3", "ns.py"]' });
    this.id = options.id;
    this.spelling = options.spelling;
    this.realizeMs = options.timeouts?.realize ?? DEFAULT_REALIZE_MS;
    this.otherMs = options.timeouts?.other ?? DEFAULT_OTHER_MS;
  }

  /** What the running process said in `initialize`, once it has been started. */
  get serverInfo(): ServerInfo | undefined {
    return this.info;
  }

  /** The pid of the running process, if one is running. */
  get pid(): number | undefined {
    return this.process && !this.process.ended ? this.process.pid : undefined;
  }

  async describe(req: AtomRequest): Promise<Signature> {
    return this.check('describe', parseSignature, await this.call('describe', req, this.otherMs));
  }

  /**
   * The server's own spelling of a node, if it announced the `spell` capability in `initialize`;
   * otherwise undefined, the default.
   */
  async spell(req: AtomRequest, inputs: Readonly<Record<string, Spelling>>): Promise<NodeSpelling | undefined> {
    const params: SpellParams = { request: req, inputs };
    return this.serial(undefined, async (proc) => {
      if (!this.info?.capabilities?.spell) return undefined;
      return this.check('spell', parseSpellResult, await proc.request('spell', params, this.otherMs)).spelling ?? undefined;
    });
  }

  async reduce(req: AtomRequest, context: RunContext): Promise<string | undefined> {
    if (this.reduceUnsupported) return undefined;
    const params: ReduceParams = { request: req, context: wireContext(context) };
    let raw: unknown;
    try {
      raw = await this.call('reduce', params, this.otherMs);
    } catch (e) {
      if (e instanceof NamespaceReportedError && e.rpcCode === RpcErrors.MethodNotFound) {
        this.reduceUnsupported = true;
        return undefined;
      }
      throw e;
    }
    const { name } = this.check('reduce', parseReduceResult, raw);
    if (name === null) return undefined;
    this.checkName('reduce', 'result.name', name);
    return name;
  }

  async realize(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
    return this.withOutDir(ctx, async (outDir) => {
      const params: RealizeParams = { request: req, inputs, outDir, context: wireContext(ctx.context) };
      const raw = await this.call('realize', params, this.realizeMs, ctx.signal, (e) => ctx.events.emit(e));
      const result = this.check('realize', parseRealizeResult, raw);
      result.reductions?.forEach((r, i) => this.checkName('realize', `result.reductions[${i}].toName`, r.toName));
      const resources = await this.resources('realize', outDir, result.outputs, ctx);
      for (const line of result.log ?? []) ctx.log(line);
      for (const r of result.reductions ?? []) ctx.emitReduction(r.toName, r.output);
      return resources;
    });
  }

  /** Tie a knot, if the server announced the `knots` capability (docs/spec/protocol.md). */
  async realizeKnot(members: readonly KnotMember[], ctx: RealizeContext): Promise<readonly Readonly<Record<string, Resource>>[]> {
    return this.withOutDir(ctx, async (outDir) => {
      const params: KnotParams = { members, outDir, context: wireContext(ctx.context) };
      const raw = await this.serial(ctx.signal, async (proc) => {
        if (!this.info?.capabilities?.knots) {
          throw new NomiaError('namespace/contract', `namespace ${this.id} declares that its names tie knots, but it does not implement realizeKnot`, {
            hint: 'the namespace must announce "capabilities": {"knots": true} and answer realizeKnot (docs/spec/protocol.md)',
          });
        }
        proc.eventSink = (e) => ctx.events.emit(e);
        try {
          return await proc.request('realizeKnot', params, this.realizeMs, ctx.signal);
        } finally {
          proc.eventSink = undefined;
        }
      });
      const result = this.check('realizeKnot', parseKnotResult, raw);
      if (result.members.length !== members.length) {
        throw this.protocolError('realizeKnot', `result.members has ${result.members.length} entries for ${members.length} members`);
      }
      const out: Readonly<Record<string, Resource>>[] = [];
      for (const [i, m] of result.members.entries()) out.push(await this.resources('realizeKnot', outDir, m.outputs, ctx, `result.members[${i}].outputs.`));
      for (const line of result.log ?? []) ctx.log(line);
      return out;
    });
  }

  /** Run `f` with a fresh, empty outDir under the store's tmp/, removed afterwards whatever happens. */
  private async withOutDir<T>(ctx: RealizeContext, f: (outDir: string) => Promise<T>): Promise<T> {
    return withWorkDir(ctx.store, (work) => f(work));
  }

  /** The outputs a namespace wrote (objects under outDir, checked, then added to the store by content) as resources. */
  private async resources(method: string, outDir: string, outputs: Readonly<Record<string, WireOutput>>, ctx: RealizeContext, at = ''): Promise<Record<string, Resource>> {
    const objects = new Map<string, string>();
    for (const [port, out] of Object.entries(outputs)) {
      if (out.kind === 'object') objects.set(port, this.outputPath(outDir, `${at}${port}`, out, method));
    }
    const resources: Record<string, Resource> = {};
    for (const [port, out] of Object.entries(outputs)) {
      if (out.kind === 'value') {
        resources[port] = { type: out.type, kind: 'value', value: out.value, name: valueName(out.value) };
      } else {
        const { object } = await addPath(ctx.store, objects.get(port)!, { name: this.objectName(port, out, method) });
        resources[port] = objectResource(ctx.store, object, out.type);
      }
    }
    return resources;
  }

  /** Shut the process down (`shutdown`, then a kill after 2 s). The next request would start a new one. */
  async close(): Promise<void> {
    const p = this.process;
    this.process = undefined;
    await p?.shutdown();
  }

  /** One request, after those before it, on a running and initialized process. */
  private call(method: string, params: unknown, timeoutMs: number, signal?: AbortSignal, events?: (e: NamespaceEvent) => void): Promise<unknown> {
    return this.serial(signal, async (proc) => {
      // A namespace that says nothing for a while is said to be waited for, long before its timeout ends it.
      const started = Date.now();
      let heard = started;
      const quiet = Math.max(100, Math.min(10_000, Math.floor(timeoutMs / 3)));
      const timer = events && setInterval(() => {
        if (Date.now() - heard < quiet) return;
        heard = Date.now();
        events({ kind: 'log', line: `waiting for namespace ${this.id} (${Math.round((heard - started) / 1000)}s; it is stopped after ${Math.round(timeoutMs / 1000)}s)…` });
      }, quiet).unref();
      proc.eventSink = events && ((e) => {
        heard = Date.now();
        events(e);
      });
      try {
        return await proc.request(method, params, timeoutMs, signal);
      } finally {
        if (timer) clearInterval(timer);
        proc.eventSink = undefined;
      }
    });
  }

  /** Run `f` on a running and initialized process, after everything queued before it. */
  private async serial<T>(signal: AbortSignal | undefined, f: (proc: NamespaceProcess) => Promise<T>): Promise<T> {
    const before = this.queue;
    let done!: () => void;
    this.queue = new Promise((r) => (done = r));
    try {
      await waitUnlessAborted(before, signal);
      return await f(await this.running(signal));
    } finally {
      void before.then(done);
    }
  }

  private async running(signal?: AbortSignal): Promise<NamespaceProcess> {
    if (this.process && !this.process.ended) return this.process;
    const proc = new NamespaceProcess({
      id: this.id,
      command: this.options.command,
      ...(this.options.cwd === undefined ? {} : { cwd: this.options.cwd }),
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
    });
    this.process = proc;
    const info = this.check('initialize', parseInitializeResult, await proc.request('initialize', { protocol: PROTOCOL }, this.otherMs, signal));
    if (protocolMajor(info.protocol) !== PROTOCOL_MAJOR) {
      const error = new NomiaError('namespace/protocol', `namespace ${this.id} speaks ${JSON.stringify(info.protocol)}, not ${PROTOCOL}`, {
        hint: 'use a version of the namespace (or of nomia) made for the same protocol version',
      });
      proc.fail(error);
      throw error;
    }
    this.info = info;
    return proc;
  }

  /** Check an answer's shape; a wrong one is a `namespace/protocol` error naming the namespace and the method. */
  private check<T>(method: string, parse: (v: unknown) => T, raw: unknown): T {
    try {
      return parse(raw);
    } catch (e) {
      if (e instanceof ShapeError) throw this.protocolError(method, e.message);
      throw e;
    }
  }

  private checkName(method: string, at: string, name: string): void {
    try {
      parseName(name);
    } catch (e) {
      throw this.protocolError(method, `${at} is not a valid name: ${(e as Error).message}`);
    }
  }

  private protocolError(method: string, what: string): NomiaError {
    return new NomiaError('namespace/protocol', `namespace ${this.id} answered ${method} wrongly: ${what}`, {
      hint: 'the answer does not follow the protocol (docs/spec/protocol.md): report it to the namespace\'s authors',
    });
  }

  /** The absolute path of an object output: it must exist, inside outDir, also after symbolic links. */
  private outputPath(outDir: string, port: string, out: Extract<WireOutput, { kind: 'object' }>, method = 'realize'): string {
    const abs = resolve(outDir, out.path);
    const inside = (p: string, dir: string): boolean => {
      const rel = relative(dir, p);
      return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
    };
    if (!inside(abs, outDir)) throw this.protocolError(method, `output ${port} is at ${out.path}, which is not inside the directory ${outDir} it was given`);
    try {
      lstatSync(abs);
      if (!inside(join(realpathSync(dirname(abs)), 'x'), realpathSync(outDir))) throw new Error('a symbolic link leads out of outDir');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'nothing is there' : (e as Error).message;
      throw this.protocolError(method, `output ${port} is at ${out.path}, but ${why}`);
    }
    return abs;
  }

  /** The store name of an object output: the name it gave, else the output's name, else `out`. */
  private objectName(port: string, out: Extract<WireOutput, { kind: 'object' }>, method = 'realize'): string {
    if (out.name !== undefined) {
      if (!isValidObjectName(out.name)) throw this.protocolError(method, `output ${port} has the object name ${JSON.stringify(out.name)}, which is not a valid object name`);
      return out.name;
    }
    return isValidObjectName(port) ? port : 'out';
  }
}


/** Wait for `p`, or reject with the signal's reason when it aborts first. */
async function waitUnlessAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  signal.throwIfAborted();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
