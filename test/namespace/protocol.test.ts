/**
 * The out-of-process namespace protocol, end to end with real processes and
 * a real store: the Python example `examples/namespaces/upper.py` (written by
 * hand against docs/spec/protocol.md) and the TypeScript server
 * (`serve-fixture.ts`) behind `ExternalNamespace`. Every failure a namespace
 * process can have must end in a NomiaError for that request, never in an
 * exception or unhandled rejection in this process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test, type TestContext } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { ExternalNamespace, type ExternalNamespaceOptions } from '../../src/namespace/protocol/client.js';
import { parseEventParams, parseInitializeResult, parseKnotResult, parseSpellResult } from '../../src/namespace/protocol/messages.js';
import type { AtomRequest, NamespaceEvent, RealizeContext, Resource } from '../../src/namespace/types.js';
import { addPath } from '../../src/store/add.js';
import { removeTree } from '../../src/store/fs-util.js';
import { openStore, realPath, type Store } from '../../src/store/store.js';
import { requireTool } from '../support/tools.js';

const upperPy = fileURLToPath(new URL('../../../examples/namespaces/upper.py', import.meta.url));
const fixture = fileURLToPath(new URL('./serve-fixture.js', import.meta.url));

let tmp = '';
let store: Store;
const open: ExternalNamespace[] = [];
const troubles: unknown[] = [];
const onTrouble = (e: unknown): void => void troubles.push(e);

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nomia-protocol-'));
  store = openStore({ dir: join(tmp, 'home'), fsync: false });
  process.on('unhandledRejection', onTrouble);
  process.on('uncaughtException', onTrouble);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((ns) => ns.close()));
  assert.deepEqual(troubles, [], 'no unhandled rejection or uncaught exception');
});

after(() => {
  process.off('unhandledRejection', onTrouble);
  process.off('uncaughtException', onTrouble);
  store.close();
  removeTree(tmp);
});

function namespace(id: string, command: string[], timeouts?: ExternalNamespaceOptions['timeouts']): ExternalNamespace {
  const ns = new ExternalNamespace({ id, spelling: `external:${id}`, command, ...(timeouts ? { timeouts } : {}) });
  open.push(ns);
  return ns;
}

const upper = (timeouts?: ExternalNamespaceOptions['timeouts']): ExternalNamespace => namespace('upper', ['python3', upperPy], timeouts);
const tsUpper = (): ExternalNamespace => namespace('tsupper', [process.execPath, fixture, '--serve']);

function req(id: string, nameId: string, params: Record<string, string> = {}): AtomRequest {
  return { namespace: { id, params: [] }, nameId, params: Object.entries(params).map(([key, value]) => ({ key, value: { kind: 'String', value } })) };
}

function context(signal = new AbortController().signal): { ctx: RealizeContext; logs: string[]; events: NamespaceEvent[]; reductions: { toName: string; output?: string }[] } {
  const logs: string[] = [];
  const events: NamespaceEvent[] = [];
  const reductions: { toName: string; output?: string }[] = [];
  const sink = (e: NamespaceEvent) => {
    events.push(e);
    if (e.kind === 'log') logs.push(e.line);
  };
  const ctx: RealizeContext = {
    store,
    context: { env: { HOME: '/nowhere' }, cwd: tmp, now: 0, stdin: () => { throw new Error('no stdin in tests'); } },
    signal,
    events: { emit: sink },
    log: (line) => sink({ kind: 'log', line }),
    emitReduction: (toName, output) => reductions.push(output === undefined ? { toName } : { toName, output }),
  };
  return { ctx, logs, events, reductions };
}

async function inputFile(content: string): Promise<Resource> {
  const dir = mkdtempSync(join(tmp, 'in-'));
  writeFileSync(join(dir, 'greeting'), content);
  const { object } = await addPath(store, join(dir, 'greeting'));
  return { type: 'file', kind: 'object', name: `filesystem:by-content?name=greeting&sha256=${object.hash}`, path: realPath(store, object) };
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function code(c: string, ...mentions: (string | RegExp)[]): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof NomiaError, `a NomiaError, got ${String(e)}`);
    assert.equal(e.code, c, e.message);
    for (const m of mentions) assert.match(e.message, typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : m);
    return true;
  };
}

/** No work directories of this process are left in the store's tmp/. */
function assertTmpClean(): void {
  assert.deepEqual(readdirSync(store.layout.tmpDir).filter((e) => e.includes('-ns-')), []);
}

