/**
 * Package builds and data safety (issue "Data safety", points 2 and 4): a
 * sandboxed `$out` that links to a store object which was no input keeps
 * it alive; a `$name` in a string argument that nothing sets is warned
 * about (point 3); a result built with `--sandbox=none` is never reused by a
 * sandboxed realize of the same name.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia } from '../support/cli.js';
import { bench, build, realize, sandboxTools, script, type Bench } from './package-support.js';

describe('package builds and data safety', () => {
  let b: Bench | undefined;
  const get = () => (b ??= bench('package-safety'));

  test('an output linking to an object that was no input records the reference', (t) => {
    if (!sandboxTools(t)) return;
    writeFileSync(join(get().dir, 'other.txt'), 'other\n');
    const other = nomia(get().store, ['add', join(get().dir, 'other.txt')]);
    assert.equal(other.code, 0, other.err);
    const otherPath = nomia(get().store, ['path', other.out.trim()]).out.trim();
    const s = script(get(), `ln -s ${otherPath} $out\n`);
    const r = realize(get(), build(get(), s, '&name=link-other'));
    assert.equal(r.code, 0, r.err);
    assert.equal(nomia(get().store, ['root', 'add', 'link-other', r.name]).code, 0);
    assert.equal(nomia(get().store, ['gc']).code, 0);
    assert.ok(existsSync(readlinkSync(r.path)), 'the object it links to was kept');
    assert.equal(readFileSync(r.path, 'utf8'), 'other\n');
  });

  test('a build warns about $name in a string argument that nothing sets', (t) => {
    if (!sandboxTools(t)) return;
    const name = `package:build-in-sandbox?args=[bash, -c, "echo $missing > $out"]&name=warn(exe: ${get().tools}/bin/bash)`;
    const r = realize(get(), name);
    assert.equal(r.code, 0, r.err);
    const warnings = r.events.filter((e) => e.kind === 'warning');
    assert.deepEqual(warnings.map((w) => w.kind === 'warning' && w.type === 'unset-variable' && [w.variable, w.where]), [['missing', 'args[2]']]);
  });

  test('a result built with --sandbox=none is not reused by a sandboxed realize', (t) => {
    if (!sandboxTools(t)) return;
    const s = script(get(), 'if [ -e /etc/passwd ]; then echo host > $out; else echo sandbox > $out; fi\n');
    const name = build(get(), s, '&name=where');
    const open = realize(get(), name, ['--sandbox', 'none']);
    assert.equal(open.code, 0, open.err);
    assert.equal(readFileSync(open.path, 'utf8'), 'host\n');
    const boxed = realize(get(), name);
    assert.equal(boxed.code, 0, boxed.err);
    assert.equal(readFileSync(boxed.path, 'utf8'), 'sandbox\n', 'built again, in the sandbox');
    // And each is reused by its own kind.
    assert.equal(readFileSync(realize(get(), name, ['--sandbox', 'none']).path, 'utf8'), 'host\n');
    const again = realize(get(), name);
    assert.equal(readFileSync(again.path, 'utf8'), 'sandbox\n');
    assert.equal(again.events.filter((e) => e.kind === 'realizing').length, 0, 'a lookup');
  });
});
