/**
 * Outputs that refer to other objects (issue "Data safety", point 2): the
 * engine scans what any namespace stores for references and records them,
 * so a rooted result never dangles after gc; `nomia verify` reports an
 * object whose content mentions an object its references lack.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

const A = 'exec:run?args=[sh, -c, "echo A > $out"]';

test('an exec:run output that links to its input keeps the input alive', () => {
  const dir = tempDir('outrefs');
  const store = join(dir, 'store');
  const B = `exec:run?args=[ln, -s, $in, $out](in: ${A})`;
  const r = nomia(store, ['realize', B]);
  assert.equal(r.code, 0, r.err);
  const [name, path] = r.out.trim().split('\n') as [string, string];
  assert.equal(nomia(store, ['root', 'add', 'b', name]).code, 0);
  const gc = nomia(store, ['gc']);
  assert.equal(gc.code, 0, gc.err);
  assert.ok(existsSync(readlinkSync(path)), 'the link target (the input) was kept');
  assert.equal(readFileSync(path, 'utf8'), 'A\n');
  const verify = nomia(store, ['verify']);
  assert.equal(verify.code, 0, verify.out);
});

test('verify reports a reference the database lacks, and --repair records it', () => {
  const dir = tempDir('outrefs-verify');
  const store = join(dir, 'store');
  const a = nomia(store, ['realize', A]).out.trim().split('\n')[1]!;
  // An object added by hand that links to another object, without --reference.
  symlinkSync(a, join(dir, 'link'));
  const added = nomia(store, ['add', join(dir, 'link'), '--root', 'link']);
  assert.equal(added.code, 0, added.err);
  const verify = nomia(store, ['verify']);
  assert.equal(verify.code, 1, verify.out);
  assert.match(verify.out, /ERROR unrecorded-reference store\/\S+-link: its content refers to \S+-out/);
  const repair = nomia(store, ['verify', '--repair']);
  assert.match(repair.out, /unrecorded-reference .*\[repaired\]/);
  assert.equal(nomia(store, ['verify']).code, 0);
  assert.equal(nomia(store, ['gc']).code, 0);
  assert.ok(existsSync(a), 'once recorded, gc keeps what the link refers to');
});
