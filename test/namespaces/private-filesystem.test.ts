/**
 * private-filesystem with real Unix users: the test (as root) creates a
 * group and two users, sets up a store shared by the group the way
 * docs/namespaces/private-filesystem.md says, and runs the real CLI as
 * each user through setpriv. The owner adds and reads; the other user is
 * refused with one message whatever the object, cannot read the files, and
 * cannot get anything made from them; root reads and adds, and what it adds
 * is the owner's; nothing private reaches the shared database, gc or verify.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { bin, nomia, tempDir, type Run } from '../support/cli.js';
import { hasTool, requireTool } from '../support/tools.js';

const suffix = `${process.pid % 100000}`;
const group = `nomiapg${suffix}`;
const owner = `nomiapa${suffix}`;
const other = `nomiapb${suffix}`;

interface World {
  dir: string;
  store: string;
  ownerUid: number;
  otherUid: number;
  ownerHome: string;
}
let world: World | undefined;
const created: string[] = [];

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

function uidOf(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}

before(() => {
  if (process.getuid?.() !== 0 || !['useradd', 'groupadd', 'userdel', 'setpriv'].every(hasTool)) return;
  sh('groupadd', [group]);
  created.push(`group:${group}`);
  for (const u of [owner, other]) {
    sh('useradd', ['-M', '-N', '-g', group, '-s', '/usr/sbin/nologin', u]);
    created.push(`user:${u}`);
  }
  const dir = tempDir('private');
  chmodSync(dir, 0o755);
  // A store shared by a group (docs/namespaces/private-filesystem.md): made once, then group-writable with setgid
  // directories; private/ made by root, sticky, so no user can remove another's private store.
  const store = join(dir, 'store');
  const made = nomia(store, ['roots']);
  assert.equal(made.code, 0, made.err);
  sh('chgrp', ['-R', group, store]);
  sh('chmod', ['-R', 'g+rwX', store]);
  sh('find', [store, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
  sh('install', ['-d', '-m', '3775', '-o', 'root', '-g', group, join(store, 'private')]);
  const ownerHome = join(dir, 'owner-home');
  mkdirSync(ownerHome, { mode: 0o700 });
  // A secret of a size one could look for in messages: 4242 bytes.
  writeFileSync(join(ownerHome, 'secret.txt'), `TOP-SECRET-${'s'.repeat(4242 - 12)}\n`, { mode: 0o600 });
  writeFileSync(join(ownerHome, 'other.txt'), 'another private file\n', { mode: 0o600 });
  sh('chown', ['-R', `${owner}:${group}`, ownerHome]);
  world = { dir, store, ownerUid: uidOf(owner), otherUid: uidOf(other), ownerHome };
});

after(() => {
  for (const c of created.reverse()) {
    const [kind, name] = c.split(':') as [string, string];
    spawnSync(kind === 'user' ? 'userdel' : 'groupdel', [name]);
  }
});

/** The world, or skip: it needs root and the user tools. */
function ready(t: TestContext): World | undefined {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to create users');
    return undefined;
  }
  if (!requireTool(t, 'useradd', 'passwd') || !requireTool(t, 'setpriv', 'util-linux')) return undefined;
  assert.ok(world, 'the users and the shared store were set up');
  return world;
}