const python = (t: TestContext): boolean => requireTool(t, 'python3', 'python3');

describe('the Python example namespace (upper.py)', () => {
  test('describe gives the signature of each name; an unknown name is a usage error with a hint', async (t) => {
    if (!python(t)) return;
    const ns = upper();
    assert.deepEqual(await ns.describe(req('upper', 'text', { s: 'x' })), { inputs: {}, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false });
    assert.deepEqual(await ns.describe(req('upper', 'file')), { inputs: { in: { type: 'file' } }, outputs: { out: { type: 'file' } }, defaultOutput: 'out', contextual: false });
    await assert.rejects(ns.describe(req('upper', 'nope')), (e: unknown) => {
      assert.ok(e instanceof NomiaError && e.code === 'usage');
      assert.match(e.message, /upper:nope is not a name/);
      assert.match(e.hint ?? '', /text\?s=/);
      return true;
    });
    assert.deepEqual(ns.serverInfo, { protocol: 'nomia-namespace/1', id: 'upper', version: '1.0.0' });
    assert.equal(await ns.reduce(req('upper', 'text', { s: 'x' }), context().ctx.context), undefined);
  });

  test('realize upper:text?s=hello gives the value HELLO, with its log', async (t) => {
    if (!python(t)) return;
    const { ctx, logs } = context();
    const out = await upper().realize(req('upper', 'text', { s: 'hello' }), {}, ctx);
    assert.deepEqual(out, { out: { type: 'value', kind: 'value', value: 'HELLO', name: 'context:value?v=HELLO' } });
    assert.deepEqual(logs, ['upper-casing 5 characters']);
    const quoted = await upper().realize(req('upper', 'text', { s: 'two words' }), {}, ctx);
    assert.equal(quoted['out']?.name, 'context:value?v="TWO WORDS"');
  });

  test('realize upper:file(in) adds the upper-cased file to the store, named by content', async (t) => {
    if (!python(t)) return;
    const { ctx, logs } = context();
    const input = await inputFile('hello, world\n');
    const { out } = await upper().realize(req('upper', 'file'), { in: input }, ctx);
    assert.ok(out?.kind === 'object');
    assert.equal(out.type, 'file');
    assert.match(out.name, /^filesystem:by-content\?name=out&sha256=[0-9a-f]{64}$/);
    assert.ok(out.path.startsWith(`${store.layout.storeDir}/`), out.path);
    assert.equal(readFileSync(out.path, 'utf8'), 'HELLO, WORLD\n');
    assert.deepEqual(logs, ['upper-cased 13 bytes']);
    assertTmpClean();
  });

  test('a missing input is a usage error, an unreadable one realize/failed', async (t) => {
    if (!python(t)) return;
    const ns = upper();
    await assert.rejects(ns.realize(req('upper', 'file'), {}, context().ctx), code('usage', 'upper:file needs a file as its input `in`'));
    const ghost: Resource = { type: 'file', kind: 'object', name: 'x', path: join(tmp, 'no-such-file') };
    await assert.rejects(ns.realize(req('upper', 'file'), { in: ghost }, context().ctx), code('realize/failed', 'upper failed', 'no-such-file'));
    assertTmpClean();
  });

  test('requests in parallel go one at a time and all get their answer', async (t) => {
    if (!python(t)) return;
    const ns = upper();
    const words = ['a', 'b', 'c', 'd', 'e'];
    const outs = await Promise.all(words.map((s) => ns.realize(req('upper', 'text', { s }), {}, context().ctx)));
    assert.deepEqual(outs.map((o) => (o['out']?.kind === 'value' ? o['out'].value : undefined)), ['A', 'B', 'C', 'D', 'E']);
  });

  test('upper:crash is namespace/crashed with the status and stderr; the same and a new namespace work after it', async (t) => {
    if (!python(t)) return;
    const ns = upper();
    await assert.rejects(ns.realize(req('upper', 'crash'), {}, context().ctx), code('namespace/crashed', 'namespace upper', 'status 3', 'crashing on purpose'));
    assertTmpClean();
    const again = await ns.realize(req('upper', 'text', { s: 'still' }), {}, context().ctx);
    assert.equal(again['out']?.kind === 'value' && again['out'].value, 'STILL');
    const fresh = await upper().realize(req('upper', 'text', { s: 'fresh' }), {}, context().ctx);
    assert.equal(fresh['out']?.kind === 'value' && fresh['out'].value, 'FRESH');
  });

  test('upper:hang past the timeout is namespace/timeout and the process is gone', async (t) => {
    if (!python(t)) return;
    const ns = upper({ realize: 1000 });
    await ns.describe(req('upper', 'hang'));
    const pid = ns.pid;
    assert.ok(pid !== undefined);
    const started = Date.now();
    await assert.rejects(ns.realize(req('upper', 'hang'), {}, context().ctx), code('namespace/timeout', 'namespace upper', 'realize', '1 s'));
    assert.ok(Date.now() - started < 4000);
    assert.ok(isGone(pid), `process ${pid} is gone`);
    assert.equal(ns.pid, undefined);
    assert.deepEqual(await ns.describe(req('upper', 'file')), { inputs: { in: { type: 'file' } }, outputs: { out: { type: 'file' } }, defaultOutput: 'out', contextual: false });
  });

  test('a namespace that is silent for a third of its timeout is said to be waited for, before the timeout', async (t) => {
    if (!python(t)) return;
    const ns = upper({ realize: 1500 });
    const { ctx, events } = context();
    await assert.rejects(ns.realize(req('upper', 'hang'), {}, ctx), code('namespace/timeout'));
    const waiting = events.filter((e) => e.kind === 'log' && e.line.startsWith('waiting for namespace upper ('));
    assert.ok(waiting.length >= 1, JSON.stringify(events));
    assert.match((waiting[0] as { line: string }).line, /it is stopped after 2s\)…$/);
  });

  test('cancelling through ctx.signal kills the process and rejects with the reason', async (t) => {
    if (!python(t)) return;
    const ns = upper();
    await ns.describe(req('upper', 'hang'));
    const pid = ns.pid!;
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('the user pressed ^C')), 200);
    await assert.rejects(ns.realize(req('upper', 'hang'), {}, context(abort.signal).ctx), /the user pressed \^C/);
    assert.ok(isGone(pid));
    const aborted = AbortSignal.abort(new Error('already cancelled'));
    await assert.rejects(ns.realize(req('upper', 'text', { s: 'x' }), {}, context(aborted).ctx), /already cancelled/);
  });

  test('upper:garbage is namespace/protocol saying what is wrong', async (t) => {
    if (!python(t)) return;
    const ns = upper();
    await assert.rejects(ns.realize(req('upper', 'garbage'), {}, context().ctx), code('namespace/protocol', 'namespace upper', 'realize', 'result.outputs.out.type'));
    const ok = await ns.realize(req('upper', 'text', { s: 'ok' }), {}, context().ctx);
    assert.equal(ok['out']?.kind === 'value' && ok['out'].value, 'OK');
  });

  test('close() shuts the process down', async (t) => {
    if (!python(t)) return;
    const ns = upper();
    await ns.describe(req('upper', 'text', { s: 'x' }));
    const pid = ns.pid!;
    const started = Date.now();
    await ns.close();
    assert.ok(Date.now() - started < 1900, 'exited on shutdown, before the kill after 2 s');
    assert.ok(isGone(pid));
  });
});

