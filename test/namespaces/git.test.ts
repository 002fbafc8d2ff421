/**
 * The git namespace through the real CLI on temporary stores, against
 * repositories the tests make (plain paths and file:// URLs; no network),
 * with `git archive` + `nix-hash` as the oracle for the fetched trees.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test, type TestContext } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nomia, nomiaAsync, tempDir } from '../support/cli.js';
import { collidingCommits, gitEnv, Repo } from '../support/git-repos.js';
import { requireTool } from '../support/tools.js';

const BY_CONTENT = /^filesystem:by-content\?name=source&sha256=([0-9a-f]{64})$/;

interface Realized { code: number | null; out: string; err: string; name: string; path: string; events: EngineEvent[] }

function realize(store: string, name: string, cwd?: string): Realized {
  const r = nomia(store, ['realize', '--log-format', 'json', name], cwd === undefined ? {} : { cwd });
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  const [refined = '', path = ''] = r.out.trim().split('\n');
  return { ...r, name: refined, path, events };
}

function ok(r: Realized): Realized {
  assert.equal(r.code, 0, r.err);
  assert.match(r.name, BY_CONTENT);
  return r;
}

const logs = (r: Realized) => r.events.flatMap((e) => (e.kind === 'log' ? [e.line] : []));
const ran = (r: Realized) => r.events.flatMap((e) => (e.kind === 'realizing' ? [e.label] : []));
const errorLine = (r: Realized) => r.err.split('\n').filter((l) => !l.startsWith('{')).join('\n');

/** The cache entries of a store (bare repositories). */
function cacheEntries(store: string): string[] {
  const root = join(store, 'cache', 'git');
  return existsSync(root) ? readdirSync(root).filter((e) => e.endsWith('.git')) : [];
}

function needGit(t: TestContext): boolean {
  return requireTool(t, 'git', 'git');
}

/** `nix-hash --type sha256` of `git archive REV` extracted with tar: what Nix users compare against. */
function archiveHash(repo: Repo, rev: string, dir: string): string {
  const out = join(dir, `archive-${rev}`);
  mkdirSync(out);
  const tar = execFileSync('git', ['archive', '--format=tar', rev], { cwd: repo.dir, env: gitEnv, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', out], { input: tar });
  return execFileSync('nix-hash', ['--type', 'sha256', out]).toString().trim();
}

/** A repository with every kind of entry git has: text, empty, executable, symlinks, nesting, a name that is not UTF-8. */
function sampleRepo(dir: string): { repo: Repo; rev: string } {
  const repo = Repo.init(join(dir, 'sample'));
  const rev = repo.commit('sample', {
    'README': 'hello\n',
    'empty': '',
    'bin/tool': { exe: '#!/bin/sh\necho tool\n' },
    'src/deep/er/file.c': 'int main(void) { return 0; }\n',
    'with space.txt': 'spaces\n',
    'ünïcödé.txt': 'u\n',
    'link': { symlink: 'README' },
    'abs-link': { symlink: '/etc/passwd' },
    'dangling': { symlink: 'no/such/file' },
    'dir-link': { symlink: 'src/deep' },
  }, [[Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0xe9]), 'latin1 name\n']]);
  return { repo, rev };
}

