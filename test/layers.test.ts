/**
 * The layers of src/ (DESIGN.md §10, STYLE rule 1), checked on the import
 * statements of every source file: `cli → engine → namespace →
 * graph/name/resource → store`, the engine knows no particular namespace,
 * and the store knows nothing of names.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The imports in `text`, the source of `file` (relative to src/), as paths relative to src/ (`engine/realize.ts`). */
function importsIn(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(src, resolve(dirname(join(src, file)), s)).replace(/\.js$/, '.ts'));
}

interface Rule {
  readonly why: string;
  /** Whether the rule applies to a file (path relative to src/). */
  readonly from: (file: string) => boolean;
  /** Whether an import (path relative to src/) is forbidden for it. */
  readonly forbids: (target: string, file: string) => boolean;
}

const under = (dir: string) => (p: string) => p.startsWith(`${dir}/`);
const anyOf = (...dirs: string[]) => (p: string) => dirs.some((d) => under(d)(p));

export const rules: readonly Rule[] = [
  {
    why: 'the engine, resources, the namespace contract and the store know no particular namespace',
    from: anyOf('engine', 'resource', 'namespace', 'store'),
    forbids: under('namespaces'),
  },
  {
    why: 'the library never depends on the CLI',
    from: (p) => !under('cli')(p),
    forbids: under('cli'),
  },
  {
    why: 'the store knows nothing of names, graphs, resources, namespaces or the engine',
    from: under('store'),
    forbids: (t) => !under('store')(t) && t !== 'errors.ts' && !t.startsWith('types/'),
  },
  {
    why: 'a built-in namespace is written against src/namespace/index.ts alone (its own folder and other built-ins aside)',
    from: (p) => /^namespaces\/[^/]+\//.test(p),
    // The package namespace serves its builds the daemon's build channel (daemon/lines.ts, daemon/grants.ts).
    forbids: (t, file) => !under('namespaces')(t) && t !== 'namespace/index.ts' && !(file.startsWith('namespaces/package/') && under('daemon')(t)),
  },
  {
    why: 'binary caches (used by the engine and the CLI) move objects and signed records: they build on the store alone',
    from: under('cache'),
    forbids: (t) => !under('cache')(t) && !under('store')(t) && t !== 'errors.ts',
  },
  {
    why: 'front-ends (nomia ninja) realize names through the engine: only the CLI and the public API use them',
    from: (p) => !under('cli')(p) && !under('front-end')(p) && p !== 'index.ts',
    forbids: under('front-end'),
  },
  {
    why: 'namespaces and the store know nothing of binary caches: the engine substitutes for them',
    from: anyOf('store', 'namespace', 'namespaces', 'graph', 'name', 'resource'),
    forbids: under('cache'),
  },
];

/** The forbidden arrows out of `file` (relative to src/) with source `text`, as `file → target (why)`. */
function arrows(file: string, text: string): string[] {
  return importsIn(file, text).flatMap((target) => rules.filter((r) => r.from(file) && r.forbids(target, file)).map((r) => `${file} → ${target} (${r.why})`));
}

describe('layers of src/', () => {
  it('has no forbidden import', () => {
    assert.deepEqual(sources(src).flatMap((f) => arrows(relative(src, f), readFileSync(f, 'utf8'))), []);
  });

  it('finds a forbidden arrow when there is one', () => {
    const text = "import { x } from '../namespaces/filesystem/index.js';\nimport type { y } from '../cli/main.js';\nconst z = await import('../store/store.js');\n";
    assert.deepEqual(arrows('engine/fake.ts', text).map((a) => a.split(' (')[0]), ['engine/fake.ts → namespaces/filesystem/index.ts', 'engine/fake.ts → cli/main.ts']);
    // The store breaks two rules with each of these: reaching a namespace and the CLI.
    assert.equal(arrows('store/fake.ts', text).length, 4);
    assert.deepEqual(arrows('namespace/fake.ts', "import { z } from '../store/store.js';"), []);
    assert.equal(arrows('cache/fake.ts', "import { r } from '../engine/realize.js';\nimport { s } from '../store/store.js';").length, 1);
    assert.equal(arrows('store/fake.ts', "import { c } from '../cache/keys.js';").length, 2);
    assert.equal(arrows('namespaces/git/fake.ts', "import { z } from '../../store/store.js';").length, 1);
    assert.equal(arrows('engine/fake.ts', "import { n } from '../front-end/ninja.js';").length, 1);
    assert.deepEqual(arrows('cli/fake.ts', "import { n } from '../front-end/ninja.js';"), []);
    assert.deepEqual(arrows('namespaces/git/fake.ts', "import { z } from '../../namespace/index.js';\nimport { y } from '../unpack/archive.js';"), []);
  });

  it('reads every kind of import statement', () => {
    const imports = importsIn('index.ts', readFileSync(join(src, 'index.ts'), 'utf8'));
    assert.ok(imports.includes('engine/realize.ts'));
    assert.ok(imports.includes('namespace/registry.ts'));
    assert.ok(importsIn('cli/x.ts', "const m = await import('../namespace/protocol/client.js');").includes('namespace/protocol/client.ts'));
  });
});
