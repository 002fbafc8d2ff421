/**
 * filter-source:by-gitignore against git itself: every fixture tree is
 * filtered and compared with `git ls-files --others --cached
 * --exclude-standard` run on the same tree (files and symlinks; git lists
 * no directories), then random trees and patterns do the same. Through the
 * CLI, the stored result must equal what `git archive` of a commit of the
 * tree holds, byte for byte (same NAR hash, with nix-hash as the hasher).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ExternalNamespace } from '../../src/namespace/protocol/client.js';
import type { AtomRequest, RealizeContext, Resource } from '../../src/namespace/types.js';
import { byContentName } from '../../src/resource/names.js';
import { keptEntries } from '../../src/namespaces/filter-source/filter.js';
import { filterSourceNamespace } from '../../src/namespaces/filter-source/index.js';
import { addPath } from '../../src/store/add.js';
import { openStore, realPath } from '../../src/store/store.js';
import { compileWildmatch, wildmatch } from '../../src/namespaces/filter-source/wildmatch.js';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

/** A tree: byte-string path → file contents, `null` for an empty directory, a symlink, or an executable. */
type Spec = Record<string, string | null | { link: string } | { exe: string }>;

const bytes = (s: string) => Buffer.from(s, 'latin1');
/** The UTF-8 bytes of `s` as a byte string. */
const u = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

function makeTree(dir: string, spec: Spec): string {
  mkdirSync(dir, { recursive: true });
  for (const [path, what] of Object.entries(spec)) {
    const full = bytes(`${dir}/${path}`);
    if (what === null) {
      mkdirSync(full, { recursive: true });
      continue;
    }
    mkdirSync(bytes(dirname(`${dir}/${path}`)), { recursive: true });
    if (typeof what === 'string') writeFileSync(full, bytes(what));
    else if ('link' in what) symlinkSync(what.link, full);
    else writeFileSync(full, what.exe, { mode: 0o755 });
  }
  return dir;
}

/** git with no configuration but the repository's own: no global excludes file, no system config. */
const gitEnv = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LANG: 'C' };