describe('git:exact-fetch', () => {
  test('the tree of a commit, without .git, modes and symlinks as git has them; its NAR hash is nix-hash of `git archive`', (t) => {
    if (!needGit(t) || !requireTool(t, 'nix-hash', 'nix-bin')) return;
    const dir = tempDir('git-exact');
    const { repo, rev } = sampleRepo(dir);
    const r = ok(realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${rev}`));
    assert.equal(BY_CONTENT.exec(r.name)![1], archiveHash(repo, rev, dir));
    const p = r.path;
    assert.equal(existsSync(join(p, '.git')), false);
    assert.equal(readFileSync(join(p, 'README'), 'utf8'), 'hello\n');
    assert.equal(statSync(join(p, 'bin/tool')).mode & 0o111, 0o111);
    assert.equal(statSync(join(p, 'README')).mode & 0o111, 0);
    assert.equal(readlinkSync(join(p, 'link')), 'README');
    assert.equal(readlinkSync(join(p, 'abs-link')), '/etc/passwd');
    assert.equal(readlinkSync(join(p, 'dangling')), 'no/such/file');
    assert.ok(lstatSync(join(p, 'dir-link')).isSymbolicLink());
    assert.ok(readdirSync(p, { encoding: 'buffer' }).some((n) => n.equals(Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0xe9]))));
    // Registered without a copy, so its metadata must already be the store's: verify rehashes and checks it.
    assert.equal(statSync(join(p, 'src/deep')).mode & 0o777, 0o555);
    assert.equal(statSync(join(p, 'README')).mode & 0o777, 0o444);
    assert.equal(statSync(join(p, 'bin/tool')).mtimeMs, 1000);
    const v = nomia(join(dir, 'store'), ['verify', '--json']);
    assert.equal(JSON.parse(v.out).consistent, true, v.out);
    assert.deepEqual(JSON.parse(v.out).issues, [], v.out);
  });

  test('a second realize is a lookup; a file:// spelling of the same repository uses the same cache entry without fetching', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-cache');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'r'));
    const rev = repo.commit('one', { a: 'a\n' });
    const first = ok(realize(store, `git:exact-fetch?repo="${repo.dir}"&rev=${rev}`));
    assert.ok(logs(first).some((l) => l.startsWith(`fetching ${rev}`)), logs(first).join('\n'));
    const again = ok(realize(store, `git:exact-fetch?repo="${repo.dir}"&rev=${rev}`));
    assert.deepEqual(ran(again), [], 'nothing runs the second time');
    assert.equal(again.name, first.name);
    const viaUrl = ok(realize(store, `git:exact-fetch?repo=file://${repo.dir}/&rev=${rev}`));
    assert.equal(viaUrl.name, first.name);
    assert.deepEqual(logs(viaUrl), [`${rev} is in the cache`]);
    assert.equal(cacheEntries(store).length, 1);
    assert.equal(readFileSync(join(store, 'cache', 'git', cacheEntries(store)[0]!, 'nomia-repo'), 'utf8'), `${repo.dir}\n`);
    // The cache is no concern of the store's consistency.
    const v = nomia(store, ['verify', '--json']);
    assert.equal(JSON.parse(v.out).consistent, true, v.out);
  });

  test('a relative path is taken from the current directory', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-relative');
    const repo = Repo.init(join(dir, 'r'));
    const rev = repo.commit('one', { a: 'relative\n' });
    const r = ok(realize(join(dir, 'store'), `git:exact-fetch?repo="./r"&rev=${rev}`, dir));
    assert.equal(readFileSync(join(r.path, 'a'), 'utf8'), 'relative\n');
  });

  test('an abbreviated revision reduces to the full one, recorded as its own step; `nomia reductions` shows both', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-abbrev');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'r'));
    const rev = repo.commit('one', { a: 'a\n' });
    const abbrev = `git:exact-fetch?repo=file://${repo.dir}&rev=${rev.slice(0, 7)}`;
    const r = ok(realize(store, abbrev));
    const full = `git:exact-fetch?repo=file://${repo.dir}&rev=${rev}`;
    assert.ok(r.events.some((e) => e.kind === 'reduced' && e.to === full), 'abbreviated → full is recorded');
    const red = nomia(store, ['reductions', abbrev]);
    assert.equal(red.code, 0, red.err);
    const chain = red.out.split('\n').filter((l) => l.startsWith('  => ')).map((l) => l.slice(5));
    assert.deepEqual(chain, [full, r.name]);
    // The full name is now a lookup, and so is the abbreviated one.
    assert.deepEqual(ran(ok(realize(store, full))), []);
    assert.deepEqual(ran(ok(realize(store, abbrev))), []);
    // Upper-case hex names the same commit: an a-priori reduction, known before anything runs.
    const upper = ok(realize(store, `git:exact-fetch?repo=file://${repo.dir}&rev=${rev.toUpperCase()}`));
    assert.equal(upper.name, r.name);
    const json = JSON.parse(nomia(store, ['reductions', '--json', `git:exact-fetch?repo=file://${repo.dir}&rev=${rev.toUpperCase()}`]).out) as { to?: string; kind?: string }[];
    assert.deepEqual([json[0]!.to, json[0]!.kind], [full, 'a-priori']);
  });

  test('an ambiguous abbreviation is git/rev-ambiguous and lists the candidates', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-ambiguous');
    const repo = Repo.init(join(dir, 'r'));
    repo.commit('base', { a: 'a\n' });
    const { prefix, commits } = collidingCommits(repo);
    const r = realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${prefix}`);
    assert.equal(r.code, 1);
    assert.match(errorLine(r), new RegExp(`error\\[git/rev-ambiguous\\]: the abbreviated revision ${prefix} is ambiguous`));
    for (const c of commits) assert.ok(errorLine(r).includes(c.slice(0, 7)), errorLine(r));
    assert.match(errorLine(r), /hint: give more hex digits/);
    // One more digit tells them apart.
    const longer = commits[0].slice(0, 7);
    assert.equal(ok(realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${longer}`)).code, 0);
  });

  test('a revision the repository does not have is git/rev-not-found, full or abbreviated', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-missing-rev');
    const repo = Repo.init(join(dir, 'r'));
    const rev = repo.commit('one', { a: 'a\n' });
    const missing = rev.startsWith('f') ? '0'.repeat(40) : 'f'.repeat(40);
    const full = realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${missing}`);
    assert.equal(full.code, 1);
    assert.match(errorLine(full), new RegExp(`error\\[git/rev-not-found\\]: the revision ${missing} is not a commit of ${repo.dir}`));
    assert.match(errorLine(full), /hint: check `rev=`; `git ls-remote/);
    const abbrev = realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${missing.slice(0, 8)}`);
    assert.equal(abbrev.code, 1);
    assert.match(errorLine(abbrev), new RegExp(`error\\[git/rev-not-found\\]: no commit of ${repo.dir} starts with ${missing.slice(0, 8)}`));
  });

  test('a missing repository, or a directory that is no repository, is git/failed with a hint', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-missing-repo');
    const rev = 'a'.repeat(40);
    const none = realize(join(dir, 'store'), `git:exact-fetch?repo="${dir}/nope"&rev=${rev}`);
    assert.equal(none.code, 1);
    assert.match(errorLine(none), new RegExp(`error\\[git/failed\\]: the repository ${dir}/nope does not exist`));
    assert.match(errorLine(none), /hint: check `repo=`/);
    mkdirSync(join(dir, 'plain'));
    const plain = realize(join(dir, 'store'), `git:exact-fetch?repo=file://${dir}/plain&rev=${rev}`);
    assert.equal(plain.code, 1);
    assert.match(errorLine(plain), /error\[git\/failed\]: git failed to fetch from file:\/\/.*does not appear to be a git repository/);
  });

  test('bad parameters are usage errors before anything runs', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-usage');
    const store = join(dir, 'store');
    const cases: [string, RegExp][] = [
      ['git:exact-fetch?repo="/r"&rev=main', /error\[usage\]: git:exact-fetch has rev="main", which is not a commit hash/],
      ['git:exact-fetch?repo="/r"&rev=abc', /error\[usage\]: git:exact-fetch has rev="abc", which is not a commit hash/],
      [`git:exact-fetch?repo="/r"&rev=${'a'.repeat(41)}`, /which is not a commit hash/],
      ['git:exact-fetch?repo="/r"', /error\[usage\]: git:exact-fetch needs the parameter `rev`/],
      ['git:exact-fetch?rev=abcd', /error\[usage\]: git:exact-fetch needs the parameter `repo`/],
      ['git:exact-fetch?repo="-x"&rev=abcd', /looks like an option/],
      ['git:exact-fetch?repo="/r"&rev=abcd&depth=1', /does not take the parameter `depth`/],
      ['git:exact-fetch?repo="/r"&rev=abcd&submodules=yes', /takes submodules=true or submodules=false/],
      ['git:latest?repo="/r"&ref="a..b"', /error\[usage\]: git:latest has ref="a..b", which is not a valid git ref name/],
      ['git:latest?repo="/r"&rev=abcd', /does not take the parameter `rev`/],
      ['git:fetch?repo="/r"', /is not a name of this namespace/],
    ];
    for (const [name, expected] of cases) {
      const r = realize(store, name);
      assert.equal(r.code, 1, name);
      assert.match(errorLine(r), expected, name);
      assert.deepEqual(ran(r), [], `${name}: nothing runs`);
    }
  });

  test('.gitattributes do not apply: the files are the blobs git stores', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-attributes');
    const repo = Repo.init(join(dir, 'r'));
    const rev = repo.commit('attrs', { '.gitattributes': '* text eol=crlf\nhidden export-ignore\nsubst export-subst\n', text: 'a\nb\n', hidden: 'still here\n', subst: '$Format:%H$\n' });
    const r = ok(realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${rev}`));
    assert.equal(readFileSync(join(r.path, 'text'), 'utf8'), 'a\nb\n');
    assert.equal(readFileSync(join(r.path, 'hidden'), 'utf8'), 'still here\n');
    assert.equal(readFileSync(join(r.path, 'subst'), 'utf8'), '$Format:%H$\n');
  });

  test('a crafted tree that would write outside itself is refused: an entry `..`, a name with a slash under a symlink', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-unsafe');
    const repo = Repo.init(join(dir, 'r'));
    repo.commit('base', { a: 'a\n' });
    const blob = repo.run(['hash-object', '-w', '--stdin'], 'evil\n');
    const inner = repo.run(['mktree'], `100644 blob ${blob}\tx\n`);
    // mktree refuses `..`; a tree object written directly does not ask.
    const entry = Buffer.concat([Buffer.from('40000 ..\0'), Buffer.from(inner, 'hex')]);
    const tree = execFileSync('git', ['hash-object', '-t', 'tree', '-w', '--literally', '--stdin'], { cwd: repo.dir, env: gitEnv, input: entry }).toString().trim();
    const commit = repo.run(['commit-tree', tree, '-m', 'evil']);
    repo.run(['update-ref', 'refs/heads/evil', commit]);
    const r = realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${commit}`);
    assert.equal(r.code, 1, r.out);
    assert.match(errorLine(r), /error\[git\/failed\]: the tree of [0-9a-f]{40} has an entry git refuses to check out: "\.\."/);

    // A symlink `a` to a directory outside, and an entry whose name `a/x` has a slash: it must not be written through the link.
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const target = repo.run(['hash-object', '-w', '--stdin'], outside);
    const through = Buffer.concat([
      Buffer.from('120000 a\0'), Buffer.from(target, 'hex'),
      Buffer.from('100644 a/x\0'), Buffer.from(blob, 'hex'),
    ]);
    const tree2 = execFileSync('git', ['hash-object', '-t', 'tree', '-w', '--literally', '--stdin'], { cwd: repo.dir, env: gitEnv, input: through }).toString().trim();
    const commit2 = repo.run(['commit-tree', tree2, '-m', 'through a link']);
    repo.run(['update-ref', 'refs/heads/through', commit2]);
    const r2 = realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${commit2}`);
    assert.equal(r2.code, 1, r2.out);
    assert.match(errorLine(r2), /error\[git\/failed\]: the tree of [0-9a-f]{40} has an entry git refuses to check out: "a\/x"/);
    assert.deepEqual(readdirSync(outside), [], 'nothing written outside the tree');
  });

  test('two concurrent realizes of two revisions on a fresh store share one cache entry', async (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-concurrent');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'r'));
    const revs = [repo.commit('one', { a: '1\n' }), repo.commit('two', { a: '2\n' })];
    const runs = revs.map((rev) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = nomiaAsync(store, ['realize', `git:exact-fetch?repo="${repo.dir}"&rev=${rev}`]);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      child.on('close', (code) => resolve({ code, out, err }));
    }));
    const results = await Promise.all(runs);
    results.forEach((r, i) => {
      assert.equal(r.code, 0, r.err);
      assert.equal(readFileSync(join(r.out.trim().split('\n')[1]!, 'a'), 'utf8'), `${i + 1}\n`);
    });
    assert.equal(cacheEntries(store).length, 1);
    assert.deepEqual(readdirSync(join(store, 'cache', 'git')).filter((e) => e.endsWith('.lock')), [], 'locks released');
  });

  test('a lock left by a process that died is taken over', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-stale-lock');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'r'));
    const rev = repo.commit('one', { a: '1\n' });
    ok(realize(store, `git:exact-fetch?repo="${repo.dir}"&rev=${rev}`));
    const entry = cacheEntries(store)[0]!;
    // A process that has exited: a shell that ran and is gone.
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(store, 'cache', 'git', `${entry}.lock`), `${gone} 1`);
    const next = repo.commit('two', { a: '2\n' });
    ok(realize(store, `git:exact-fetch?repo="${repo.dir}"&rev=${next}`));
  });
});

describe('git:latest', () => {
  test('reduces to the exact-fetch of the commit the ref points at, and on to by-content; `nomia reductions` shows the chain', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-latest');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'r'));
    const first = repo.commit('one', { a: '1\n' });
    const latest = `git:latest?repo=file://${repo.dir}&ref=main`;
    const r1 = ok(realize(store, latest));
    assert.equal(readFileSync(join(r1.path, 'a'), 'utf8'), '1\n');
    const exact1 = `git:exact-fetch?repo=file://${repo.dir}&rev=${first}`;
    const chain = (name: string) => {
      const red = nomia(store, ['reductions', name]);
      assert.equal(red.code, 0, red.err);
      return red.out.split('\n').filter((l) => l.startsWith('  => ')).map((l) => l.slice(5));
    };
    assert.deepEqual(chain(latest), [exact1, r1.name]);
    // Contextual: realized again, it asks the repository again and follows a new commit.
    const second = repo.commit('two', { a: '2\n', b: 'new\n' });
    const r2 = ok(realize(store, latest));
    assert.equal(readFileSync(join(r2.path, 'a'), 'utf8'), '2\n');
    assert.deepEqual(chain(latest), [`git:exact-fetch?repo=file://${repo.dir}&rev=${second}`, r2.name]);
    // Incremental: the new commit is fetched by its hash into the same cache entry.
    assert.ok(logs(r2).includes(`fetching ${second} from file://${repo.dir}`), logs(r2).join('\n'));
    assert.equal(cacheEntries(store).length, 1);
    // The ref unchanged: the exact name is a lookup, nothing is fetched.
    const r3 = ok(realize(store, latest));
    assert.equal(r3.name, r2.name);
    assert.deepEqual(logs(r3), [`main is ${second}`]);
    assert.deepEqual(chain(exact1), [r1.name]);
  });

  test('a relative path is resolved against the current directory, and the exact name carries the absolute path; ref defaults to HEAD', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-latest-relative');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'r'));
    const rev = repo.commit('one', { a: '1\n' });
    const r = ok(realize(store, 'git:latest?repo="./r"', dir));
    assert.ok(r.events.some((e) => e.kind === 'reduced' && e.to === `git:exact-fetch?repo=${repo.dir}&rev=${rev}`), 'reduced to the absolute path');
  });

  test('an annotated tag is peeled to its commit; a ref the repository lacks is git/rev-not-found', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-latest-tag');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'r'));
    const tagged = repo.commit('one', { a: '1\n' });
    repo.run(['tag', '-a', 'v1', '-m', 'release']);
    repo.commit('two', { a: '2\n' });
    const r = ok(realize(store, `git:latest?repo="${repo.dir}"&ref=v1&submodules=false`));
    assert.equal(readFileSync(join(r.path, 'a'), 'utf8'), '1\n');
    assert.ok(r.events.some((e) => e.kind === 'reduced' && e.to === `git:exact-fetch?repo=${repo.dir}&rev=${tagged}&submodules=false`));
    const bad = realize(store, `git:latest?repo="${repo.dir}"&ref=nope`);
    assert.equal(bad.code, 1);
    assert.match(errorLine(bad), new RegExp(`error\\[git/rev-not-found\\]: ${repo.dir} has no branch or tag \`nope\``));
    assert.match(errorLine(bad), /hint: check `ref=`/);
    const noRepo = realize(store, `git:latest?repo="${dir}/nope"`);
    assert.match(errorLine(noRepo), /error\[git\/failed\]: the repository .* does not exist/);
  });

  test('behind the out-of-process protocol (no recursive resolve there), latest still reduces and realizes', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-protocol');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'r'));
    const rev = repo.commit('one', { a: '1\n' });
    const server = fileURLToPath(new URL('../namespace/serve-builtin.js', import.meta.url));
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ namespaces: { gitx: { command: [process.execPath, server, '--serve', 'git'] } } }));
    const r = ok(realize(store, `gitx:latest?repo="./r"&ref=main`, dir));
    assert.equal(readFileSync(join(r.path, 'a'), 'utf8'), '1\n');
    assert.equal(r.name, ok(realize(store, `git:exact-fetch?repo="${repo.dir}"&rev=${rev}`)).name, 'the same tree as in-process');
    const red = nomia(store, ['reductions', `gitx:latest?repo="./r"&ref=main`], { cwd: dir });
    assert.deepEqual(red.out.split('\n').filter((l) => l.startsWith('  => ')).map((l) => l.slice(5)), [`gitx:exact-fetch?repo=${repo.dir}&rev=${rev}`, r.name]);
  });

  test('name= names the object', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-latest-name');
    const repo = Repo.init(join(dir, 'r'));
    repo.commit('one', { a: '1\n' });
    const r = realize(join(dir, 'store'), `git:latest?repo="${repo.dir}"&name=my-src`);
    assert.equal(r.code, 0, r.err);
    assert.match(r.name, /^filesystem:by-content\?name=my-src&sha256=[0-9a-f]{64}$/);
    assert.match(r.path, /-my-src$/);
  });
});

