/**
 * Handles: affordances per type, anomic names, and the temporary root that
 * keeps an object alive while a handle is open. Also the engine's recursive
 * `ctx.resolve` and a-priori `reduce`, through a test namespace.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { realize } from '../../src/engine/realize.js';
import { parseName } from '../../src/name/parse.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { Namespace, Resource, RunContext } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { acquire, DirHandle, ExeHandle, FileHandle, ValueHandle } from '../../src/resource/handle.js';
import { gc } from '../../src/store/gc.js';
import { dropTempRoots } from '../../src/store/temp-roots.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const registry = createRegistry(builtinNamespaces, []);

async function realizeOne(store: ReturnType<typeof openStore>, text: string, cwd: string, reg = registry): Promise<Resource> {
  const context: RunContext = { env: process.env, cwd, now: Date.now(), stdin: () => process.stdin };
  return (await realize(parseName(text), { store, registry: reg, context })).roots[0]!;
}

test('handles: typed affordances, and a temporary root while open', async () => {
  const dir = tempDir('handles');
  const store = openStore({ dir: join(dir, 'store') });
  try {
    mkdirSync(join(dir, 'tree', 'bin'), { recursive: true });
    writeFileSync(join(dir, 'tree', 'readme'), 'read me\n');
    writeFileSync(join(dir, 'tree', 'bin', 'hello'), '#!/bin/sh\necho "hello $1"\n', { mode: 0o755 });
    const tree = await realizeOne(store, 'filesystem:import?path="./tree"', dir);
    // The add holds a temporary root for this process; drop it, so that only handles hold the object below.
    dropTempRoots(store);
    const h = acquire(store, tree);
    assert.ok(h instanceof DirHandle);
    assert.deepEqual(h.list(), ['bin', 'readme']);
    const readme = h.project('readme');
    assert.ok(readme instanceof FileHandle);
    assert.equal(readme.read().toString(), 'read me\n');
    const exe = h.project('bin/hello');
    assert.ok(exe instanceof ExeHandle);
    assert.deepEqual(await exe.exec(['world']), { code: 0, stdout: 'hello world\n', stderr: '' });
    const value = acquire(store, await realizeOne(store, 'context:value?v=forty-two', dir));
    assert.ok(value instanceof ValueHandle);
    assert.equal(value.value(), 'forty-two');

    const path = h.path();
    gc(store, { action: 'delete' });
    assert.ok(existsSync(path), 'held while a handle is open');
    let released = false;
    h.on('released', () => (released = true));
    h.release();
    assert.ok(released);
    assert.throws(() => h.path(), /was released/);
    gc(store, { action: 'delete' });
    assert.ok(existsSync(path), 'the projections still hold it');
    readme.release();
    exe.release();
    gc(store, { action: 'delete' });
    assert.ok(!existsSync(path), 'gone once every handle is released');
  } finally {
    store.close();
  }
});

test('a namespace can realize other names (ctx.resolve) and reduce a priori', async () => {
  const dir = tempDir('recursive');
  const store = openStore({ dir: join(dir, 'store') });
  const calls: string[] = [];
  const ns: Namespace = {
    id: 'r', spelling: 'test:r@1',
    describe: () => ({ inputs: {}, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false }),
    reduce: async (req) => (req.nameId === 'alias' ? 'context:value?v=aliased' : undefined),
    realize: async (req, _inputs, ctx) => {
      calls.push(req.nameId);
      const [inner] = await ctx.resolve!('text:digest?x=1(a: context:value?v=inner)');
      return { out: { kind: 'value', type: 'value', value: `wrapped ${(inner as { value: string }).value.slice(0, 8)}`, name: 'context:value?v=wrapped' } };
    },
  };
  const reg = createRegistry([...builtinNamespaces, ns], []);
  try {
    const wrapped = await realizeOne(store, 'r:wrap', dir, reg);
    assert.match((wrapped as { value: string }).value, /^wrapped [0-9a-f]{8}$/);
    const aliased = await realizeOne(store, 'r:alias', dir, reg);
    assert.equal((aliased as { value: string }).value, 'aliased');
    assert.deepEqual(calls, ['wrap'], 'the alias was reduced, never realized');
  } finally {
    store.close();
  }
});
