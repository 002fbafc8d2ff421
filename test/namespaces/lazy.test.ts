/**
 * The registry's built-ins loaded on first use (src/namespaces/lazy.ts):
 * each lazy entry must be indistinguishable to the engine from the loaded
 * namespace (same id, spelling and optional methods, in the same order),
 * and a command must not load the modules of namespaces it does not use.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Namespace } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { lazyBuiltinNamespaces } from '../../src/namespaces/lazy.js';
import { createPackageNamespace } from '../../src/namespaces/package/index.js';

const OPTIONAL = ['spell', 'reduce', 'realizeKnot', 'terminal'] as const;
const members = (ns: Namespace) => OPTIONAL.filter((m) => ns[m] !== undefined);

describe('lazy built-in namespaces', () => {
  for (const sandbox of ['bubblewrap', 'none'] as const) {
    it(`offer each built-in's id, spelling and optional methods, in order (sandbox ${sandbox})`, async () => {
      const lazy = lazyBuiltinNamespaces(sandbox);
      const eager = builtinNamespaces.map((ns) => (ns.id === 'package' && sandbox === 'none' ? createPackageNamespace({ sandbox }) : ns));
      assert.deepEqual(lazy.map((ns) => ns.id), eager.map((ns) => ns.id));
      for (const [i, ns] of lazy.entries()) {
        const real = eager[i]!;
        assert.equal(ns.spelling, real.spelling, `the spelling of ${ns.id}`);
        // The deferred wrapper has `close`; what the engine branches on must match.
        assert.deepEqual(members(ns), members(real), `the optional methods of ${ns.id}`);
      }
    });
  }

  it('describe a name through the loaded namespace', async () => {
    const service = lazyBuiltinNamespaces().find((ns) => ns.id === 'service')!;
    const sig = await service.describe({ namespace: 'service', nameId: 'running', params: [{ key: 'id', value: { kind: 'String', value: 'x' } }] } as never);
    assert.equal(sig.outputs['out']?.type, 'service');
  });

  it('the registry of a command imports no namespace module but filesystem\'s and context\'s until one is used', () => {
    // Static imports only, as Node loads them before any code runs; `import type` is erased, `import()` waits.
    const src = fileURLToPath(new URL('../../../src/', import.meta.url));
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(src, file), 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s+'(\.[^']+)'/g)) {
        walk(relative(src, resolve(dirname(join(src, file)), m[1]!)).replace(/\.js$/, '.ts'));
      }
    };
    walk('setup.ts');
    const namespaces = [...seen].filter((f) => f.startsWith('namespaces/') && f !== 'namespaces/lazy.ts').map((f) => f.split('/')[1]);
    assert.deepEqual([...new Set(namespaces)].sort(), ['context', 'filesystem']);
  });
});
