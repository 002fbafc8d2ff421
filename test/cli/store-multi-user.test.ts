/**
 * A store shared by the members of a Unix group (docs/store.md, "Several
 * users"), with two real users switched to through setpriv: one user's run
 * never replaces another's log, and any member's gc collects what it may
 * and says what it left for others, never failing as a whole.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { bin, nomia, tempDir, type Run } from '../support/cli.js';
import { hasTool } from '../support/tools.js';

const group = 'nomia-mu';
const users = ['nomia-mu-a', 'nomia-mu-b'] as const;
const created: string[] = [];
let store: string | undefined;
let dir: string | undefined;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

before(() => {
  if (process.getuid?.() !== 0 || !['useradd', 'groupadd', 'userdel', 'setpriv'].every(hasTool)) return;
  // Left over from an interrupted run: start clean.
  for (const u of users) spawnSync('userdel', [u]);
  spawnSync('groupdel', [group]);
  sh('groupadd', [group]);
  created.push(`group:${group}`);
  for (const u of users) {
    sh('useradd', ['-M', '-N', '-g', group, '-s', '/usr/sbin/nologin', u]);
    created.push(`user:${u}`);
  }
  dir = tempDir('multi-user');
  chmodSync(dir, 0o755);
  store = join(dir, 'store');
  assert.equal(nomia(store, ['roots']).code, 0);
  // The documented setup: group-owned, group-writable, setgid directories; members use umask 002.
  sh('chgrp', ['-R', group, store]);
  sh('chmod', ['-R', 'g+rwX', store]);
  sh('find', [store, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
});

after(() => {
  for (const c of created.reverse()) {
    const [kind, name] = c.split(':') as [string, string];
    spawnSync(kind === 'user' ? 'userdel' : 'groupdel', [name]);
  }
});

function ready(t: TestContext): boolean {
  if (store !== undefined) return true;
  if (process.env['CI'] === 'true') assert.fail('the multi-user tests need root, useradd and setpriv under CI');
  t.skip('needs root, useradd and setpriv');
  return false;
}

function as(user: string, args: string[]): Run {
  const r = spawnSync('setpriv', ['--reuid', user, '--regid', group, '--init-groups', 'sh', '-c', 'umask 002; exec "$@"', 'sh', process.execPath, bin, '--store', store!, ...args], {
    cwd: dir!, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: dir!, LANG: 'C' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('a store shared by a group', () => {
  test("one user's failed run does not replace another user's log of the same spelling", (t) => {
    if (!ready(t)) return;
    const name = 'exec:run?args=[sh, -c, "echo ran as $(id -un); exit 3"]';
    const a = as(users[0], ['realize', '--log-format', 'plain', name]);
    assert.equal(a.code, 1, a.err);
    const b = as(users[1], ['realize', '--log-format', 'plain', name]);
    assert.equal(b.code, 1, b.err);
    assert.match(as(users[0], ['log', name]).out, new RegExp(`ran as ${users[0]}`));
    assert.match(as(users[1], ['log', name]).out, new RegExp(`ran as ${users[1]}`));
  });

  test("any member's gc collects what it may, keeps (and names) the dead trees other users added, and never fails", (t) => {
    if (!ready(t)) return;
    const src = join(dir!, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub', 'f'), 'tree of a\n');
    writeFileSync(join(dir!, 'file-a'), 'file of a\n');
    writeFileSync(join(dir!, 'tree-b'), 'b\n');
    spawnSync('chmod', ['-R', 'a+rX', src, join(dir!, 'file-a'), join(dir!, 'tree-b')]);
    const tree = as(users[0], ['add', src]);
    assert.equal(tree.code, 0, tree.err);
    assert.equal(as(users[0], ['add', join(dir!, 'file-a')]).code, 0);
    const gc = as(users[1], ['gc', '--json']);
    assert.equal(gc.code, 0, gc.err);
    const r = JSON.parse(gc.out) as { dead: string[]; kept: string[] };
    assert.equal(r.kept.length, 1, 'the directory tree of user a is left for a');
    assert.match(r.kept[0]!, /-src$/);
    assert.equal(r.dead.length, 1, 'the single file of user a is collected');
    assert.deepEqual(readdirSync(join(store!, 'trash')), []);
    const text = as(users[1], ['gc']);
    assert.match(text.out, /kept 1 dead object added by other users, which only they or root can delete/);
    const own = as(users[0], ['gc', '--json']);
    assert.equal(own.code, 0, own.err);
    assert.deepEqual(JSON.parse(own.out).kept, []);
    assert.ok(!existsSync(join(store!, 'store', r.kept[0]!)), 'its owner collects it');
    assert.equal(JSON.parse(nomia(store!, ['verify', '--json']).out).consistent, true);
  });
});
