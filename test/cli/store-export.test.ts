/**
 * Moving objects between stores (issue 12, point 8): a bare NAR of a
 * self-referring build output gets its own path back (or is refused under
 * another name), and `nomia export` / `nomia import` carry path, hash and
 * references, byte for byte as docs/spec/export.md says.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { commitObject, withWorkDir } from '../../src/store/commit.js';
import { addPath } from '../../src/store/add.js';
import { normalizeTree } from '../../src/store/fs-util.js';
import { hashPart } from '../../src/store/scan.js';
import { hashModulo, rewriteTree } from '../../src/store/self-reference.js';
import { objectPath } from '../../src/store/store-path.js';
import { openStore } from '../../src/store/store.js';
import { bin, nomia, tempDir } from '../support/cli.js';

/** Run the CLI with binary stdin and stdout. */
function raw(store: string, args: string[], input?: Buffer): { code: number | null; out: Buffer; err: string } {
  const r = spawnSync(process.execPath, [bin, '--store', store, ...args], { input: input ?? Buffer.alloc(0), maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: r.stderr.toString() };
}

function consistent(store: string): boolean {
  return JSON.parse(nomia(store, ['verify', '--json']).out).consistent;
}

/**
 * A build output as package builds make one: `tool/bin/run` calls its sibling by the
 * object's own absolute path and names a dependency; built under a placeholder, hashed
 * modulo it and rewritten to its final path. Returns the object paths.
 */
async function selfReferring(storeDir: string, dir: string): Promise<{ tool: string; dep: string }> {
  const store = openStore({ dir: storeDir });
  try {
    writeFileSync(join(dir, 'dep'), 'a dependency\n');
    const dep = (await addPath(store, join(dir, 'dep'))).object.path;
    const placeholder = 'p'.repeat(52);
    const tool = await withWorkDir(store, async (work, tree) => {
      const built = join(work, 'built');
      mkdirSync(join(built, 'bin'), { recursive: true });
      writeFileSync(join(built, 'bin', 'run'), `#!/bin/sh\nexec ${store.layout.storeDir}/${placeholder}-tool/bin/other "$@" # uses ${store.layout.storeDir}/${dep}\n`, { mode: 0o755 });
      writeFileSync(join(built, 'bin', 'other'), '#!/bin/sh\necho other\n', { mode: 0o755 });
      const m = await hashModulo(built, placeholder);
      const final = objectPath(m.hash, 'tool');
      await rewriteTree(built, tree, new Map([[placeholder, hashPart(final)]]), join(work, 'nar'));
      normalizeTree(tree);
      return commitObject(store, { tree, hash: m.hash, narSize: m.narSize, name: 'tool', references: [dep] }).object.path;
    });
    return { tool, dep };
  } finally {
    store.close();
  }
}

describe('moving a self-referring object', () => {
  test('a bare NAR of it is imported at its own path, and refused under another name', async () => {
    const dir = tempDir('export-nar');
    const one = join(dir, 'one');
    const { tool } = await selfReferring(one, dir);
    assert.ok(consistent(one));
    const nar = raw(one, ['dump', `${one}/store/${tool}`]).out;
    const two = join(dir, 'two');
    const imported = nomia(two, ['import', '--json'], { input: nar });
    assert.equal(imported.code, 0, imported.err);
    assert.equal(JSON.parse(imported.out).path, `${two}/store/${tool}`, 'the same path, so the scripts still point at it');
    assert.ok(consistent(two));
    const other = nomia(join(dir, 'three'), ['import', '--name', 'renamed'], { input: nar });
    assert.equal(other.code, 1, other.err);
    assert.match(other.err, /^error\[usage\]/);
    assert.match(other.err, /refers to its own path .*-tool; imported as renamed it would point at a path that is not its own/);
    assert.match(other.err, /hint: import it under its own name \(--name tool\), or move it with `nomia export`/);
  });

  test('export then import gives the same paths, hashes and references, the closure included', async () => {
    const dir = tempDir('export');
    const one = join(dir, 'one');
    const { tool, dep } = await selfReferring(one, dir);
    const exported = raw(one, ['export', `${one}/store/${tool}`]);
    assert.equal(exported.code, 0, exported.err);
    const two = join(dir, 'two');
    const imported = nomia(two, ['import', '--root', 'keep'], { input: exported.out });
    assert.equal(imported.code, 0, imported.err);
    assert.equal(imported.out.trim().split('\n').length, 2, 'the dependency came along, first');
    assert.equal(readFileSync(`${two}/store/${tool}/bin/run`, 'utf8').includes(`${one}/store/${tool}/bin/other`), true);
    assert.ok(consistent(two));
    const gc = nomia(two, ['gc', '--json']);
    assert.deepEqual(JSON.parse(gc.out).dead, [], 'the root holds the tool and, through its recorded reference, the dependency');
    assert.equal(readFileSync(`${two}/store/${dep}`, 'utf8'), 'a dependency\n');
    // Importing again changes nothing.
    const again = nomia(two, ['import', '--json'], { input: exported.out });
    assert.deepEqual(again.out.trim().split('\n').map((l) => JSON.parse(l).added), [false, false]);
  });
});

/** NAR strings, written out from the spec by hand (not with the code under test). */
const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeUInt32LE(n, 0); return b; };
const str = (s: string) => {
  const d = Buffer.from(s);
  const out = Buffer.alloc(8 + Math.ceil(d.length / 8) * 8);
  out.writeUInt32LE(d.length, 0);
  d.copy(out, 8);
  return out;
};