describe('processes that do not follow the protocol', () => {
  /** A node script answering each method with a fixed result (JS source text); initialize as a good server would. */
  const scripted = (results: Record<string, string>): string => `const R={initialize:{protocol:'nomia-namespace/1'},${
    Object.entries(results).map(([k, v]) => `${k}:${v}`).join(',')}};let b='';process.stdin.on('data',d=>{b+=d;for(;;){`
    + `const i=b.indexOf('\\r\\n\\r\\n');if(i<0)return;const n=+/Content-Length: (\\d+)/.exec(b)[1];if(b.length<i+4+n)return;`
    + `const m=JSON.parse(b.slice(i+4,i+4+n));b=b.slice(i+4+n);`
    + `const r=JSON.stringify({jsonrpc:'2.0',id:m.id,result:m.method in R?R[m.method]:null});`
    + `process.stdout.write('Content-Length: '+Buffer.byteLength(r)+'\\r\\n\\r\\n'+r)}})`;
  const answerInitialize = (result: string): string => scripted({ initialize: result });

  test('a command that does not exist is namespace/crashed saying it could not start', async () => {
    await assert.rejects(namespace('ghost', ['/nonexistent/nomia-namespace']).describe(req('ghost', 'x')), code('namespace/crashed', 'namespace ghost', 'could not be started'));
  });

  test('a process that exits at once is namespace/crashed', async () => {
    await assert.rejects(namespace('quitter', [process.execPath, '-e', 'console.error("no thanks"); process.exit(7)']).describe(req('quitter', 'x')),
      code('namespace/crashed', 'status 7', 'no thanks'));
  });

  test('unframed garbage on stdout is namespace/protocol at once, not a timeout', async () => {
    const started = Date.now();
    await assert.rejects(namespace('noisy', [process.execPath, '-e', 'process.stdout.write("Content-Length: 2\\r\\n\\r\\n{]"); setInterval(() => {}, 1000)']).describe(req('noisy', 'x')),
      code('namespace/protocol', 'namespace noisy', 'not a framed JSON-RPC message'));
    assert.ok(Date.now() - started < 5000);
  });

  test('another major version of the protocol is refused', async () => {
    await assert.rejects(namespace('future', [process.execPath, '-e', answerInitialize(`{protocol:'nomia-namespace/2'}`)]).describe(req('future', 'x')),
      code('namespace/protocol', 'namespace future', 'nomia-namespace/2'));
  });

  test('an initialize answer of the wrong shape is namespace/protocol', async () => {
    await assert.rejects(namespace('odd', [process.execPath, '-e', answerInitialize('[1,2]')]).describe(req('odd', 'x')),
      code('namespace/protocol', 'namespace odd', 'initialize', 'result should be an object'));
  });

  test('object outputs outside outDir or missing, and invalid names, are namespace/protocol', async () => {
    const cases: [string, string, string][] = [
      ['realize', `{outputs:{out:{type:'file',kind:'object',path:'/etc/passwd'}}}`, 'not inside the directory'],
      ['realize', `{outputs:{out:{type:'file',kind:'object',path:'../x'}}}`, 'not inside the directory'],
      ['realize', `{outputs:{out:{type:'file',kind:'object',path:'missing'}}}`, 'nothing is there'],
      ['realize', `{outputs:{out:{type:'value',kind:'value',value:'v'}},reductions:[{toName:'not a (name'}]}`, 'result.reductions[0].toName is not a valid name'],
      ['reduce', `{name:'((('}`, 'result.name is not a valid name'],
      ['describe', `{inputs:{},outputs:{out:{type:'value'}},defaultOutput:'other',contextual:false}`, 'result.defaultOutput should be one of the outputs'],
    ];
    for (const [method, result, says] of cases) {
      const ns = namespace('liar', [process.execPath, '-e', scripted({ [method]: result })]);
      const { ctx, reductions } = context();
      const call = method === 'realize' ? ns.realize(req('liar', 'x'), {}, ctx) : method === 'reduce' ? ns.reduce(req('liar', 'x'), ctx.context) : ns.describe(req('liar', 'x'));
      await assert.rejects(call, code('namespace/protocol', 'namespace liar', method, says));
      assert.deepEqual(reductions, []);
    }
    assertTmpClean();
  });

  test('a process killed while idle is restarted by the next request', async () => {
    const ns = tsUpper();
    await ns.describe(req('tsupper', 'text'));
    const pid = ns.pid!;
    process.kill(pid, 'SIGKILL');
    while (ns.pid !== undefined) await new Promise((r) => setTimeout(r, 10));
    const out = await ns.realize(req('tsupper', 'text', { s: 'again' }), {}, context().ctx);
    assert.equal(out['out']?.kind === 'value' && out['out'].value, 'AGAIN');
    assert.notEqual(ns.pid, pid);
  });

  test('a silent process is namespace/timeout', async () => {
    await assert.rejects(namespace('mute', [process.execPath, '-e', 'setInterval(() => {}, 1000)'], { other: 500 }).describe(req('mute', 'x')),
      code('namespace/timeout', 'namespace mute', 'initialize'));
  });
});