/** The CLI as `user` (group member, umask 002 as the shared store asks), in `cwd`. */
function as(user: string, cwd: string, args: string[]): Run {
  const r = spawnSync('setpriv', ['--reuid', user, '--regid', group, '--init-groups', 'sh', '-c', 'umask 002; exec "$@"', 'sh', process.execPath, bin, ...args], {
    cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: world!.dir, LANG: 'C' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function asOwner(args: string[], cwd = world!.ownerHome): Run {
  return as(owner, cwd, ['--store', world!.store, ...args]);
}

function asOther(args: string[]): Run {
  return as(other, world!.dir, ['--store', world!.store, ...args]);
}

const realize = (name: string) => ['realize', '--log-format', 'plain', name];
const nameOf = (r: Run) => r.out.trim().split('\n')[0]!;
const pathOf = (r: Run) => r.out.trim().split('\n')[1]!;
const hashOf = (name: string) => /sha256=([0-9a-f]{64})/.exec(name)![1]!;

describe('private-filesystem with two Unix users', () => {
  let secretName = '';
  let secretPath = '';

  test('the owner adds with import and reads by-content; the private directory is 0700 and the owner\'s', (t) => {
    const w = ready(t);
    if (!w) return;
    const added = asOwner(realize(`private-filesystem?user=${owner}:import?path="./secret.txt"`));
    assert.equal(added.code, 0, added.err);
    secretName = nameOf(added);
    secretPath = pathOf(added);
    assert.match(secretName, new RegExp(`^private-filesystem\\?user=${owner}:by-content\\?name=secret\\.txt&sha256=[0-9a-f]{64}$`));
    const home = join(w.store, 'private', String(w.ownerUid));
    assert.ok(secretPath.startsWith(`${home}/store/`), secretPath);
    const st = lstatSync(home);
    assert.equal(st.mode & 0o7777, 0o700);
    assert.equal(st.uid, w.ownerUid);
    assert.match(added.err, /added to the private store of/);
    assert.doesNotMatch(added.err, /owner-home|4242/, 'no absolute source path, no size in the log');

    const again = asOwner(realize(`private-filesystem?user=${owner}:import?path="./secret.txt"`));
    assert.equal(again.out, added.out);
    assert.match(again.err, /unchanged: already in the private store/);
    for (const name of [secretName, `private-filesystem?user=${owner}:by-content?sha256=${hashOf(secretName)}`, `private-filesystem?user=${w.ownerUid}:by-content?sha256=${hashOf(secretName)}`]) {
      const read = asOwner(realize(name));
      assert.equal(read.code, 0, read.err);
      assert.equal(pathOf(read), secretPath, name);
    }
    assert.equal(spawnSync('setpriv', ['--reuid', owner, '--regid', group, '--init-groups', 'cat', secretPath], { encoding: 'utf8' }).stdout.slice(0, 10), 'TOP-SECRET');
    const missing = asOwner(realize(`private-filesystem?user=${owner}:by-content?sha256=${'cd'.repeat(32)}`));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /error\[store\/not-found\]: no object with sha256 cdcd.* is in the private store of/);
  });

  test('another user is refused with one message, whether the object exists or not, and learns nothing', (t) => {
    const w = ready(t);
    if (!w) return;
    assert.ok(secretName, 'the owner added the secret');
    const hash = hashOf(secretName);
    const fake = 'ab'.repeat(32);
    const attempts = [
      secretName,
      `private-filesystem?user=${owner}:by-content?sha256=${hash}`,
      `private-filesystem?user=${owner}:by-content?sha256=${fake}`,
      `private-filesystem?user=${owner}:by-content?name=secret.txt&sha256=${fake}`,
    ];
    const messages = attempts.map((name) => {
      const r = asOther(realize(name));
      assert.equal(r.code, 1, name);
      const error = r.err.slice(r.err.indexOf('error['));
      assert.match(error, new RegExp(`^error\\[private/permission\\]: private-filesystem\\?user=${owner}: the private store of ${owner} \\(uid ${w.ownerUid}\\) is readable only by ${owner} and root; this process runs as ${other} \\(uid ${w.otherUid}\\)`));
      assert.doesNotMatch(r.err, /4242|TOP-SECRET|\/private\/\d+/, 'no size, no content, no path');
      return error.replaceAll(hash, fake).replace('name=secret.txt&', '');
    });
    assert.equal(new Set(messages).size, 1, `one message for all:\n${messages.join('\n')}`);

    // The files themselves: the private directory cannot even be listed.
    const cat = spawnSync('setpriv', ['--reuid', other, '--regid', group, '--init-groups', 'cat', secretPath], { encoding: 'utf8' });
    assert.notEqual(cat.status, 0);
    assert.match(cat.stderr, /Permission denied/);
    const ls = spawnSync('setpriv', ['--reuid', other, '--regid', group, '--init-groups', 'ls', join(w.store, 'private', String(w.ownerUid))], { encoding: 'utf8' });
    assert.match(ls.stderr, /Permission denied/);

    // Nor can the other user add to the owner's store.
    writeFileSync(join(w.dir, 'planted.txt'), 'planted\n', { mode: 0o644 });
    const plant = asOther(realize(`private-filesystem?user=${owner}:import?path="./planted.txt"`));
    assert.equal(plant.code, 1);
    assert.match(plant.err, new RegExp(`error\\[private/permission\\]: private-filesystem\\?user=${owner}: only ${owner} and root may add to the private store of ${owner}`));
  });

  test('a name made from a private object is refused to another user, even after the owner realized it', (t) => {
    const w = ready(t);
    if (!w) return;
    // What is made from a private object (here its size) is private too: in the owner's private store, under a
    // private name, recorded there and not in the shared store; and its name must not hand it out.
    const derived = `exec:run?args=[sh, -c, "wc -c < $in > $out"](in: ${secretName})`;
    const mine = asOwner(realize(derived));
    assert.equal(mine.code, 0, mine.err);
    assert.equal(readFileSync(pathOf(mine), 'utf8').trim(), '4242');
    assert.ok(pathOf(mine).startsWith(join(w.store, 'private', String(w.ownerUid), 'store') + '/'), pathOf(mine));
    assert.match(nameOf(mine), new RegExp(`^private-filesystem\\?user=${owner}:by-content\\?name=out&sha256=[0-9a-f]{64}$`));
    // Downstream of a private result is private as well (taint propagates).
    const twice = asOwner(realize(`exec:run?args=[sh, -c, "cat $in $in > $out"](in: ${derived})`));
    assert.equal(twice.code, 0, twice.err);
    assert.equal(readFileSync(pathOf(twice), 'utf8'), '4242\n4242\n');
    assert.ok(pathOf(twice).startsWith(join(w.store, 'private', String(w.ownerUid), 'store') + '/'), pathOf(twice));
    const db = new Database(join(w.store, 'db.sqlite'), { readonly: true });
    try {
      const hashes = (db.prepare('SELECT hash FROM objects').all() as { hash: string }[]).map((o) => o.hash);
      for (const r of [mine, twice]) assert.ok(!hashes.includes(hashOf(nameOf(r))), 'not in the shared store');
      const tos = (db.prepare('SELECT to_name FROM reductions').all() as { to_name: string }[]).map((x) => x.to_name);
      for (const r of [mine, twice]) assert.ok(!tos.some((to) => to.includes(hashOf(nameOf(r)))), 'nor in its reductions');
    } finally {
      db.close();
    }
    const again = asOwner(realize(derived));
    assert.equal(again.out, mine.out);
    assert.doesNotMatch(again.err, /realizing\s+exec:run/, 'the owner reuses it (early cutoff on the refined input)');
    const theirs = asOther(realize(derived));
    assert.equal(theirs.code, 1, 'the recorded reduction is not handed out without the check');
    assert.match(theirs.err, /error\[private\/permission\]/);
    assert.doesNotMatch(theirs.out + theirs.err, /4242/);
  });

  test('root reads and adds; what root adds is the owner\'s', (t) => {
    const w = ready(t);
    if (!w) return;
    mkdirSync(join(w.dir, 'root-src/tree/sub'), { recursive: true });
    writeFileSync(join(w.dir, 'root-src/tree/sub/f'), 'private tree\n');
    const read = nomia(w.store, realize(secretName), { cwd: w.dir });
    assert.equal(read.code, 0, read.err);
    assert.equal(pathOf(read), secretPath);
    const tree = nomia(w.store, realize(`private-filesystem?user=${owner}:import?path="./root-src/tree"`), { cwd: w.dir });
    assert.equal(tree.code, 0, tree.err);
    const home = join(w.store, 'private', String(w.ownerUid));
    const foreign = spawnSync('find', [home, '!', '-uid', String(w.ownerUid)], { encoding: 'utf8' });
    assert.equal(foreign.stdout, '', 'everything in the private store belongs to the owner');
    const f = spawnSync('setpriv', ['--reuid', owner, '--regid', group, '--init-groups', 'cat', join(pathOf(tree), 'sub/f')], { encoding: 'utf8' });
    assert.equal(f.stdout, 'private tree\n');
  });

  test('private objects stay out of the shared database, gc and verify', (t) => {
    const w = ready(t);
    if (!w) return;
    const db = new Database(join(w.store, 'db.sqlite'), { readonly: true });
    try {
      const objects = db.prepare('SELECT hash, nar_size FROM objects').all() as { hash: string; nar_size: number }[];
      assert.ok(!objects.some((o) => o.hash === hashOf(secretName)), 'not registered in the shared store');
      const reductions = db.prepare('SELECT to_name FROM reductions').all() as { to_name: string }[];
      assert.ok(reductions.every((r) => !/4242|TOP-SECRET/.test(r.to_name)));
    } finally {
      db.close();
    }
    for (const f of ['db.sqlite', 'db.sqlite-wal']) {
      try {
        assert.ok(!readFileSync(join(w.store, f)).includes('TOP-SECRET'), f);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    const gc = nomia(w.store, ['gc']);
    assert.equal(gc.code, 0, gc.err);
    assert.ok(statSync(secretPath).isFile(), 'the shared gc leaves private stores alone');
    const verify = nomia(w.store, ['verify']);
    assert.equal(verify.code, 0, verify.err);
    assert.doesNotMatch(verify.out + verify.err, /private/);
  });

  test('a private store that is not private any more is refused, and nothing is read', (t) => {
    const w = ready(t);
    if (!w) return;
    const home = join(w.store, 'private', String(w.ownerUid));
    chmodSync(home, 0o750);
    try {
      const r = asOwner(realize(secretName));
      assert.equal(r.code, 1);
      assert.match(r.err, /error\[private\/permission\]: the private store .* is not private: its mode is 750, not 700; nothing was read from it or written to it/);
    } finally {
      chmodSync(home, 0o700);
    }
    chownSync(home, w.otherUid, -1);
    try {
      const r = asOwner(realize(secretName));
      assert.equal(r.code, 1);
      assert.match(r.err, new RegExp(`is not private: it belongs to uid ${w.otherUid}`));
    } finally {
      chownSync(home, w.ownerUid, -1);
    }
    assert.equal(asOwner(realize(secretName)).code, 0);
  });

  test('a user collects their own private store with gc --store; roots keep objects', (t) => {
    const w = ready(t);
    if (!w) return;
    // The other user's own private store, files only.
    writeFileSync(join(w.dir, 'keep.txt'), 'keep me\n', { mode: 0o644 });
    writeFileSync(join(w.dir, 'drop.txt'), 'drop me\n', { mode: 0o644 });
    const keep = asOther(realize(`private-filesystem?user=${other}:import?path="./keep.txt"`));
    const drop = asOther(realize(`private-filesystem?user=${other}:import?path="./drop.txt"`));
    assert.equal(keep.code, 0, keep.err);
    assert.equal(drop.code, 0, drop.err);
    const privateStore = join(w.store, 'private', String(w.otherUid));
    const root = as(other, w.dir, ['--store', privateStore, 'root', 'add', 'keep', hashOf(nameOf(keep))]);
    assert.equal(root.code, 0, root.err);
    const gc = as(other, w.dir, ['--store', privateStore, 'gc']);
    assert.equal(gc.code, 0, gc.err);
    assert.match(gc.out, /deleted 1 object/);
    assert.ok(statSync(pathOf(keep)).isFile());
    assert.throws(() => statSync(pathOf(drop)), /ENOENT/);
    assert.equal(asOther(realize(nameOf(drop))).code, 1);
    const verify = as(other, w.dir, ['--store', privateStore, 'verify']);
    assert.equal(verify.code, 0, verify.err);
  });

  test('a non-root owner adds a directory and collects it', (t) => {
    const w = ready(t);
    if (!w) return;
    mkdirSync(join(w.ownerHome, 'dir/sub'), { recursive: true });
    writeFileSync(join(w.ownerHome, 'dir/sub/f'), 'x\n');
    sh('chown', ['-R', `${owner}:${group}`, join(w.ownerHome, 'dir')]);
    const r = asOwner(realize(`private-filesystem?user=${owner}:import?path="./dir"`));
    assert.equal(r.code, 0, r.err);
    const gc = as(owner, w.dir, ['--store', join(w.store, 'private', String(w.ownerUid)), 'gc']);
    assert.equal(gc.code, 0, gc.err);
  });
});

describe('private-filesystem names', () => {
  test('the user parameter is required, checked, and part of the spelling', () => {
    const store = join(tempDir('private-names'), 'store');
    const h = 'ab'.repeat(32);
    const none = nomia(store, realize(`private-filesystem:by-content?sha256=${h}`));
    assert.match(none.err, /error\[usage\]: the namespace private-filesystem needs the parameter `user`: the owner of the private store/);
    const extra = nomia(store, realize(`private-filesystem?user=root&mode=x:by-content?sha256=${h}`));
    assert.match(extra.err, /error\[usage\]: the namespace private-filesystem takes only the parameter `user`, not `mode`/);
    const bad = nomia(store, realize(`private-filesystem?user="a b":by-content?sha256=${h}`));
    assert.match(bad.err, /needs `user` to be a login name or a numeric user id/);
    const unknown = nomia(store, realize(`private-filesystem?user=no-such-user-${suffix}:by-content?sha256=${h}`));
    assert.match(unknown.err, /error\[usage\]: the namespace private-filesystem names the user "no-such-user-\d+", who does not exist on this machine/);
    const name = nomia(store, realize('private-filesystem?user=root:by-name?x=1'));
    assert.match(name.err, /error\[usage\]: private-filesystem:by-name is not a name of this namespace/);
    const a = nomia(store, ['spell', `private-filesystem?user=root:by-content?sha256=${h}`]).out;
    const b = nomia(store, ['spell', `private-filesystem?user=daemon:by-content?sha256=${h}`]).out;
    assert.match(a, /^nomia1-/);
    assert.notEqual(a, b);
  });
});
