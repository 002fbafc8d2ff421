/** Where a `repo=` value points and how submodule URLs resolve: accept/reject tables. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidRef } from '../../src/namespaces/git/ref.js';
import { cacheKey, isPlainPath, locate, resolveSubmoduleUrl } from '../../src/namespaces/git/repo-url.js';

describe('repo locations', () => {
  test('paths, URLs and the scp-like form, as git tells them apart', () => {
    const table: [string, boolean][] = [
      ['/srv/r.git', true], ['./r', true], ['../x/r', true], ['r', true], ['./a:b', true],
      ['https://example.org/r.git', false], ['file:///srv/r', false], ['ssh://git@host/r', false], ['git@host:r.git', false], ['host:r', false],
    ];
    for (const [repo, plain] of table) assert.equal(isPlainPath(repo), plain, repo);
  });

  test('one repository, one key, however it is written', () => {
    const same = [locate('/srv/r', '/'), locate('/srv/r/', '/'), locate('file:///srv/r', '/'), locate('r', '/srv'), locate('../srv/r', '/home'), locate('file:///srv//r/', '/')];
    for (const l of same) assert.equal(l.key, 'file:///srv/r');
    assert.ok(same.every((l) => l.local));
    assert.equal(new Set(same.map(cacheKey)).size, 1);
    assert.equal(locate('HTTPS://Example.ORG/Owner/R.git/', '/').key, 'https://example.org/Owner/R.git');
    assert.notEqual(locate('https://example.org/a', '/').key, locate('https://example.org/A', '/').key);
    assert.equal(locate('git@host:r.git', '/').local, false);
    assert.equal(locate('./r', '/work').url, '/work/r');
    assert.equal(locate('file:///srv/r', '/').url, 'file:///srv/r', 'a URL is given to git as written');
  });
});

describe('submodule URLs', () => {
  test('relative to the superproject, as git resolves them', () => {
    const table: [string, string, string | undefined][] = [
      ['/x/super', '../sub', '/x/sub'],
      ['/x/super', './sub', '/x/super/sub'],
      ['/x/super/', '../sub', '/x/sub'],
      ['/x/super', '../../y/sub', '/y/sub'],
      ['/x', '../../sub', undefined],
      ['file:///x/super', '../sub', 'file:///x/sub'],
      ['https://example.org/o/super.git', '../sub.git', 'https://example.org/o/sub.git'],
      ['https://example.org/o/super.git', '../../p/sub.git', 'https://example.org/p/sub.git'],
      ['https://example.org/super', '../../sub', undefined],
      ['git@host:o/super.git', '../sub.git', 'git@host:o/sub.git'],
      ['git@host:o/super.git', '../../sub.git', 'git@host:sub.git'],
      ['/x/super', 'https://example.org/abs.git', 'https://example.org/abs.git'],
      ['/x/super', '/abs/sub', '/abs/sub'],
      ['/x/super', 'sub', undefined],
    ];
    for (const [sup, sub, expected] of table) assert.equal(resolveSubmoduleUrl(sup, sub), expected, `${sup} + ${sub}`);
  });
});

describe('refs', () => {
  test('git ref names accepted and refused', () => {
    for (const ok of ['main', 'HEAD', 'v1.0', 'refs/heads/release', 'feature/x', 'a-b_c']) assert.equal(isValidRef(ok), true, ok);
    for (const bad of ['', '-x', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '/a', 'a/', 'a.', 'a.lock', '@', 'a@{1}', 'a//b', '.a', 'a/.b']) {
      assert.equal(isValidRef(bad), false, bad);
    }
  });
});
