/**
 * Paths in values as users type them, end to end through the CLI (issue 15):
 * an unquoted `./src`, `/abs/repo` or `/bin/sh` is a path, not a value cut at
 * its first `/` and a projection. Before, `filesystem:import?path=./src`
 * imported all of `.` and projected `src`, and `git:latest?repo=./some/repo`
 * fetched the enclosing repository.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { Repo } from '../support/git-repos.js';
import { requireTool } from '../support/tools.js';

/** Realize `name` in `cwd`; the result's store path. */
function realize(store: string, name: string, cwd: string): string {
  const r = nomia(store, ['realize', '--log-format', 'plain', name], { cwd });
  assert.equal(r.code, 0, `${name}\n${r.err}`);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 2, r.out);
  return lines[1]!;
}

/** A work directory with `src/` and a file beside it, so importing `.` instead of `./src` shows. */
function workDir(): { dir: string; store: string; work: string } {
  const dir = tempDir('typed-paths');
  const work = join(dir, 'work');
  mkdirSync(join(work, 'src'), { recursive: true });
  writeFileSync(join(work, 'src', 'main.c'), 'int main(void) { return 0; }\n');
  writeFileSync(join(work, 'outside.txt'), 'not part of src\n');
  return { dir, store: join(dir, 'store'), work };
}

describe('unquoted paths realize what they name', () => {
  test('filesystem:import?path=./src imports the directory src, not `.`', () => {
    const { store, work } = workDir();
    const out = realize(store, 'filesystem:import?path=./src', work);
    assert.deepEqual(readdirSync(out), ['main.c']);
    const quoted = realize(store, 'filesystem:import?path="./src"', work);
    assert.equal(quoted, out, 'the quoted spelling is the same value');
  });

  test('a projection out of a path-valued name: parentheses', () => {
    const { store, work } = workDir();
    const r = nomia(store, ['realize', '--log-format', 'plain', '(filesystem:import?path=./src)/main.c'], { cwd: work });
    assert.equal(r.code, 0, r.err);
    const path = r.out.trim().split('\n')[1]!;
    assert.match(readFileSync(path, 'utf8'), /int main/);
  });

  test('an absolute path', () => {
    const { store, work } = workDir();
    const out = realize(store, `filesystem:import?path=${join(work, 'src')}`, work);
    assert.deepEqual(readdirSync(out), ['main.c']);
  });

  test('exec:run?args=[/bin/sh, -c, …]', (t) => {
    if (!requireTool(t, 'sh', 'dash')) return;
    const { store, work } = workDir();
    const out = realize(store, 'exec:run?args=[/bin/sh, -c, "echo hi > $out"]', work);
    assert.equal(readFileSync(out, 'utf8'), 'hi\n');
  });

  test('git:latest?repo=./some/repo&ref=main fetches that repository, not the enclosing one', (t) => {
    if (!requireTool(t, 'git', 'git')) return;
    const { store, work } = workDir();
    Repo.init(work).commit('enclosing', { 'enclosing.txt': 'the outer repository\n' });
    Repo.init(join(work, 'some', 'repo')).commit('inner', { 'inner.txt': 'the inner repository\n' });
    const out = realize(store, 'git:latest?repo=./some/repo&ref=main', work);
    assert.deepEqual(readdirSync(out), ['inner.txt']);
  });

  test('git:exact-fetch?repo=/abs/repo&rev=…', (t) => {
    if (!requireTool(t, 'git', 'git')) return;
    const { dir, store, work } = workDir();
    const repo = Repo.init(join(dir, 'abs-repo'));
    const rev = repo.commit('one', { 'README': 'exact\n' });
    const out = realize(store, `git:exact-fetch?repo=${repo.dir}&rev=${rev}`, work);
    assert.equal(readFileSync(join(out, 'README'), 'utf8'), 'exact\n');
  });
});

describe('names too large for memory', () => {
  test('are refused with syntax/too-large and a hint, not an out-of-memory crash', () => {
    const dir = tempDir('too-large');
    // A 64 MB heap allows names of about half a million characters; this one is 4 MB.
    const big = `compose ${Array.from({ length: 100_000 }, (_, i) => `n${i} = exec:run?id=${i}`).join('; ')}`;
    for (const args of [['parse', '-'], ['graph', '-'], ['fmt']]) {
      const r = nomia(join(dir, 'store'), args, { input: big, env: { NODE_OPTIONS: '--max-old-space-size=64' } });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, /error\[syntax\/too-large\]/);
      assert.match(r.err, /max-old-space-size/);
    }
  });

  test('a large compose parses and prints in canonical form through the CLI', () => {
    const dir = tempDir('large');
    const decls = Array.from({ length: 50_000 }, (_, i) => `n${i}=cc:compile?flags=[-O2,-g](src:$n${Math.floor(i / 2)})`);
    const r = nomia(join(dir, 'store'), ['parse', '-'], { input: `compose ${decls.join(';')}` });
    assert.equal(r.code, 0, r.err);
    const expected = `compose ${decls.map((d) => d.replace('=', ' = ').replace(',', ', ').replace('(src:', '(src: ')).join('; ')}\n`;
    assert.equal(r.out, expected);
  });
});
