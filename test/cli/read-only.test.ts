/**
 * A store the user may read but not write: the commands that only read work
 * (as another user, and on a read-only mount), and a write is a clear
 * `store/read-only` error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { bin, env, nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const made = 'exec:run?args=[sh, -c, "echo made; echo hi > $out"]';

/** A store made by this (root) process: one added file, one realized name, a root. */
function readableStore() {
  const dir = tempDir('read-only');
  chmodSync(dir, 0o755);
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'file'), 'contents\n', { mode: 0o644 });
  const added = nomia(store, ['add', '--root', 'kept', join(dir, 'file')], { env: { NOMIA_FSYNC: '0' } }).out.trim();
  const realized = nomia(store, ['realize', made], { env: { NOMIA_FSYNC: '0' } });
  assert.equal(realized.code, 0, realized.err);
  return { dir, store, added };
}

/** Every reading command, with what its output must show. */
function checkReads(store: string, added: string, as: (args: string[]) => { status: number | null; stdout: string; stderr: string }): void {
  const ok = (args: string[]) => {
    const r = as(['--store', store, ...args]);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  assert.match(ok(['path', added]), new RegExp(`^${store}/store/[0-9a-z]{52}-file\\n$`));
  assert.equal(ok(['cat', added]), 'contents\n');
  assert.match(ok(['ls', added]), /-r--r--r-- +9 \./);
  const roots = ok(['roots']);
  assert.match(roots, /^kept {2}live \(absolute\)/);
  assert.doesNotMatch(roots, /temporary/);
  assert.match(ok(['verify']), /checked 2 objects: consistent/);
  assert.match(ok(['reductions', made]), /=> filesystem:by-content\?name=out&sha256=/);
  assert.equal(ok(['log', made]), 'made\n');
  const write = as(['--store', store, 'root', 'add', 'more', added]);
  assert.equal(write.status, 1);
  assert.match(write.stderr, /^error\[store\/read-only\]/);
}

describe('a store the user may read but not write', () => {
  test('as another user (nobody): path, cat, ls, roots, verify, reductions and log work', (t: TestContext) => {
    if (!requireTool(t, 'setpriv', 'util-linux')) return;
    if (process.getuid?.() !== 0) return t.skip('needs root to switch to nobody');
    const { store, added } = readableStore();
    checkReads(store, added, (args) => spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, bin, ...args], {
      encoding: 'utf8', env: env({ HOME: '/tmp' }), cwd: '/',
    }));
  });

  test('on a read-only mount: the same commands work, as root too', (t: TestContext) => {
    if (!requireTool(t, 'bwrap', 'bubblewrap')) return;
    const { store, added } = readableStore();
    checkReads(store, added, (args) => spawnSync('bwrap', ['--dev-bind', '/', '/', '--ro-bind', store, store, process.execPath, bin, ...args], {
      encoding: 'utf8', env: env(), cwd: '/',
    }));
  });
});

test('a store whose set-up was cut short (an empty database file) is finished by a reading command that may write', () => {
  const store = join(tempDir('cut-short'), 'store');
  mkdirSync(store, { recursive: true });
  writeFileSync(join(store, 'db.sqlite'), '');
  const v = nomia(store, ['verify', '--json']);
  assert.equal(v.code, 0, v.err);
  assert.equal(JSON.parse(v.out).consistent, true);
});
