/**
 * A projected input (`(tree)/a.txt`) is named by the content it selects
 * when its consumer is re-spelled (engine/respell.ts). One realize reads
 * that content's hash once per path, however many nodes (or ports) take
 * it: a chain of services each given `(tools)/bin/busybox` asked the stat
 * cache for busybox's hash once per service.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { distSrc, traced } from '../support/syscalls.js';
import { requireTool } from '../support/tools.js';

describe('the content names of projected inputs', () => {
  test('one realize stats a selected path to name its content once, however many ports take it', (t) => {
    if (!requireTool(t, 'strace', 'strace')) return;
    const dir = tempDir('respell-selections');
    mkdirSync(join(dir, 'tree'));
    writeFileSync(join(dir, 'tree', 'a.txt'), 'selected\n');
    writeFileSync(join(dir, 'tree', 'b.txt'), 'not selected\n');
    /** The stats of `a.txt` while a fresh store realizes a node taking it on `ports` ports. */
    const stats = (ports: number): number => {
      const store = join(dir, `store-${ports}`);
      const tree = nomia(store, ['add', '--name', 'tree', join(dir, 'tree')]).out.trim();
      const path = nomia(store, ['path', tree]).out.trim();
      const name = `text:digest(${Array.from({ length: ports }, (_, i) => `p${i}: ${tree}/a.txt`).join(', ')})`;
      const script = `import { openStore } from ${JSON.stringify(join(distSrc, 'store/store.js'))};
import { realize } from ${JSON.stringify(join(distSrc, 'engine/realize.js'))};
import { createRegistry } from ${JSON.stringify(join(distSrc, 'namespace/registry.js'))};
import { builtinNamespaces } from ${JSON.stringify(join(distSrc, 'namespaces/index.js'))};
const store = openStore({ dir: ${JSON.stringify(store)}, fsync: false });
const context = { env: {}, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
const { roots } = await realize(${JSON.stringify(name)}, { store, registry: createRegistry(builtinNamespaces, []), context });
if (roots.length !== 1) throw new Error('no result');
store.close();`;
      return traced(script, 'stat,lstat,newfstatat,statx').filter((l) => l.includes(`${path}/a.txt"`)).length;
    };
    const N = 6;
    // Each port's input is typed by a stat of its own (outputs.ts, \`pick\`); its content is named once.
    assert.equal(stats(N) - stats(1), N - 1);
  });
});
