/**
 * The Namespace contract, run against built-in namespaces directly and
 * behind the JSON-RPC wrapper (STYLE rule 5: out-of-process is just another
 * implementation). Both must describe alike, fail alike, and realize to the
 * same refined names.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EngineEvent } from '../../src/engine/events.js';
import { realize } from '../../src/engine/realize.js';
import { NomiaError } from '../../src/errors.js';
import type { Spelling } from '../../src/graph/spell.js';
import type { GraphParam } from '../../src/graph/types.js';
import { ExternalNamespace } from '../../src/namespace/protocol/client.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { AtomRequest, Namespace, RealizeContext, Resource } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { byContentName } from '../../src/resource/names.js';
import { addPath } from '../../src/store/add.js';
import { hashPath } from '../../src/store/nar.js';
import { openStore, realPath, type Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { Repo } from '../support/git-repos.js';

const fixture = fileURLToPath(new URL('./serve-builtin.js', import.meta.url));
const store = openStore({ dir: join(tempDir('contract'), 'store') });
const wrapped: ExternalNamespace[] = [];
after(async () => {
  await Promise.all(wrapped.map((w) => w.close()));
  store.close();
});

function implementations(id: string): [string, Namespace][] {
  const direct = builtinNamespaces.find((n) => n.id === id)!;
  const viaRpc = new ExternalNamespace({ id, spelling: direct.spelling, command: [process.execPath, fixture, '--serve', id] });
  wrapped.push(viaRpc);
  return [['direct', direct], ['behind JSON-RPC', viaRpc]];
}

const str = (key: string, value: string): GraphParam => ({ key, value: { kind: 'String', value } });
const req = (ns: string, nameId: string, params: GraphParam[] = []): AtomRequest => ({ namespace: { id: ns, params: [] }, nameId, params });

function ctx(): RealizeContext {
  return {
    store, signal: new AbortController().signal,
    context: { env: { PATH: process.env['PATH'] ?? '', GREETING: 'hello' }, cwd: '/', now: Date.UTC(2026, 10, 25, 12), stdin: () => process.stdin },
    events: { emit: () => undefined }, log: () => undefined, emitReduction: () => undefined,
  };
}

async function realizeBoth(id: string, request: AtomRequest, inputs: Record<string, Resource> = {}): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const [, ns] of implementations(id)) out.push((await ns.realize(request, inputs, ctx()))['out']!);
  return out;
}

describe('the namespace contract, direct and behind JSON-RPC', () => {
  for (const id of ['context', 'text', 'exec']) {
    test(`${id}: an unknown name is a usage error either way`, async () => {
      for (const [how, ns] of implementations(id)) {
        await assert.rejects(Promise.resolve().then(() => ns.describe(req(id, 'no-such-name'))), (e: unknown) => {
          assert.ok(e instanceof NomiaError, `${how}: ${String(e)}`);
          assert.equal(e.code, 'usage', how);
          assert.match(e.message, /is not a name of this namespace/, how);
          return true;
        });
      }
    });
  }

  test('context: the same signatures and the same values', async () => {
    const sigs = await Promise.all(implementations('context').map(([, ns]) => ns.describe(req('context', 'env', [str('var', 'GREETING')]))));
    assert.deepEqual(sigs[0], sigs[1]);
    assert.equal(sigs[0]!.contextual, true);
    const env = await realizeBoth('context', req('context', 'env', [str('var', 'GREETING')]));
    assert.deepEqual(env[0], env[1]);
    assert.equal(env[0]!.name, 'context:value?v=hello');
    const time = await realizeBoth('context', req('context', 'time', [str('granularity', 'day')]));
    assert.deepEqual(time.map((r) => (r as { value: string }).value), ['2026-11-25', '2026-11-25'], 'the run context crosses the wire');
  });

  test('text: the same digest of the same inputs', async () => {
    const inputs: Record<string, Resource> = {
      a: { kind: 'value', type: 'value', value: 'one', name: 'context:value?v=one' },
      b: { kind: 'value', type: 'value', value: 'two', name: 'context:value?v=two' },
    };
    const [direct, rpc] = await realizeBoth('text', req('text', 'digest', [str('k', 'v')]), inputs);
    assert.deepEqual(direct, rpc);
    assert.match(direct!.name, /^context:value\?v=[0-9a-f]{64}$/);
  });

  test('exec: an object output gets the same content name either way', async () => {
    const args: GraphParam = { key: 'args', value: { kind: 'List', items: [{ kind: 'String', value: 'sh' }, { kind: 'String', value: '-c' }, { kind: 'String', value: 'echo made > $out' }] } };
    const [direct, rpc] = await realizeBoth('exec', req('exec', 'run', [args]));
    assert.equal(direct!.name, rpc!.name);
    assert.match(direct!.name, /^filesystem:by-content\?name=out&sha256=/);
    for (const r of [direct!, rpc!]) assert.equal(readFileSync((r as { path: string }).path, 'utf8'), 'made\n');
  });

  test('filesystem: a missing object is store/not-found either way (an error keeps its code across the protocol)', async () => {
    // Regression: behind JSON-RPC every failure but a usage error arrived as realize/failed.
    const missing = req('filesystem', 'by-content', [str('sha256', 'cd'.repeat(32))]);
    for (const [how, ns] of implementations('filesystem')) {
      await assert.rejects(ns.realize(missing, {}, ctx()), (e: unknown) => {
        assert.ok(e instanceof NomiaError, how);
        assert.equal(e.code, 'store/not-found', how);
        assert.match(e.message, /no object with sha256 cdcd/, how);
        return true;
      });
    }
  });

  test('exec: a failing command fails either way, with its status', async () => {
    const args: GraphParam = { key: 'args', value: { kind: 'List', items: [{ kind: 'String', value: 'sh' }, { kind: 'String', value: '-c' }, { kind: 'String', value: 'exit 4' }] } };
    for (const [how, ns] of implementations('exec')) {
      await assert.rejects(ns.realize(req('exec', 'run', [args]), {}, ctx()), (e: unknown) => {
        assert.ok(e instanceof NomiaError, how);
        assert.equal(e.code, 'realize/failed', how);
        assert.match(e.message, /exit status 4/, how);
        return true;
      });
    }
  });
});

describe('a namespace that spells its names itself, direct and behind JSON-RPC', () => {
  const args = (script: string): GraphParam => ({ key: 'args', value: { kind: 'List', items: [{ kind: 'String', value: 'sh' }, { kind: 'String', value: '-c' }, { kind: 'String', value: script }] } });
  const input = 'nomia1-0000000000000000000000000000000000000000000000000000' as Spelling;

  test('exec: spell answers the name without its label, and the same either way', async () => {
    for (const [how, ns] of implementations('exec')) {
      const spell = (params: GraphParam[]) => Promise.resolve(ns.spell!(req('exec', 'run', params), { in: input }));
      assert.deepEqual(await spell([args('echo a > $out'), str('label', 'first'), str('name', 'x')]), { params: [args('echo a > $out'), str('name', 'x')] }, how);
      assert.equal(await spell([args('echo a > $out')]), undefined, `${how}: without a label, the default spelling`);
    }
  });

  /** Realize `text` on a fresh store with exec as `ns`; the events it emitted. */
  async function realizeWith(ns: Namespace, s: Store, text: string): Promise<{ value: string; events: EngineEvent[] }> {
    const registry = createRegistry([...builtinNamespaces.filter((b) => b.id !== 'exec'), ns], []);
    const events: EngineEvent[] = [];
    const { roots } = await realize(text, { store: s, registry, context: ctx().context, onEvent: (e) => events.push(e) });
    const r = roots[0]!;
    return { value: r.kind === 'object' ? readFileSync(r.path, 'utf8') : r.value, events };
  }

  for (const [how, ns] of implementations('exec')) {
    test(`exec (${how}): names that differ only in their label share results, and so does everything they feed`, async () => {
      const s = openStore({ dir: join(tempDir('spell-override'), 'store'), fsync: false });
      try {
        const run = (label: string) => `exec:run?label="${label}"&args=[sh, -c, "echo $$ > $out"]`;
        const first = await realizeWith(ns, s, run('write the pid'));
        assert.equal(first.events.filter((e) => e.kind === 'realizing').length, 1);
        const relabelled = await realizeWith(ns, s, run('another label'));
        assert.equal(relabelled.value, first.value, 'the same output: the command did not run again');
        assert.deepEqual(relabelled.events.filter((e) => e.kind === 'realizing'), []);
        assert.equal(relabelled.events.filter((e) => e.kind === 'cache-hit').length, 1);
        // Downstream: the parent is spelled from the child's own spelling, so it is found without touching the child.
        const parent = (label: string) => `text:digest(x: ${run(label)})`;
        const p1 = await realizeWith(ns, s, parent('one'));
        const p2 = await realizeWith(ns, s, parent('two'));
        assert.equal(p2.value, p1.value);
        const hits = p2.events.filter((e) => e.kind === 'cache-hit') as Extract<EngineEvent, { kind: 'cache-hit' }>[];
        assert.deepEqual(hits.map((h) => h.label), ['text:digest'], 'one lookup: the parent');
        assert.deepEqual(p2.events.filter((e) => e.kind === 'realizing'), []);
        // Without a label it is the same name too (the canonical form), and a different command is another name.
        const bare = await realizeWith(ns, s, 'exec:run?args=[sh, -c, "echo $$ > $out"]');
        assert.equal(bare.value, first.value);
        assert.deepEqual(bare.events.filter((e) => e.kind === 'realizing'), []);
        const other = await realizeWith(ns, s, 'exec:run?label="write the pid"&args=[sh, -c, "echo other > $out"]');
        assert.equal(other.value, 'other\n');
      } finally {
        s.close();
      }
    });
  }
});

