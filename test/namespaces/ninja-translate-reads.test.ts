/**
 * A translation (namespaces/ninja/translate.ts) reads each source and
 * header once and asks once whether a header is there: before, each
 * compile's source was read three times (two checks, each compile's parts
 * found twice) and a header included by every module was stat-ed twice
 * per module (docs/namespaces/ninja.md, "The fixed cost of one run").
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../support/cli.js';
import { distSrc, traced } from '../support/syscalls.js';
import { requireTool } from '../support/tools.js';

const MODULES = 5;

describe('ninja: reading a project to translate it', () => {
  test('every source and header is read once, a header in every module stat-ed once', (t) => {
    if (!requireTool(t, 'strace', 'strace')) return;
    const root = tempDir('ninja-translate-reads');
    const src = join(root, 'src');
    const build = join(root, 'build');
    mkdirSync(src, { recursive: true });
    mkdirSync(build, { recursive: true });
    writeFileSync(join(src, 'common.h'), '#define K 1\n');
    const edges: string[] = [];
    for (let i = 0; i < MODULES; i++) {
      writeFileSync(join(src, `m${i}.c`), `#include "common.h"\nint m${i}(void) { return K; }\n`);
      edges.push(`build m${i}.o: CC ${src}/m${i}.c\n  INCLUDES = -I${src}\n  DEP_FILE = m${i}.o.d`);
    }
    const manifest = `rule CC\n  deps = gcc\n  depfile = $DEP_FILE\n  command = /usr/bin/cc $INCLUDES -MD -MT $out -MF $DEP_FILE -o $out -c $in\n${edges.join('\n')}\n`;
    const script = `import { parseManifest } from ${JSON.stringify(join(distSrc, 'namespaces/ninja/manifest.js'))};
import { translate } from ${JSON.stringify(join(distSrc, 'namespaces/ninja/translate.js'))};
const plan = translate(parseManifest(${JSON.stringify(manifest)}), { srcDir: ${JSON.stringify(src)}, buildDir: ${JSON.stringify(build)} }, 'tc:x', []);
if (plan.counts.compile !== ${MODULES}) throw new Error('not all compiles: ' + JSON.stringify(plan.counts));`;
    const lines = traced(script, 'openat,stat,lstat,newfstatat,statx');
    const of = (path: string, call: RegExp) => lines.filter((l) => call.test(l) && l.includes(`"${path}"`));
    for (let i = 0; i < MODULES; i++) {
      const opens = of(join(src, `m${i}.c`), /openat\(/);
      assert.equal(opens.length, 1, `m${i}.c opened ${opens.length} times:\n${opens.join('\n')}`);
    }
    assert.equal(of(join(src, 'common.h'), /openat\(/).length, 1, 'common.h read once');
    const stats = of(join(src, 'common.h'), /stat/);
    assert.equal(stats.length, 1, `common.h stat-ed ${stats.length} times:\n${stats.join('\n')}`);
  });
});
