/**
 * The seed's headline build through a binary cache (issue 18, must-work 3):
 * a self-referring output of `package:build-in-sandbox` (its script calls
 * bash from the bootstrap tools by store path) built on store A, pushed,
 * and substituted into an empty store B at the same store directory: B
 * builds nothing, gets the output at the same path, with its closure, and
 * it runs from B's store.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nomia } from '../support/cli.js';
import { bench, kinds, realize, sandboxTools } from '../namespaces/package-support.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the headline build pushed from A is substituted on B and runs from B\'s store', (t) => {
  if (!sandboxTools(t)) return;
  const a = bench('cache-headline');
  const env = { XDG_CONFIG_HOME: join(a.dir, 'config'), NOMIA_FSYNC: '0' };
  const script = nomia(a.store, ['add', join(root, 'examples/build/hello.sh')], { env }).out.trim();
  const name = `package:build-in-sandbox?args=[ bash, -c, $script ](exe: ${a.tools}/bin/bash, script: ${script})`;
  const built = realize(a, name);
  assert.equal(built.code, 0, built.err);
  const key = nomia(a.store, ['key', 'generate', 'headline-1'], { env }).out.trim();
  const cache = join(a.dir, 'cache');
  const pushed = nomia(a.store, ['push', cache, name], { env });
  assert.equal(pushed.code, 0, pushed.err);

  // Store A moves away; B is a new, empty store at the same directory.
  renameSync(a.store, join(a.dir, 'store-a'));
  const b = realize(a, name, ['--substituter', cache, '--trusted-key', key], env);
  assert.equal(b.code, 0, b.err);
  assert.equal(kinds(b.events, 'realizing').length, 0, 'B ran something');
  assert.equal(kinds(b.events, 'substituted').length, 1);
  assert.equal(b.path, built.path);
  assert.ok(b.path.startsWith(join(a.store, 'store')));
  const hello = spawnSync(join(b.path, 'bin/hello'), { encoding: 'utf8' });
  assert.equal(hello.stdout, `hello from Nomia (built at ${b.path})\n`);
  assert.equal(JSON.parse(nomia(a.store, ['verify', '--json'], { env }).out).consistent, true);
  assert.deepEqual(readFileSync(join(b.path, 'bin/hello')), readFileSync(join(a.dir, 'store-a', b.path.slice(a.store.length + 1), 'bin/hello')));
});

test('a self-referring result made under another store directory is not substituted: B builds it', (t) => {
  if (!sandboxTools(t)) return;
  const a = bench('cache-storedir');
  const env = { XDG_CONFIG_HOME: join(a.dir, 'config'), NOMIA_FSYNC: '0' };
  const script = nomia(a.store, ['add', join(root, 'examples/build/hello.sh')], { env }).out.trim();
  const name = `package:build-in-sandbox?args=[ bash, -c, $script ](exe: ${a.tools}/bin/bash, script: ${script})`;
  assert.equal(realize(a, name).code, 0);
  const key = nomia(a.store, ['key', 'generate', 'storedir-1'], { env }).out.trim();
  const cache = join(a.dir, 'cache');
  assert.equal(nomia(a.store, ['push', cache, name], { env }).code, 0);
  const other = bench('cache-storedir-b');
  const b = realize(other, name.replace(a.tools, other.tools), ['--substituter', cache, '--trusted-key', key], env);
  assert.equal(b.code, 0, b.err);
  // The inputs (by content, without references) are shareable between any stores; the build's output is not.
  const substituted = kinds(b.events, 'substituted').map((e) => (e as { label: string }).label);
  assert.ok(substituted.every((l) => l.startsWith('filesystem:by-content')), substituted.join(', '));
  assert.ok(kinds(b.events, 'realizing').some((e) => (e as { label: string }).label.startsWith('package:')), 'B did not build');
  assert.match(b.err, /refers to store paths under .*, not this store's/);
});