describe('the TypeScript server (server.ts) behind the client', () => {
  test('describe, reduce and an error with its hint', async () => {
    const ns = tsUpper();
    assert.deepEqual(await ns.describe(req('tsupper', 'file')), { inputs: { in: { type: 'file' } }, outputs: { out: { type: 'file' } }, defaultOutput: 'out', contextual: false });
    assert.equal(await ns.reduce(req('tsupper', 'text', { s: 'hi there' }), context().ctx.context), 'context:value?v="HI THERE"');
    assert.equal(await ns.reduce(req('tsupper', 'file'), context().ctx.context), undefined);
    await assert.rejects(ns.describe(req('tsupper', 'nope')), (e: unknown) => {
      assert.ok(e instanceof NomiaError && e.code === 'usage');
      assert.equal(e.message, 'tsupper:nope is not a name of this namespace');
      assert.equal(e.hint, 'tsupper has text, file, count and fail');
      return true;
    });
    assert.deepEqual(ns.serverInfo, { protocol: 'nomia-namespace/1', id: 'tsupper', version: '0.0.1', capabilities: { spell: false, knots: false } });
  });

  test('realize: a value with its log and reduction, an object copied into the store, a failure', async () => {
    const ns = tsUpper();
    const { ctx, logs, reductions } = context();
    assert.deepEqual(await ns.realize(req('tsupper', 'text', { s: 'hey' }), {}, ctx), { out: { type: 'value', kind: 'value', value: 'HEY', name: 'context:value?v=HEY' } });
    assert.deepEqual(logs, ['upper-casing 3 characters']);
    assert.deepEqual(reductions, [{ toName: 'context:value?v=HEY' }]);
    const { out } = await ns.realize(req('tsupper', 'file'), { in: await inputFile('quiet please\n') }, ctx);
    assert.ok(out?.kind === 'object');
    assert.match(out.name, /^filesystem:by-content\?name=shout&sha256=[0-9a-f]{64}$/);
    assert.ok(out.path.startsWith(`${store.layout.storeDir}/`));
    assert.equal(readFileSync(out.path, 'utf8'), 'QUIET PLEASE\n');
    await assert.rejects(ns.realize(req('tsupper', 'fail'), {}, ctx), (e: unknown) => e instanceof NomiaError && e.code === 'realize/failed' && e.message === 'tsupper:fail fails on purpose' && e.hint === 'do not call it');
    assertTmpClean();
  });

  test('typed events cross the wire: progress as `event` notifications, log lines as `log`, in order', async () => {
    const ns = tsUpper();
    const { ctx, events } = context();
    assert.deepEqual(await ns.realize(req('tsupper', 'count', { n: '4' }), {}, ctx), { out: { type: 'value', kind: 'value', value: '4', name: 'context:value?v=4' } });
    assert.deepEqual(events, [
      ...[1, 2, 3, 4].map((done) => ({ kind: 'progress', done, total: 4, unit: 'steps' })),
      { kind: 'log', line: 'counted to 4' },
    ]);
  });

  test('a server without the spell capability is never asked to spell', async () => {
    const ns = tsUpper();
    assert.equal(await ns.spell(req('tsupper', 'text', { s: 'x' }), {}), undefined);
    assert.equal(ns.serverInfo?.capabilities?.spell, false);
  });
});

