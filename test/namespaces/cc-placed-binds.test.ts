/**
 * namespaces/cc/placed-binds.ts: a tool's placed files are hard links in
 * one scratch tree, bound once per top-level directory, not one bind each
 * (bwrap parses /proc/self/mountinfo once per bind: 100 objects of an
 * archive cost some 25 ms of CPU and more wall time at every archive). The
 * tool still reads every file at its path and every placed tree, and the
 * store's objects are left as they were.
 */
import assert from 'node:assert/strict';
import { copyFileSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RealizeContext } from '../../src/namespace/types.js';
import { placedBinds } from '../../src/namespaces/cc/placed-binds.js';
import { runTool, type Placed } from '../../src/namespaces/cc/toolchain-run.js';
import { addPath } from '../../src/store/add.js';
import { openStore, realPath } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const OBJECTS = 60;

describe('cc: placed files in the sandbox', () => {
  test(`a tool reads ${OBJECTS} placed store objects and a placed tree, through a few mounts rather than one per file`, async (t) => {
    if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'busybox', 'busybox-static')) return;
    const dir = tempDir('cc-placed');
    const store = openStore({ dir: join(dir, 'store'), fsync: false });
    try {
      // A toolchain of one static busybox (its applets by argv[0]).
      const toolchain = join(dir, 'toolchain');
      mkdirSync(join(toolchain, 'usr/bin'), { recursive: true });
      copyFileSync('/bin/busybox', join(toolchain, 'usr/bin/busybox'));
      for (const applet of ['sh', 'cat', 'wc']) symlinkSync('busybox', join(toolchain, 'usr/bin', applet));
      symlinkSync('usr/bin', join(toolchain, 'bin'));
      const src = join(dir, 'src');
      mkdirSync(join(src, 'tree'), { recursive: true });
      writeFileSync(join(src, 'tree/h.h'), '#define H 1\n');
      const placed: Placed[] = [];
      for (let i = 0; i < OBJECTS; i++) {
        writeFileSync(join(src, `m${i}.o`), `object ${i}\n`);
        const { object } = await addPath(store, join(src, `m${i}.o`), { name: `m${i}.o` });
        placed.push({ host: realPath(store, object), at: `/obj/${i}/m${i}.o` });
      }
      placed.push({ host: join(src, 'tree'), at: '/include/0' });
      const work = join(dir, 'work');
      const out = join(work, 'out');
      mkdirSync(out, { recursive: true });
      const ctx = { store, signal: new AbortController().signal, log: () => undefined } as unknown as RealizeContext;
      const members = placed.slice(0, OBJECTS).map((p) => p.at).join(' ');
      await runTool(ctx, {
        toolchain, program: '/usr/bin/sh', placed, out, work,
        argv: ['sh', '-c', `cat ${members} /include/0/h.h > /out/all && wc -l < /proc/self/mountinfo > /out/mounts`],
      });
      const expected = `${Array.from({ length: OBJECTS }, (_, i) => `object ${i}\n`).join('')}#define H 1\n`;
      assert.equal(readFileSync(join(out, 'all'), 'utf8'), expected, 'every placed file and the tree are read at their paths');
      const mounts = Number(readFileSync(join(out, 'mounts'), 'utf8').trim());
      // The root, its toolchain entries, /proc, /dev and its parts, /tmp, the store view, /obj, /include/0, /out, the program:
      // about 20. One bind per object would make it more than OBJECTS.
      assert.ok(mounts < 30, `${mounts} mounts in the sandbox for ${OBJECTS} placed files`);
      for (const p of placed.slice(0, OBJECTS)) {
        const st = lstatSync(p.host);
        assert.equal(st.mode & 0o777, 0o444, 'the object keeps its mode');
      }
    } finally {
      store.close();
    }
  });

  test('a file that cannot be linked (another file system) and a file inside a placed tree are bound on their own; a tree under a linked directory gets its mount point', (t) => {
    const dir = tempDir('cc-placed-unit');
    const scratch = join(dir, 'scratch');
    writeFileSync(join(dir, 'a.o'), 'a');
    mkdirSync(join(dir, 'tree'));
    writeFileSync(join(dir, 'h.h'), 'h');
    const binds = placedBinds([
      { host: join(dir, 'a.o'), at: '/obj/0/a.o' },
      { host: join(dir, 'tree'), at: '/obj/tree' },
      { host: join(dir, 'h.h'), at: '/obj/tree/h.h' },
    ], scratch);
    assert.deepEqual(binds.map((b) => b.sandbox), ['/obj', '/obj/tree', '/obj/tree/h.h']);
    assert.ok(binds.every((b) => !b.writable));
    assert.equal(lstatSync(join(scratch, 'obj/0/a.o')).ino, lstatSync(join(dir, 'a.o')).ino, 'a hard link, not a copy');
    assert.ok(lstatSync(join(scratch, 'obj/tree')).isDirectory(), 'the mount point of the tree');

    // /dev/shm is a tmpfs here, not the file system of the temporary directory: link() fails with EXDEV.
    let shm: string | undefined;
    try {
      shm = join('/dev/shm', `nomia-placed-${process.pid}`);
      writeFileSync(shm, 'x');
    } catch {
      shm = undefined;
    }
    if (shm === undefined || lstatSync(shm).dev === lstatSync(dir).dev) {
      t.diagnostic('no second file system at /dev/shm: the fallback is not exercised');
      return;
    }
    try {
      const other = placedBinds([{ host: shm, at: '/obj/0/x.o' }, { host: join(dir, 'a.o'), at: '/obj/1/a.o' }], join(dir, 'scratch2'));
      assert.deepEqual(other.map((b) => [b.host, b.sandbox]), [[join(dir, 'scratch2/obj'), '/obj'], [shm, '/obj/0/x.o']]);
      assert.ok(lstatSync(join(dir, 'scratch2/obj/0/x.o')).isFile(), 'its mount point, in the read-only scratch directory');
    } finally {
      rmSync(shm, { force: true });
    }
  });
});