describe('the contract for the namespaces that make store objects, direct and behind JSON-RPC', () => {
  const dir = tempDir('contract-objects');
  const http = createServer((q, res) => {
    if (q.url === '/hello.txt') res.end('hello over http\n');
    else res.writeHead(404).end('no such file');
  });
  let base = '';
  before(async () => {
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(() => {
    http.closeAllConnections();
    http.close();
  });

  /** Realize `request` both ways; both must give the same refined name and type, whose content is there. */
  async function agree(id: string, request: AtomRequest, inputs: Record<string, Resource> = {}, cwd = dir): Promise<Resource> {
    const outs: Resource[] = [];
    for (const [how, ns] of implementations(id)) {
      const c = ctx();
      const r = (await ns.realize(request, inputs, { ...c, context: { ...c.context, cwd } }))['out'];
      assert.ok(r, how);
      outs.push(r);
    }
    const [direct, rpc] = outs as [Resource, Resource];
    assert.equal(rpc.name, direct.name, 'the same refined name');
    assert.equal(rpc.type, direct.type, 'the same type');
    assert.match(direct.name, /^filesystem:by-content\?name=[^&]+&sha256=[0-9a-f]{64}$/);
    for (const r of outs) assert.equal((await hashPath((r as { path: string }).path)).hash, /sha256=([0-9a-f]{64})$/.exec(direct.name)![1]);
    return direct;
  }

  /** An object input as the engine hands it over: a path in the store. */
  async function objectInput(path: string, type: string): Promise<Resource> {
    const { object } = await addPath(store, path, { name: basename(path) });
    return { kind: 'object', type, name: byContentName(object), path: realPath(store, object) };
  }

  test('filesystem: import gives the same by-content name', async () => {
    writeFileSync(join(dir, 'greeting'), 'hello\n');
    await agree('filesystem', req('filesystem', 'import', [str('path', './greeting')]));
  });

  test('unpack: a tar archive unpacks to the same tree', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'sub', 'a'), 'a\n');
    execFileSync('tar', ['-cf', join(dir, 'tree.tar'), '-C', dir, 'tree']);
    const r = await agree('unpack', req('unpack', 'tar'), { '0': await objectInput(join(dir, 'tree.tar'), 'file') });
    assert.equal(r.type, 'dir');
  });

  test('filter-source: the same files are kept', async () => {
    const src = join(dir, 'src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, '.gitignore'), '*.o\n');
    writeFileSync(join(src, 'main.c'), 'int main;\n');
    writeFileSync(join(src, 'main.o'), 'object\n');
    await agree('filter-source', req('filter-source', 'by-gitignore'), { '0': await objectInput(src, 'dir') });
  });

  test('fetch: a download checked against its hash is the same object', async () => {
    const sha = createHash('sha256').update('hello over http\n').digest('hex');
    await agree('fetch', req('fetch', 'url', [str('url', `${base}/hello.txt`), str('sha256', sha)]));
  });

  test('fetch: a hash mismatch is the same error either way', async () => {
    for (const [how, ns] of implementations('fetch')) {
      await assert.rejects(ns.realize(req('fetch', 'url', [str('url', `${base}/hello.txt`), str('sha256', 'ab'.repeat(32))]), {}, ctx()), (e: unknown) => {
        assert.ok(e instanceof NomiaError, how);
        assert.equal(e.code, 'fetch/hash-mismatch', how);
        return true;
      });
    }
  });

  test('git: an exact fetch of a local repository is the same tree', async () => {
    const repo = Repo.init(join(dir, 'repo'));
    const rev = repo.commit('first', { 'README': 'read me\n', 'bin/run': { exe: '#!/bin/sh\n' } });
    const r = await agree('git', req('git', 'exact-fetch', [str('repo', repo.dir), str('rev', rev)]));
    assert.equal(r.type, 'dir');
  });
});