describe('shapes of the additions to nomia-namespace/1', () => {
  test('spell results: null, canonical params, canonical text; anything else is a shape error naming the field', () => {
    assert.deepEqual(parseSpellResult({ spelling: null }), { spelling: null });
    const params = [{ key: 'args', value: { kind: 'List', items: [{ kind: 'String', value: 'x' }, { kind: 'InputRef', input: 'in' }] } }];
    assert.deepEqual(parseSpellResult({ spelling: { params } }), { spelling: { params } });
    assert.deepEqual(parseSpellResult({ spelling: { text: 'canonical' } }), { spelling: { text: 'canonical' } });
    assert.throws(() => parseSpellResult({ spelling: 'x' }), /result\.spelling should be an object/);
    assert.throws(() => parseSpellResult({ spelling: { text: 3 } }), /result\.spelling\.text should be a string/);
    assert.throws(() => parseSpellResult({ spelling: { params: [{ key: 'k', value: { kind: 'Number', value: 1 } }] } }), /result\.spelling\.params\[0\]\.value\.kind should be/);
    assert.throws(() => parseSpellResult({}), /result\.spelling should be an object/);
  });

  test('event notifications: progress and log; anything else is dropped', () => {
    assert.deepEqual(parseEventParams({ kind: 'progress', done: 3, total: 10, unit: 'files' }), { kind: 'progress', done: 3, total: 10, unit: 'files' });
    assert.deepEqual(parseEventParams({ kind: 'progress', done: 0 }), { kind: 'progress', done: 0 });
    assert.deepEqual(parseEventParams({ kind: 'log', line: 'x' }), { kind: 'log', line: 'x' });
    for (const bad of [{ kind: 'progress', done: -1 }, { kind: 'progress', done: 1, total: 'all' }, { kind: 'progress' }, { kind: 'log' }, { kind: 'future-kind' }, null, 'x']) {
      assert.equal(parseEventParams(bad), undefined, JSON.stringify(bad));
    }
  });

  test('realizeKnot results: one entry of outputs per member; a wrong shape names the field', () => {
    assert.deepEqual(parseKnotResult({ members: [{ outputs: { out: { type: 'value', kind: 'value', value: 'a' } } }] }),
      { members: [{ outputs: { out: { type: 'value', kind: 'value', value: 'a' } } }] });
    assert.throws(() => parseKnotResult({ members: [{ outputs: { out: { type: 'value', kind: 'thing' } } }] }), /result\.members\[0\]\.outputs\.out\.kind should be/);
    assert.throws(() => parseKnotResult({ outputs: {} }), /result\.members should be an array/);
  });

  test('initialize: capabilities are optional; a wrong one is a shape error', () => {
    assert.deepEqual(parseInitializeResult({ protocol: 'nomia-namespace/1' }), { protocol: 'nomia-namespace/1' });
    assert.deepEqual(parseInitializeResult({ protocol: 'nomia-namespace/1', capabilities: { spell: true, later: 1 } }), { protocol: 'nomia-namespace/1', capabilities: { spell: true } });
    assert.deepEqual(parseInitializeResult({ protocol: 'nomia-namespace/1', capabilities: { knots: true } }), { protocol: 'nomia-namespace/1', capabilities: { knots: true } });
    assert.throws(() => parseInitializeResult({ protocol: 'nomia-namespace/1', capabilities: { spell: 'yes' } }), /result\.capabilities\.spell should be true, false or absent/);
  });
});
