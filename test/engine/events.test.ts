/**
 * Typed namespace events (`ctx.events`): a built-in's progress reaches the
 * CLI's JSON lines; a namespace process's progress and log lines cross the
 * protocol and come out of the engine as EngineEvents of their node; the
 * engine thins progress and drops malformed events.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EngineEvent } from '../../src/engine/events.js';
import { nodeEvents, PROGRESS_EVERY_MS } from '../../src/engine/node-events.js';
import { realize } from '../../src/engine/realize.js';
import { ExternalNamespace } from '../../src/namespace/protocol/client.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { Namespace, NamespaceEvent } from '../../src/namespace/types.js';
import { leaf } from '../../src/namespace/params.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { openStore } from '../../src/store/store.js';
import { makeTree, nomia, tempDir } from '../support/cli.js';

const ref = { node: 7, label: 'x:y', at: '1:1' };

describe('ctx.events', () => {
  test('the engine forwards log lines and progress as events of the node, thinned to one per interval, the last always', () => {
    const out: EngineEvent[] = [];
    let now = 1000;
    const sink = nodeEvents(ref, (e) => out.push(e), () => now);
    sink.emit({ kind: 'log', line: 'hello' });
    sink.emit({ kind: 'progress', done: 1, total: 10, unit: 'files' });
    now += 10;
    sink.emit({ kind: 'progress', done: 2, total: 10, unit: 'files' });
    now += PROGRESS_EVERY_MS;
    sink.emit({ kind: 'progress', done: 5, total: 10, unit: 'files' });
    now += 1;
    sink.emit({ kind: 'progress', done: 10, total: 10, unit: 'files' });
    assert.deepEqual(out, [
      { kind: 'log', ...ref, line: 'hello' },
      { kind: 'progress', ...ref, done: 1, total: 10, unit: 'files' },
      { kind: 'progress', ...ref, done: 5, total: 10, unit: 'files' },
      { kind: 'progress', ...ref, done: 10, total: 10, unit: 'files' },
    ]);
  });

  test('malformed events are dropped, not thrown', () => {
    const out: EngineEvent[] = [];
    const sink = nodeEvents(ref, (e) => out.push(e));
    const bad = [
      { kind: 'progress', done: -1 }, { kind: 'progress', done: Number.NaN }, { kind: 'progress', done: 1, total: Infinity },
      { kind: 'progress', done: 1, unit: 3 }, { kind: 'log', line: 5 }, { kind: 'weird' }, null,
    ] as unknown as NamespaceEvent[];
    for (const e of bad) sink.emit(e);
    assert.deepEqual(out, []);
  });

  test('built-in: filesystem:import reports the bytes it copies, in the JSON lines of `nomia realize`', () => {
    const dir = tempDir('events-import');
    makeTree(join(dir, 'tree'), 6, 100);
    const r = nomia(join(dir, 'store'), ['realize', '--log-format', 'json', 'filesystem:import?path="./tree"'], { cwd: dir });
    assert.equal(r.code, 0, r.err);
    const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
    const progress = events.filter((e) => e.kind === 'progress') as Extract<EngineEvent, { kind: 'progress' }>[];
    assert.ok(progress.length >= 1, 'at least one progress event for 600 files');
    for (const p of progress) {
      assert.equal(p.unit, 'bytes');
      assert.equal(p.label, 'filesystem:import?path=./tree');
      assert.ok(p.done > 0);
    }
    const ready = events.findIndex((e) => e.kind === 'ready');
    assert.ok(events.indexOf(progress.at(-1)!) < ready, 'progress comes before the node is ready');
  });

  test('a realize a namespace starts (ctx.resolve) adds what it asked for and its nodes\' events, but no `done`: one done, the last event', async () => {
    // `outer:wrap` realizes a name of its own through ctx.resolve, as gcc:compile and deb closures do.
    const outer: Namespace = {
      id: 'outer', spelling: 'test:outer@1',
      describe: () => leaf('value', false),
      async realize(_req, _inputs, ctx) {
        const [inner] = await ctx.resolve!('text:digest(context:value?v=nested)');
        return { out: inner! };
      },
    };
    const store = openStore({ dir: join(tempDir('events-nested'), 'store'), fsync: false });
    try {
      const registry = createRegistry([...builtinNamespaces, outer], []);
      const events: EngineEvent[] = [];
      const context = { env: {}, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
      await realize('outer:wrap', { store, registry, context, onEvent: (e) => events.push(e) });
      const labels = events.filter((e) => e.kind === 'ready').map((e) => (e as { label: string }).label);
      assert.ok(labels.some((l) => l.startsWith('text:digest')), `the nested realize's nodes are reported: ${labels.join(', ')}`);
      assert.deepEqual(events.filter((e) => e.kind === 'done').length, 1, 'one done event');
      assert.equal(events.at(-1)?.kind, 'done', 'and it ends the run');
      assert.deepEqual(events.filter((e) => e.kind === 'resolving').map((e) => (e as { name: string }).name), ['outer:wrap', 'text:digest(context:value?v=nested)'], 'what the namespace asked for is reported');
    } finally {
      store.close();
    }
  });

  test('node ids are unique in a run: a nested realize\'s nodes get ids of their own and name the node that started them', async () => {
    // Two levels of nesting: outer:wrap asks for `text:digest(inner:wrap)`, whose inner:wrap asks for a value.
    const wrapper = (id: string, asks: string): Namespace => ({
      id, spelling: `test:${id}@1`,
      describe: () => leaf('value', false),
      async realize(_req, _inputs, ctx) {
        const [inner] = await ctx.resolve!(asks);
        return { out: inner! };
      },
    });
    const store = openStore({ dir: join(tempDir('events-ids'), 'store'), fsync: false });
    try {
      const registry = createRegistry([...builtinNamespaces, wrapper('outer', 'text:digest(inner:wrap)'), wrapper('inner', 'context:value?v=deep')], []);
      const events: EngineEvent[] = [];
      const context = { env: {}, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
      await realize('outer:wrap', { store, registry, context, onEvent: (e) => events.push(e) });
      const nodeEvents = events.filter((e): e is Extract<EngineEvent, { node: number }> => 'node' in e);
      // Every event of one id is about one node (its label and parent never change), and no two nodes share an id.
      const byId = new Map<number, { label: string; parent: number | undefined }>();
      for (const e of nodeEvents) {
        const seen = byId.get(e.node);
        if (seen) assert.deepEqual({ label: e.label, parent: e.parent }, seen, `the events of node ${e.node} are of one node`);
        else byId.set(e.node, { label: e.label, parent: e.parent });
      }
      const idOf = (label: string) => [...byId].find(([, n]) => n.label === label)?.[0];
      const labels = ['outer:wrap', 'text:digest', 'inner:wrap', 'context:value?v=deep'];
      const ids = labels.map(idOf);
      assert.ok(ids.every((id) => id !== undefined), `every node is reported: ${JSON.stringify([...byId])}`);
      assert.equal(new Set(ids).size, labels.length, `each node has an id of its own: ${JSON.stringify([...byId])}`);
      assert.equal(byId.size, labels.length);
      // The name's own node keeps its graph id; the nested ones name the node whose namespace asked for them.
      const [outer, digest, inner, value] = ids as number[];
      assert.equal(outer, 0);
      assert.equal(byId.get(outer!)!.parent, undefined);
      assert.equal(byId.get(digest!)!.parent, outer);
      assert.equal(byId.get(inner!)!.parent, outer);
      assert.equal(byId.get(value!)!.parent, inner);
      assert.deepEqual(events.filter((e) => e.kind === 'resolving').map((e) => [(e as { name: string }).name, (e as { parent?: number }).parent]),
        [['outer:wrap', undefined], ['text:digest(inner:wrap)', outer], ['context:value?v=deep', inner]]);
      // Each node starts before it is ready, once.
      for (const id of byId.keys()) {
        const kinds = nodeEvents.filter((e) => e.node === id).map((e) => e.kind).filter((k) => k === 'realizing' || k === 'ready');
        assert.deepEqual(kinds, ['realizing', 'ready'], `node ${id} (${byId.get(id)!.label})`);
      }
    } finally {
      store.close();
    }
  });

  describe('behind the protocol', () => {
    const fixture = fileURLToPath(new URL('../namespace/serve-fixture.js', import.meta.url));
    const ns = new ExternalNamespace({ id: 'tsupper', spelling: 'test:tsupper', command: [process.execPath, fixture, '--serve'] });
    after(() => ns.close());

    test('progress and log lines of a namespace process come out of the engine as events of its node', async () => {
      const store = openStore({ dir: join(tempDir('events-rpc'), 'store'), fsync: false });
      try {
        const registry = createRegistry([...builtinNamespaces, ns], []);
        const events: EngineEvent[] = [];
        const context = { env: {}, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
        const { roots } = await realize('tsupper:count?n=5', { store, registry, context, onEvent: (e) => events.push(e) });
        assert.equal(roots[0]?.kind === 'value' && roots[0].value, '5');
        const progress = events.filter((e) => e.kind === 'progress') as Extract<EngineEvent, { kind: 'progress' }>[];
        assert.ok(progress.length >= 1);
        assert.deepEqual(progress.at(-1), { kind: 'progress', node: 0, label: 'tsupper:count?n=5', at: '1:1', done: 5, total: 5, unit: 'steps' });
        assert.ok(events.some((e) => e.kind === 'log' && e.line === 'counted to 5' && e.node === 0));
      } finally {
        store.close();
      }
    });
  });
});
