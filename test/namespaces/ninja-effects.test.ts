/**
 * Which edges make no file (namespaces/ninja/effects.ts) and how the
 * translation leaves them out of the plan's name: CMake's utility targets
 * (`CMakeFiles/test.util`), custom commands without `restat` (a SYMBOLIC
 * output such as `add_custom_target`'s `CMakeFiles/check`); a custom
 * command that makes its file (CMake's `restat = 1`, Meson's rule-wide
 * `restat`) stays a sandboxed `ninja:command`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isEffect, symbolicOutputs } from '../../src/namespaces/ninja/effects.js';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import type { Layout } from '../../src/namespaces/ninja/sandbox-paths.js';
import { translate } from '../../src/namespaces/ninja/translate.js';
import { tempDir } from '../support/cli.js';

const root = tempDir('ninja-effects');
const layout: Layout = { srcDir: join(root, 'src'), buildDir: join(root, 'build') };
mkdirSync(layout.srcDir, { recursive: true });
mkdirSync(layout.buildDir, { recursive: true });
writeFileSync(join(layout.srcDir, 'gen.sh'), '');
const B = layout.buildDir;
const TC = 'filesystem:by-content?name=tc&sha256=0000000000000000000000000000000000000000000000000000000000000000';

const MANIFEST = `
cmake_ninja_workdir = ${B}/
rule CUSTOM_COMMAND
  command = $COMMAND
  description = $DESC
build CMakeFiles/test.util: CUSTOM_COMMAND
  COMMAND = cd ${B} && /usr/bin/ctest --force-new-ctest-process
  DESC = Running tests...
  pool = console
  restat = 1
build test: phony CMakeFiles/test.util
build real.txt | \${cmake_ninja_workdir}real.txt: CUSTOM_COMMAND ${layout.srcDir}/gen.sh
  COMMAND = cd ${B} && sh ${layout.srcDir}/gen.sh > real.txt
  restat = 1
build CMakeFiles/check | \${cmake_ninja_workdir}CMakeFiles/check: CUSTOM_COMMAND real.txt || real.txt
  COMMAND = cd ${B} && cat real.txt
build check: phony CMakeFiles/check real.txt
build after.txt: CUSTOM_COMMAND CMakeFiles/check real.txt
  COMMAND = cd ${B} && cp real.txt after.txt
  restat = 1
`;
const manifest = parseManifest(MANIFEST, 'build.ninja', () => '');
const edge = (out: string) => manifest.edges.find((e) => e.outputs[0] === out)!;

describe('edges that make no file', () => {
  test('CMake\'s utility targets and its custom commands without restat are effects; one that makes its file is not', () => {
    assert.equal(isEffect(edge('CMakeFiles/test.util')), true);
    assert.equal(isEffect(edge('CMakeFiles/check')), true);
    assert.equal(isEffect(edge('real.txt')), false);
    assert.equal(isEffect(edge('after.txt')), false);
    // Meson's rule sets restat for every custom command it writes: none is an effect.
    const meson = parseManifest('rule CUSTOM_COMMAND\n  command = $COMMAND\n  restat = 1\nbuild PHONY: phony\nbuild out.h: CUSTOM_COMMAND PHONY\n  COMMAND = vcs_tag\n', 'build.ninja', () => '');
    assert.equal(isEffect(meson.edges.find((e) => e.outputs[0] === 'out.h')!), false);
  });

  test('`test` needs no name at all: the plan is the toolchain alone and the effect', () => {
    const plan = translate(manifest, layout, TC, ['test']);
    assert.deepEqual(plan.effects.map((e) => e.outputs[0]), ['CMakeFiles/test.util']);
    assert.deepEqual(plan.decls.filter((d) => d.kind !== 'support'), []);
    assert.ok(!plan.text.includes('ctest'), plan.text);
  });

  test('`check` builds what it reads as names, then is run; an edge reading an effect\'s output does not take it as a file', () => {
    const plan = translate(manifest, layout, TC, ['check', 'after.txt']);
    assert.deepEqual(plan.effects.map((e) => e.outputs[0]), ['CMakeFiles/check']);
    assert.deepEqual(plan.counts, { compile: 0, archive: 0, link: 0, command: 2 });
    assert.ok(!plan.text.includes('CMakeFiles/check'), plan.text);
    assert.deepEqual(plan.targets, ['real.txt', 'after.txt']);
    // after.txt's inputs: real.txt (the first edge's result), not CMakeFiles/check.
    assert.match(plan.text, /e1 = ninja:command\?command="cd \/build && cp real\.txt after\.txt"&inputs=\[\/build\/real\.txt\]&outputs=\[after\.txt\]\(\$e0\/real\.txt, toolchain: \$tc\)/);
  });

  // add_custom_target(gen BYPRODUCTS out.h COMMAND …), as CMake 3.25 writes it: restat = 1 for the byproduct.
  const BYPRODUCTS = `
cmake_ninja_workdir = ${B}/
rule CUSTOM_COMMAND
  command = $COMMAND
build gen: phony CMakeFiles/gen out.h
build CMakeFiles/gen out.h | \${cmake_ninja_workdir}CMakeFiles/gen \${cmake_ninja_workdir}out.h: CUSTOM_COMMAND
  COMMAND = cd ${B} && sh ${layout.srcDir}/gen.sh out.h
  restat = 1
build sub/gen2: phony sub/CMakeFiles/gen2
build sub/CMakeFiles/gen2 | \${cmake_ninja_workdir}sub/CMakeFiles/gen2: CUSTOM_COMMAND
  COMMAND = cd ${B}/sub && echo hi
build uses.txt: CUSTOM_COMMAND out.h || gen
  COMMAND = cd ${B} && cp out.h uses.txt
  restat = 1
`;

  test('add_custom_target with BYPRODUCTS is a command whose outputs are its byproducts, not its SYMBOLIC CMakeFiles/<target>', () => {
    const m = parseManifest(BYPRODUCTS, 'build.ninja', () => '');
    const keyOf = (p: string) => p.startsWith(`${B}/`) ? p.slice(B.length + 1) : p;
    const symbolic = symbolicOutputs(m, keyOf);
    assert.deepEqual([...symbolic].sort(), ['CMakeFiles/gen', 'sub/CMakeFiles/gen2']);
    const gen = m.edges.find((e) => e.outputs[0] === 'CMakeFiles/gen')!;
    assert.equal(isEffect(gen, symbolic, keyOf), false);
    // Without a byproduct it is an effect as before (no restat).
    assert.equal(isEffect(m.edges.find((e) => e.outputs[0] === 'sub/CMakeFiles/gen2')!, symbolic, keyOf), true);
    for (const targets of [['gen'], ['uses.txt']]) {
      const plan = translate(m, layout, TC, targets);
      assert.deepEqual(plan.effects, [], targets.join());
      assert.ok(!plan.text.includes('CMakeFiles/gen'), plan.text);
      assert.match(plan.text, /e0 = ninja:command\?command="cd \/build && sh \/src\/gen\.sh out\.h"&inputs=\[\/src\/gen\.sh\]&outputs=\[out\.h\]\(\$f0, toolchain: \$tc\)/);
      assert.deepEqual(plan.decls.filter((d) => d.kind === 'tree').map((d) => d.kind === 'tree' && d.paths)[0], ['out.h']);
    }
    assert.deepEqual(translate(m, layout, TC, ['gen']).targets, ['out.h']);
    assert.match(translate(m, layout, TC, ['uses.txt']).text, /e1 = ninja:command\?command="cd \/build && cp out\.h uses\.txt"&inputs=\[\/build\/out\.h\]&outputs=\[uses\.txt\]\(\$e0\/out\.h, toolchain: \$tc\)/);
  });
});