function git(cwd: string, args: string[]): Buffer {
  const r = spawnSync('git', args, { cwd, env: gitEnv });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** What git lists for the tree at `dir` (it gets a `.git` of its own, which the filter drops anyway). */
function gitListing(dir: string): string[] {
  git(dir, ['init', '-q', '--template=', '.']);
  return git(dir, ['ls-files', '--others', '--cached', '--exclude-standard', '-z']).toString('latin1').split('\0').filter(Boolean).sort();
}

const ourListing = (dir: string) => keptEntries(dir).entries.map((e) => e.path).sort();

const fixtures: Record<string, { tree: Spec; kept: string[] }> = {
  'a negation under an excluded directory does not re-include': {
    tree: { '.gitignore': 'build/\n!build/keep.txt\n', 'build/keep.txt': 'k', 'build/x.o': 'x', 'src/main.c': 'm' },
    kept: ['.gitignore', 'src/main.c'],
  },
  'build/* with a negation re-includes; sub-directories stay out': {
    tree: { '.gitignore': 'build/*\n!build/keep.txt\n', 'build/keep.txt': 'k', 'build/x.o': 'x', 'build/sub/y': 'y' },
    kept: ['.gitignore', 'build/keep.txt'],
  },
  'a leading **/ matches at any depth, the top included': {
    tree: { '.gitignore': '**/foo\n**/bar/baz\n', foo: '', 'x/foo': '', 'x/y/foo/z': '', 'bar/baz': '', 'q/bar/baz': '', 'q/bar/bazz': '', foox: '' },
    kept: ['.gitignore', 'foox', 'q/bar/bazz'],
  },
  'a/**/b matches zero or more directories; c/**d is a one-segment star': {
    tree: { '.gitignore': 'a/**/b\nc/**d\n', 'a/b': '', 'a/q/b': '', 'a/q/r/b': '', 'a/bb': '', 'c/d': '', 'c/xd': '', 'c/x/d': '' },
    kept: ['.gitignore', 'a/bb', 'c/x/d'],
  },
  'a trailing /** matches everything inside, not the directory itself': {
    tree: { '.gitignore': 'logs/**\n!logs/**/\n!logs/keep\n', 'logs/1': '', 'logs/keep': '', 'logs/d/2': '', 'logs/d/keep': '', logsx: '' },
    kept: ['.gitignore', 'logs/keep', 'logsx'],
  },
  'dir/ matches directories only (not files, not symlinks to directories); dir matches both': {
    tree: { '.gitignore': 'd/\ne\n', 'd/f': '', 'x/d/f': '', 'e/f': '', 'x/e': '', dl: { link: 'd' }, 'q/d': '', el: { link: 'e' } },
    kept: ['.gitignore', 'dl', 'el', 'q/d'],
  },
  'escaped # and !, trailing spaces trimmed unless escaped, tabs and leading spaces kept': {
    tree: {
      '.gitignore': '\\#hash\n\\!bang\n#comment\nsp\\ \ntrail   \ntab\t\n  lead\n',
      '#hash': '', '!bang': '', comment: '', 'sp ': '', sp: '', trail: '', 'trail   ': '', tab: '', 'tab\t': '', '  lead': '', lead: '',
    },
    kept: ['.gitignore', 'comment', 'lead', 'sp', 'tab', 'trail   '],
  },
  'a nested .gitignore overrides its parent and anchors to its own directory': {
    tree: {
      '.gitignore': '*.log\n/top-only\n', 'a/.gitignore': '!keep.log\n/local\n', 'a/keep.log': '', 'a/x.log': '', 'a/local': '', 'a/b/local': '',
      'a/top-only': '', 'top-only': '', 'b/keep.log': '',
    },
    kept: ['.gitignore', 'a/.gitignore', 'a/b/local', 'a/keep.log', 'a/top-only'],
  },
  'a slash in the middle anchors the pattern; * and ? do not cross /': {
    tree: { '.gitignore': 'doc/*.txt\nsrc/?/gen\n', 'doc/a.txt': '', 'doc/sub/b.txt': '', 'x/doc/c.txt': '', 'src/a/gen': '', 'src/ab/gen': '', 'src/a/b/gen': '' },
    kept: ['.gitignore', 'doc/sub/b.txt', 'src/a/b/gen', 'src/ab/gen', 'x/doc/c.txt'],
  },
  'sets: ranges, negation with ! and ^, ] first, classes, a trailing -, unterminated': {
    tree: {
      '.gitignore': '[a-c]?\n[!x]z\n[^y]w\n[]]q\nfoo[\n[[:digit:]]n\n[[:upper:][:space:]]s\n[a-]m\n',
      a1: '', d1: '', yz: '', xz: '', yw: '', zw: '', ']q': '', 'foo[': '', fooa: '', '5n': '', an: '', Xs: '', ' s': '', xs: '', '-m': '', am: '', bm: '',
    },
    kept: ['.gitignore', 'd1', 'foo[', 'fooa', 'xs', 'xz', 'yw'],
  },
  'CRLF line ends and a byte order mark': {
    tree: { '.gitignore': '\xef\xbb\xbfa\r\nb \r\n\r\n#c\r\n', a: '', b: '', c: '', '#c': '' },
    kept: ['#c', '.gitignore', 'c'],
  },
  '? is one byte: it does not match a two-byte character': {
    tree: { '.gitignore': u('caf?\nna?ve\n[é]x\n'), [u('café')]: '', cafe: '', [u('naïve')]: '', naive: '', [u('éx')]: '', ex: '' },
    kept: ['.gitignore', u('café'), 'ex', u('naïve'), u('éx')],
  },
  'a .gitignore that ignores itself is still read, and so are nested ones': {
    tree: { '.gitignore': '.*\n!.keep\n', '.hidden': '', '.keep': '', 'sub/.gitignore': '!.other\n', 'sub/.other': '', 'sub/.x': '', visible: '' },
    kept: ['.keep', 'sub/.other', 'visible'],
  },
  'a symlinked .gitignore is not read, nor a directory named .gitignore': {
    tree: { 'real-rules': 'a\n', 'sub/.gitignore': { link: '../real-rules' }, 'sub/a': '', 'other/.gitignore/x': '', 'other/a': '' },
    kept: ['other/.gitignore/x', 'other/a', 'real-rules', 'sub/.gitignore', 'sub/a'],
  },
  'the last matching line of a file wins': {
    tree: { '.gitignore': '*.o\n!a.o\na.o\n!b.o\n', 'a.o': '', 'b.o': '', 'c.o': '' },
    kept: ['.gitignore', 'b.o'],
  },
  'the .gitignore of an ignored directory is never read': {
    tree: { '.gitignore': 'vendor\n', 'vendor/.gitignore': '!*\n', 'vendor/lib.c': '', 'main.c': '' },
    kept: ['.gitignore', 'main.c'],
  },
  'patterns that match nothing: a trailing backslash, a lone ! or /, an unknown class': {
    tree: { '.gitignore': 'x\\\n!\n/\n[[:nope:]]\n', 'x\\': '', x: '', '!': '', n: '' },
    kept: ['!', '.gitignore', 'n', 'x', 'x\\'],
  },
  'only *.c: ignore everything, re-include directories and *.c': {
    tree: { '.gitignore': '*\n!*/\n!*.c\n', 'a.c': '', 'a.h': '', 'd/b.c': '', 'd/b.h': '', 'd/e/c.c': '', Makefile: '' },
    kept: ['a.c', 'd/b.c', 'd/e/c.c'],
  },
  'a leading and a middle slash both anchor; a nested file anchors to its directory': {
    tree: {
      '.gitignore': '/a/b\nc/d\n', 'a/b': '', 'x/a/b': '', 'c/d': '', 'x/c/d': '', 'sub/.gitignore': 'e/f\n', 'sub/e/f': '', 'e/f': '', 'sub/x/e/f': '',
    },
    kept: ['.gitignore', 'e/f', 'sub/.gitignore', 'sub/x/e/f', 'x/a/b', 'x/c/d'],
  },
  'a NUL byte ends a line, as in git': {
    tree: { '.gitignore': 'a\0b\nc \0x\n\0d\n', a: '', ab: '', b: '', c: '', 'c ': '', d: '' },
    kept: ['.gitignore', 'ab', 'b', 'c ', 'd'],
  },
  'names that are not UTF-8': {
    tree: { '.gitignore': 'f?\n!f\xfe\n', 'f\xff': '', 'f\xfe': '', fa: '', 'g\xff': '' },
    kept: ['.gitignore', 'f\xfe', 'g\xff'],
  },
  'executables, symlinks (dangling too) and empty directories': {
    tree: {
      '.gitignore': 'out/\n*.tmp\n', 'run.sh': { exe: '#!/bin/sh\n' }, link: { link: 'run.sh' }, dangling: { link: 'nowhere' }, empty: null,
      'only-ignored/a.tmp': '', 'out/x': '', 'tree/leaf': '',
    },
    kept: ['.gitignore', 'dangling', 'link', 'run.sh', 'tree/leaf'],
  },
};

describe('filter-source: .gitignore semantics, with git as the oracle', () => {
  for (const [title, { tree, kept }] of Object.entries(fixtures)) {
    test(title, (t) => {
      if (!requireTool(t, 'git', 'git')) return;
      const dir = makeTree(tempDir('gitignore'), tree);
      const ours = ourListing(dir);
      assert.deepEqual(ours, gitListing(dir), 'the filter keeps exactly what git lists');
      assert.deepEqual(ours, [...kept].sort(), 'and what this fixture expects');
    });
  }

  test('every .git entry is dropped, at any depth, whatever it is', () => {
    const dir = makeTree(tempDir('dotgit'), { '.git/config': '', 'a/.git': 'gitdir: elsewhere\n', 'a/f': '', 'b/.git/HEAD': '', 'b/g': '', '.gitx': '' });
    assert.deepEqual(ourListing(dir), ['.gitx', 'a/f', 'b/g']);
  });

  test('random trees and patterns agree with git', (t) => {
    if (!requireTool(t, 'git', 'git')) return;
    const names = ['a', 'b', 'ab', 'a.o', 'b.txt', '.x', 'x y', 'c[1]'];
    const pathArb = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
    const segment = fc.constantFrom('a', 'b', 'ab', '*', '**', '?', 'a*', '*.o', '*.txt', '[ab]', '[!a]*', '[a-c]', '\\a', 'x\\ y', 'x y', '.x', 'c\\[1]', 'c[[]1]');
    const line = fc.tuple(
      fc.constantFrom('', '', '', '!', '#', '\\!'),
      fc.constantFrom('', '', '/'),
      fc.array(segment, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('', '', '/', ' ', '\\ '),
    ).map(([pre, lead, segs, post]) => `${pre}${lead}${segs.join('/')}${post}`);
    const rules = fc.array(line, { minLength: 1, maxLength: 5 }).map((ls) => `${ls.join('\n')}\n`);
    const treeArb = fc.record({
      files: fc.uniqueArray(pathArb, { minLength: 1, maxLength: 12 }),
      ignores: fc.array(fc.tuple(fc.array(fc.constantFrom(...names), { maxLength: 2 }), rules), { minLength: 1, maxLength: 3 }),
    });
    let run = 0;
    const root = tempDir('gitignore-random');
    fc.assert(fc.property(treeArb, ({ files, ignores }) => {
      const dir = join(root, String(run++));
      // A path cannot be a file and hold another; the deeper one wins.
      const spec: Spec = {};
      for (const f of files) if (!files.some((g) => g.startsWith(`${f}/`))) spec[f] = f;
      for (const [where, text] of ignores) {
        const d = where.join('/');
        if (d === '' || Object.keys(spec).some((f) => f.startsWith(`${d}/`))) spec[d === '' ? '.gitignore' : `${d}/.gitignore`] = text;
      }
      makeTree(dir, spec);
      try {
        assert.deepEqual(ourListing(dir), gitListing(dir), JSON.stringify(spec));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }), { numRuns: Number(process.env['NOMIA_PROPERTY_RUNS'] ?? 150) });
  });
});

describe('filter-source: wildmatch', () => {
  const m = (p: string, text: string, pathname = true) => wildmatch(compileWildmatch(p, pathname), text);
  test('wildcards, whole-segment **, sets and escapes', () => {
    assert.ok(m('a/**/b', 'a/b') && m('a/**/b', 'a/x/y/b') && !m('a/**/b', 'a/xb'));
    assert.ok(m('**', 'x/y/z') && m('**/z', 'z') && !m('x/**', 'x'));
    assert.ok(m('a**', 'abc') && !m('a**', 'a/c'), '** inside a segment is *');
    assert.ok(m('a*', 'a/c', false), 'without pathname rules * crosses /');
    assert.ok(m('[[:alpha:]]?', 'x1') && !m('[[:alpha:]]?', '1x'));
    assert.ok(m('\\*', '*') && !m('\\*', 'x') && !m('x\\', 'x\\'));
    assert.ok(!m('[a-', 'a') && !m('[[:nope:]]', 'n'), 'a malformed set matches nothing');
    assert.ok(m('[!a]', 'b') && !m('[!a]', '/') && !m('[/]', '/'), 'a set never matches / in paths');
  });
});

describe('filter-source:by-gitignore through the CLI', () => {
  const name = (out: string) => out.trim().split('\n')[0]!;
  const path = (out: string) => out.trim().split('\n')[1]!;

  function listTree(root: string, rel = ''): string[] {
    const out: string[] = [];
    for (const e of readdirSync(join(root, rel)).sort()) {
      const p = rel ? `${rel}/${e}` : e;
      const st = lstatSync(join(root, p));
      if (st.isDirectory()) out.push(`${p}/`, ...listTree(root, p));
      else out.push(p);
    }
    return out;
  }

  test('the result is what git archive of a commit of the tree holds, byte for byte', (t) => {
    if (!requireTool(t, 'git', 'git') || !requireTool(t, 'nix-hash', 'nix-bin') || !requireTool(t, 'tar', 'tar')) return;
    const dir = tempDir('by-gitignore');
    const tree: Spec = {
      '.gitignore': 'build/\n*.o\n!keep.o\nnode_modules\n', 'src/main.c': 'int main(){}\n', 'src/main.o': 'obj', 'src/keep.o': 'kept',
      'build/out': 'x', 'bin/run': { exe: '#!/bin/sh\necho hi\n' }, 'bin/link': { link: 'run' }, 'gen/.gitignore': '*\n!.gitignore\n', 'gen/x.c': '',
      'objs/a.o': '', 'empty': null, 'node_modules/m/index.js': '', 'docs/readme': 'r\n',
    };
    makeTree(join(dir, 'proj'), tree);
    const store = join(dir, 'store');
    const r = nomia(store, ['realize', '--log-format', 'plain', 'filter-source:by-gitignore(filesystem:import?path="./proj")'], { cwd: dir });
    assert.equal(r.code, 0, r.err);
    assert.match(name(r.out), /^filesystem:by-content\?name=proj&sha256=[0-9a-f]{64}$/);
    assert.deepEqual(listTree(path(r.out)), [
      '.gitignore', 'bin/', 'bin/link', 'bin/run', 'docs/', 'docs/readme', 'gen/', 'gen/.gitignore', 'src/', 'src/keep.o', 'src/main.c',
    ], 'ignored files and directories left out; directories with nothing kept (empty, objs) too');
    assert.equal(readlinkSync(join(path(r.out), 'bin/link')), 'run');
    assert.equal(lstatSync(join(path(r.out), 'bin/run')).mode & 0o777, 0o555);
    assert.equal(readFileSync(join(path(r.out), 'src/keep.o'), 'utf8'), 'kept');

    // The oracle for the whole tree: commit what git takes, export it, hash both the Nix way.
    const copy = makeTree(join(dir, 'copy'), tree);
    git(copy, ['init', '-q', '--template=', '.']);
    git(copy, ['add', '-A']);
    git(copy, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'x']);
    const exported = join(dir, 'exported');
    mkdirSync(exported);
    const tar = spawnSync('sh', ['-c', 'git archive HEAD | tar -x -C "$0"', exported], { cwd: copy, env: gitEnv });
    assert.equal(tar.status, 0, String(tar.stderr));
    const nix = spawnSync('nix-hash', ['--type', 'sha256', exported], { encoding: 'utf8' });
    assert.equal(nix.status, 0, nix.stderr);
    assert.equal(name(r.out).split('sha256=')[1], nix.stdout.trim());
  });

  test('a second realize is a lookup; a change to an ignored file changes nothing downstream', () => {
    const dir = tempDir('by-gitignore-reuse');
    const proj = makeTree(join(dir, 'proj'), { '.gitignore': '*.log\n', 'a.c': 'a', 'debug.log': 'one' });
    const store = join(dir, 'store');
    const added = nomia(store, ['add', proj]);
    assert.equal(added.code, 0, added.err);
    const input = added.out.trim();
    const filtered = `filter-source:by-gitignore(${input})`;
    const first = nomia(store, ['realize', '--log-format', 'json', filtered], { cwd: dir });
    assert.equal(first.code, 0, first.err);
    assert.match(first.err, /"kind":"log".*kept 2 files and symlinks, dropped 1 ignored paths/);
    const second = nomia(store, ['realize', '--log-format', 'json', filtered], { cwd: dir });
    assert.equal(second.out, first.out);
    assert.doesNotMatch(second.err, /"kind":"realizing"/, 'nothing ran');

    // Through a contextual import: the import runs again, the filter gives the same object, the consumer is reused.
    const pipeline = 'exec:run?args=[sh, -c, "ls $in > $out"](in: filter-source:by-gitignore(filesystem:import?path="./proj"))';
    const before = nomia(store, ['realize', '--log-format', 'json', pipeline], { cwd: dir });
    assert.equal(before.code, 0, before.err);
    writeFileSync(join(proj, 'debug.log'), 'two');
    const after = nomia(store, ['realize', '--log-format', 'json', pipeline], { cwd: dir });
    assert.equal(after.code, 0, after.err);
    assert.equal(after.out, before.out);
    const ran = after.err.split('\n').filter((l) => l.includes('"kind":"realizing"')).map((l) => (JSON.parse(l) as { label: string }).label);
    assert.equal(ran.length, 2, ran.join(' | '));
    assert.ok(ran.every((l) => !l.startsWith('exec:')), 'the consumer of the filtered tree did not run');
  });

  test('name= names the result; a file input and unknown names are clear errors', () => {
    const dir = tempDir('by-gitignore-errors');
    makeTree(join(dir, 'proj'), { 'f': 'x' });
    const store = join(dir, 'store');
    const named = nomia(store, ['realize', 'filter-source:by-gitignore?name=clean(filesystem:import?path="./proj")'], { cwd: dir });
    assert.equal(named.code, 0, named.err);
    assert.match(name(named.out), /^filesystem:by-content\?name=clean&sha256=/);
    const file = nomia(store, ['realize', 'filter-source:by-gitignore(filesystem:import?path="./proj/f")'], { cwd: dir });
    assert.equal(file.code, 1);
    assert.match(file.err, /input `0` of `filter-source:by-gitignore` must be a dir/);
    const unknown = nomia(store, ['realize', 'filter-source:by-glob(filesystem:import?path="./proj")'], { cwd: dir });
    assert.match(unknown.err, /error\[usage\]: filter-source:by-glob is not a name of this namespace/);
    const param = nomia(store, ['realize', 'filter-source:by-gitignore?nmae=x(filesystem:import?path="./proj")'], { cwd: dir });
    assert.match(param.err, /error\[usage\]: filter-source:by-gitignore does not take the parameter `nmae`/);
  });


  test('direct and behind the JSON-RPC wrapper: the same result', async () => {
    const dir = tempDir('by-gitignore-rpc');
    const store = openStore({ dir: join(dir, 'store'), fsync: false });
    const rpc = new ExternalNamespace({
      id: 'filter-source', spelling: filterSourceNamespace.spelling,
      command: [process.execPath, fileURLToPath(new URL('../namespace/serve-builtin.js', import.meta.url)), '--serve', 'filter-source'],
    });
    try {
      const proj = makeTree(join(dir, 'proj'), { '.gitignore': '*.o\n', 'a.c': 'a', 'a.o': 'o', 'bin/run': { exe: 'x' }, 'bin/l': { link: 'run' } });
      const { object } = await addPath(store, proj);
      const input: Resource = { kind: 'object', type: 'dir', name: byContentName(object), path: realPath(store, object) };
      const req: AtomRequest = { namespace: { id: 'filter-source', params: [] }, nameId: 'by-gitignore', params: [] };
      const ctx: RealizeContext = {
        store, signal: new AbortController().signal, context: { env: {}, cwd: dir, now: 0, stdin: () => process.stdin },
        events: { emit: () => undefined }, log: () => undefined, emitReduction: () => undefined,
      };
      const direct = (await filterSourceNamespace.realize(req, { 0: input }, ctx))['out']!;
      const viaRpc = (await rpc.realize(req, { 0: input }, ctx))['out']!;
      assert.equal(viaRpc.name, direct.name);
      assert.match(direct.name, /^filesystem:by-content\?name=proj&sha256=/);
      assert.deepEqual(await rpc.describe(req), await filterSourceNamespace.describe(req));
    } finally {
      await rpc.close();
      store.close();
    }
  });
});
