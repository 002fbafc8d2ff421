/**
 * `serveNamespace`: expose an in-process `Namespace` over `nomia-namespace/1`
 * (docs/spec/protocol.md), e.g. on `process.stdin`/`process.stdout`, so a
 * namespace written in TypeScript can run as a separate process, and the
 * client can be tested against the same implementation the engine calls
 * directly.
 *
 * Objects the namespace realizes into its store are copied into the
 * engine's outDir (the engine adds them to its own store by content), so
 * the server needs a store of its own: the one given, or a temporary one.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { NomiaError } from '../../errors.js';
import { openStore, parseObjectPath, removeTree, type Store } from '../store-api.js';
import type { Spelling } from '../../graph/spell.js';
import type { EventSink, Namespace, RealizeContext, Resource, RunContext } from '../types.js';
import {
  protocolMajor, PROTOCOL, PROTOCOL_MAJOR, RpcErrors, type InitializeParams, type InitializeResult, type KnotParams, type KnotResult, type RealizeParams,
  type RealizeResult, type ReduceParams, type ReduceResult, type SpellParams, type SpellResult, type WireContext, type WireOutput,
  type WireReduction, type ErrorData,
} from './messages.js';

export interface ServeOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** The store the namespace realizes into; default: a temporary one, removed when serving ends. */
  readonly store?: Store;
  /** Reported in `initialize`. */
  readonly version?: string;
}

/** Serve `ns` until the client sends `shutdown` or closes the input. */
export function serveNamespace(ns: Namespace, options: ServeOptions): Promise<void> {
  const connection = createMessageConnection(new StreamMessageReader(options.input), new StreamMessageWriter(options.output));
  const running = new AbortController();
  let ownStore: { store: Store; dir: string } | undefined;
  const store = (): Store => {
    if (options.store) return options.store;
    if (!ownStore) {
      const dir = mkdtempSync(join(tmpdir(), `nomia-ns-${ns.id}-`));
      ownStore = { store: openStore({ dir, fsync: false }), dir };
    }
    return ownStore.store;
  };

  connection.onRequest('initialize', (p: InitializeParams): InitializeResult => {
    if (protocolMajor(String(p?.protocol)) !== PROTOCOL_MAJOR) {
      throw new ResponseError(RpcErrors.InvalidParams, `this namespace speaks ${PROTOCOL}, not ${JSON.stringify(p?.protocol)}`);
    }
    return {
      protocol: PROTOCOL, id: ns.id, ...(options.version === undefined ? {} : { version: options.version }),
      capabilities: { spell: ns.spell !== undefined, knots: ns.realizeKnot !== undefined },
    };
  });
  connection.onRequest('spell', (p: SpellParams) => answer(async (): Promise<SpellResult> => {
    if (!ns.spell) throw new ResponseError(RpcErrors.MethodNotFound, `namespace ${ns.id} does not spell its names`);
    // Spellings arrive as text: they are the engine's, only handed back to the namespace that asked.
    return { spelling: (await ns.spell(p.request, p.inputs as Readonly<Record<string, Spelling>>)) ?? null };
  }));
  connection.onRequest('describe', (req) => answer(() => ns.describe(req)));
  connection.onRequest('reduce', (p: ReduceParams) => answer(async (): Promise<ReduceResult> => {
    if (!ns.reduce) throw new ResponseError(RpcErrors.MethodNotFound, `namespace ${ns.id} does not reduce`);
    return { name: (await ns.reduce(p.request, runContext(p.context))) ?? null };
  }));
  // Log lines go as `log` notifications, which every client of major 1 knows; other events as `event`.
  const events: EventSink = {
    emit: (e) => void (e.kind === 'log' ? connection.sendNotification('log', { line: e.line }) : connection.sendNotification('event', e)).catch(() => undefined),
  };
  const realizeContext = (context: WireContext, emitReduction: RealizeContext['emitReduction']): RealizeContext => ({
    store: store(), context: runContext(context), signal: running.signal, events, log: (line) => events.emit({ kind: 'log', line }), emitReduction,
  });
  connection.onRequest('realize', (p: RealizeParams) => answer(async (): Promise<RealizeResult> => {
    const reductions: WireReduction[] = [];
    const ctx = realizeContext(p.context, (toName, output) => reductions.push(output === undefined ? { toName } : { toName, output }));
    const outputs = wireOutputs(await ns.realize(p.request, p.inputs, ctx), p.outDir, '');
    return { outputs, ...(reductions.length ? { reductions } : {}) };
  }));
  connection.onRequest('realizeKnot', (p: KnotParams) => answer(async (): Promise<KnotResult> => {
    if (!ns.realizeKnot) throw new ResponseError(RpcErrors.MethodNotFound, `namespace ${ns.id} does not tie knots`);
    const ctx = realizeContext(p.context, () => {
      throw new NomiaError('namespace/contract', `namespace ${ns.id} emitted a reduction while tying a knot; only its members' outputs are recorded`);
    });
    const results = await ns.realizeKnot(p.members, ctx);
    // Each member's objects under a prefix of their own, so that equal port names do not collide.
    return { members: results.map((resources, i) => ({ outputs: wireOutputs(resources, p.outDir, `${i}-`) })) };
  }));

  return new Promise((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      running.abort(new NomiaError('namespace/crashed', `namespace ${ns.id} is shutting down`));
      if (ownStore) {
        ownStore.store.close();
        removeTree(ownStore.dir);
      }
      connection.dispose();
      resolve();
    };
    connection.onRequest('shutdown', () => {
      // Answer first; end once the answer is on its way.
      setImmediate(finish);
      return null;
    });
    connection.onClose(finish);
    connection.listen();
  });
}

function runContext(c: WireContext): RunContext {
  return {
    env: c.env,
    cwd: c.cwd,
    now: c.now,
    stdin: () => {
      throw new NomiaError('usage', 'standard input is not available to a namespace behind the protocol');
    },
  };
}

/** Resources as sent: values as they are, objects copied under outDir with the name they have in this store. */
function wireOutputs(resources: Readonly<Record<string, Resource>>, outDir: string, prefix: string): Record<string, WireOutput> {
  const outputs: Record<string, WireOutput> = {};
  for (const [port, r] of Object.entries(resources)) {
    if (r.kind === 'value') {
      outputs[port] = { type: r.type, kind: 'value', value: r.value };
    } else {
      const dest = join(outDir, `${prefix}${port}`);
      cpSync(r.path, dest, { recursive: true, verbatimSymlinks: true });
      const name = parseObjectPath(basename(r.path))?.name;
      outputs[port] = { type: r.type, kind: 'object', path: dest, ...(name === undefined ? {} : { name }) };
    }
  }
  return outputs;
}

/** Run a handler; a `NomiaError` becomes a JSON-RPC error with its message, and its code, hint and trace in `data`. */
async function answer<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    const hint = e instanceof NomiaError ? e.hint : undefined;
    const code = e instanceof NomiaError && e.code === 'usage' ? RpcErrors.InvalidParams : RpcErrors.Failed;
    const data: ErrorData = {
      ...(e instanceof NomiaError ? { code: e.code } : {}),
      ...(hint === undefined ? {} : { hint }),
      ...(e instanceof NomiaError && e.trace.length ? { trace: e.trace } : {}),
    };
    throw new ResponseError(code, e instanceof Error ? e.message : String(e), data);
  }
}
