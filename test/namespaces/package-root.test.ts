/**
 * package:build-in-sandbox with a `root:` input (issue 16): a tree laid out
 * read-only at `/`, `args[0]` run from it, PATH from it; no network needed
 * (the root here is a static busybox in a merged-/usr layout).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { rootBinds } from '../../src/namespaces/package/root-binds.js';
import { tempDir } from '../support/cli.js';
import { bench, realize, sandboxTools } from './package-support.js';

/** A root: usr/bin/busybox, usr/bin/sh → busybox, bin → usr/bin, and entries the sandbox keeps for itself. */
function makeRoot(dir: string): string {
  const root = join(dir, 'root');
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'usr/bin/busybox'));
  for (const tool of ['sh', 'echo', 'cat', 'ls']) symlinkSync('busybox', join(root, 'usr/bin', tool));
  symlinkSync('usr/bin', join(root, 'bin'));
  mkdirSync(join(root, 'etc'));
  mkdirSync(join(root, 'proc'));
  mkdirSync(join(root, 'tmp'));
  return root;
}

describe('package:build-in-sandbox with a root', () => {
  test('rootBinds binds each entry at /, keeps links as links, leaves out proc, dev, tmp and the store\'s top directory', () => {
    const root = makeRoot(tempDir('root-binds'));
    mkdirSync(join(root, 'nix'));
    assert.deepEqual(rootBinds(root, '/nix/store'), ['--symlink', 'usr/bin', '/bin', '--ro-bind', join(root, 'etc'), '/etc', '--ro-bind', join(root, 'usr'), '/usr']);
  });

  test('args[0] runs from the root, which is at / and read-only, with PATH from it', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('package-root');
    makeRoot(b.dir);
    const r = realize(b, 'package:build-in-sandbox?args=["/bin/sh", -c, "echo $PATH > $out; ls /bin/busybox >> $out; echo x > /usr/x || echo read-only >> $out"](root: filesystem:import?path="./root")');
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(r.path, 'utf8'), '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin\n/bin/busybox\nread-only\n');
  });

  test('without exe, args[0] must be an absolute path to an executable in the root', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('package-root-errors');
    makeRoot(b.dir);
    const relative = realize(b, 'package:build-in-sandbox?args=[sh, -c, "true"](root: filesystem:import?path="./root")');
    assert.equal(relative.code, 1);
    assert.match(relative.err, /`args\[0\]` must be an absolute path/);
    const missing = realize(b, 'package:build-in-sandbox?args=["/usr/bin/gcc"](root: filesystem:import?path="./root")');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /runs \/usr\/bin\/gcc from its root, but the root .* has no executable file there/);
  });
});