describe('the export format', () => {
  test('is byte for byte what docs/spec/export.md says', () => {
    const dir = tempDir('export-bytes');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'hi'), 'hi\n');
    writeFileSync(join(dir, 'lo'), 'lo\n');
    const lo = nomia(store, ['add', join(dir, 'lo')]).out.trim();
    const loPath = nomia(store, ['path', lo]).out.trim().split('/').pop()!;
    const hi = nomia(store, ['add', join(dir, 'hi'), '--reference', `${store}/store/${loPath}`]).out.trim();
    const hiPath = nomia(store, ['path', hi]).out.trim().split('/').pop()!;
    const hex = (name: string) => /sha256=([0-9a-f]{64})/.exec(name)![1]!;
    const nar = (text: string) => Buffer.concat(['nix-archive-1', '(', 'type', 'regular', 'contents', text, ')'].map(str));
    const expected = Buffer.concat([
      str('nomia-export-1'),
      u64(1), str('object'), str(loPath), str(hex(lo)), u64(0), nar('lo\n'),
      u64(1), str('object'), str(hiPath), str(hex(hi)), u64(1), str(loPath), nar('hi\n'),
      u64(0),
    ]);
    assert.deepEqual(raw(store, ['export', hi]).out, expected);
  });

  test('a corrupt export is refused at the bad byte; objects before it stay, nothing of the bad one does', () => {
    const dir = tempDir('export-corrupt');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'a'), 'aaaa\n');
    writeFileSync(join(dir, 'b'), 'bbbb\n');
    const a = nomia(store, ['add', join(dir, 'a')]).out.trim();
    const aPath = nomia(store, ['path', a]).out.trim();
    const b = nomia(store, ['add', join(dir, 'b'), '--reference', aPath]).out.trim();
    const good = raw(store, ['export', b]).out;
    const bad = Buffer.from(good);
    bad[bad.lastIndexOf(Buffer.from('bbbb'))] = 0x63; // the contents no longer match the hash
    const other = join(dir, 'other');
    const r = nomia(other, ['import'], { input: bad });
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[nar\/corrupt\]: corrupt NAR at byte \d+: the NAR of .*-b has the hash [0-9a-f]{64}, not the [0-9a-f]{64} the export gives/);
    assert.equal(nomia(other, ['cat', a]).out, 'aaaa\n');
    assert.equal(nomia(other, ['cat', b]).code, 1);
    assert.ok(consistent(other));
    const truncated = nomia(join(dir, 'third'), ['import'], { input: good.subarray(0, good.length - 8) });
    assert.match(truncated.err, /^error\[nar\/corrupt\]: corrupt NAR at byte \d+: input ends inside the length of an item marker/);
  });

  test('empty input is a usage error that says what import expects and how to give it, not a NAR error at byte 0', () => {
    const r = nomia(join(tempDir('import-empty'), 'store'), ['import'], { input: '' });
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[usage\]: import read nothing: standard input was empty, and it must hold a NAR or an export\n/);
    assert.match(r.err, /\n {2}hint: nomia dump NAME > x\.nar && nomia import < x\.nar/);
  });
});