describe('submodules', () => {
  /** sub-sub ⊂ sub ⊂ super, with relative URLs; each submodule then moves on, so only the recorded commits are right. */
  function superproject(dir: string) {
    const subsub = Repo.init(join(dir, 'subsub'));
    subsub.commit('ss1', { 'deep.txt': 'deep 1\n' });
    const sub = Repo.init(join(dir, 'sub'));
    sub.commit('s1', { 's.txt': 'sub 1\n', 'tool': { exe: '#!/bin/sh\n' } });
    sub.run(['-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', '../subsub', 'nested']);
    sub.commit('s1 with nested');
    const sup = Repo.init(join(dir, 'super'));
    sup.commit('top', { 'top.txt': 'top\n' });
    sup.run(['-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', '../sub', 'lib/sub']);
    const rev = sup.commit('with submodule');
    subsub.commit('ss2', { 'deep.txt': 'deep 2\n' });
    sub.commit('s2', { 's.txt': 'sub 2\n' });
    return { sup, rev };
  }

  test('submodules=true writes each submodule, recursively, at the commit the superproject records, each from its own cache entry', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-submodules');
    const store = join(dir, 'store');
    const { sup, rev } = superproject(dir);
    const r = ok(realize(store, `git:exact-fetch?repo="${sup.dir}"&rev=${rev}&submodules=true`));
    assert.equal(readFileSync(join(r.path, 'top.txt'), 'utf8'), 'top\n');
    assert.equal(readFileSync(join(r.path, 'lib/sub/s.txt'), 'utf8'), 'sub 1\n');
    assert.equal(statSync(join(r.path, 'lib/sub/tool')).mode & 0o111, 0o111);
    assert.equal(readFileSync(join(r.path, 'lib/sub/nested/deep.txt'), 'utf8'), 'deep 1\n');
    assert.equal(existsSync(join(r.path, 'lib/sub/.git')), false);
    assert.equal(cacheEntries(store).length, 3);
    // Without submodules: empty directories where they go, as `git archive` leaves them.
    const plain = ok(realize(store, `git:exact-fetch?repo="${sup.dir}"&rev=${rev}`));
    assert.deepEqual(readdirSync(join(plain.path, 'lib/sub')), []);
    assert.notEqual(plain.name, r.name);
    if (requireTool(t, 'nix-hash', 'nix-bin')) assert.equal(BY_CONTENT.exec(plain.name)![1], archiveHash(sup, rev, dir));
  });

  test('latest with submodules=true reduces to an exact-fetch with submodules=true', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-latest-submodules');
    const { sup, rev } = superproject(dir);
    const r = ok(realize(join(dir, 'store'), `git:latest?repo=file://${sup.dir}&submodules=true`));
    assert.ok(r.events.some((e) => e.kind === 'reduced' && e.to === `git:exact-fetch?repo=file://${sup.dir}&rev=${rev}&submodules=true`));
    assert.equal(readFileSync(join(r.path, 'lib/sub/nested/deep.txt'), 'utf8'), 'deep 1\n');
  });

  test('a submodule without a url in .gitmodules is a clear error', (t) => {
    if (!needGit(t)) return;
    const dir = tempDir('git-submodule-nourl');
    const repo = Repo.init(join(dir, 'r'));
    repo.commit('base', { a: 'a\n' });
    // A gitlink with no .gitmodules entry.
    repo.run(['update-index', '--add', '--cacheinfo', `160000,${repo.head()},vendored`]);
    repo.run(['commit', '--quiet', '-m', 'gitlink']);
    const rev = repo.head();
    const r = realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${rev}&submodules=true`);
    assert.equal(r.code, 1);
    assert.match(errorLine(r), /error\[git\/failed\]: the submodule at vendored in .* has no url in \.gitmodules/);
    assert.equal(ok(realize(join(dir, 'store'), `git:exact-fetch?repo="${repo.dir}"&rev=${rev}`)).code, 0, 'fine without submodules');
  });
});