/** The JSON-RPC messages in a recorded byte stream (`Content-Length` framing), with what changes from run to run replaced. */
function messages(bytes: Buffer, volatile: readonly [RegExp, string][]): unknown[] {
  const out: unknown[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    const length = Number(/Content-Length: (\d+)/i.exec(bytes.subarray(at, end).toString())![1]);
    let text = bytes.subarray(end + 4, end + 4 + length).toString();
    for (const [re, by] of volatile) text = text.replace(re, by);
    out.push(JSON.parse(text));
    at = end + 4 + length;
  }
  return out;
}

describe('protocol messages (golden files, regenerate with NOMIA_TEST_ACCEPT=1)', () => {
  const recorder = fileURLToPath(new URL('./wire-recorder.js', import.meta.url));
  const cases: [string, string, AtomRequest][] = [
    ['context-env', 'context', req('context', 'env', [str('var', 'GREETING')])],
    ['exec-run', 'exec', req('exec', 'run', [{ key: 'args', value: { kind: 'List', items: [{ kind: 'String', value: 'sh' }, { kind: 'String', value: '-c' }, { kind: 'String', value: 'echo made > $out' }] } }])],
    ['filesystem-missing', 'filesystem', req('filesystem', 'by-content', [str('sha256', 'cd'.repeat(32))])],
  ];
  for (const [file, id, request] of cases) {
    test(`${file}: describe, realize and shutdown as sent and answered`, async () => {
      const log = join(tempDir('wire'), 'wire');
      const direct = builtinNamespaces.find((n) => n.id === id)!;
      const ns = new ExternalNamespace({ id, spelling: direct.spelling, command: [process.execPath, recorder, log, process.execPath, fixture, '--serve', id] });
      try {
        await ns.describe(request);
        await ns.realize(request, {}, ctx()).catch((e: unknown) => assert.ok(e instanceof NomiaError));
      } finally {
        await ns.close();
      }
      const volatile: [RegExp, string][] = [
        [new RegExp(JSON.stringify(process.env['PATH'] ?? '').slice(1, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), '<PATH>'],
        [/"outDir":"[^"]*"/g, '"outDir":"<outDir>"'], [/"path":"[^"]*"/g, '"path":"<outDir>/out"'], [/\/tmp\/nomia-ns-[^" ]*/g, '<tmp store>'],
      ];
      const actual = JSON.stringify({
        sent: messages(readFileSync(`${log}.sent`), volatile), received: messages(readFileSync(`${log}.received`), volatile),
      }, null, 2) + '\n';
      const golden = new URL(`../../../test/fixtures/protocol/${file}.json`, import.meta.url);
      if (process.env['NOMIA_TEST_ACCEPT'] === '1') {
        mkdirSync(new URL('.', golden), { recursive: true });
        writeFileSync(golden, actual);
      }
      assert.equal(actual, readFileSync(golden, 'utf8'));
    });
  }
});
