/**
 * `nomia reductions` through the real CLI: `--trusted-key` shows a record a
 * cache signed with a key given only on realize as followed (issue 18), and
 * a name of several steps prints its own chain once, not again under
 * `steps:`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

const FAST = { NOMIA_FSYNC: '0' };
const upper = 'exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"]';

describe('nomia reductions --trusted-key', () => {
  const dir = tempDir('reductions-key');
  const env = { ...FAST, XDG_CONFIG_HOME: join(dir, 'config') };
  const cache = join(dir, 'cache');
  const b = join(dir, 'b');
  const name = 'exec:run?args=[sh, -c, "echo signed > $out"]';
  let publicKey = '';

  before(() => {
    const a = join(dir, 'a');
    assert.equal(nomia(a, ['realize', name], { env, cwd: dir }).code, 0);
    publicKey = nomia(a, ['key', 'generate', 'red-cache-1'], { env }).out.trim();
    assert.match(publicKey, /^red-cache-1:/);
    const p = nomia(a, ['push', cache, name], { env, cwd: dir });
    assert.equal(p.code, 0, p.err);
    // The key is given on this realize only: B's store records the result with its signer.
    const r = nomia(b, ['realize', name, '--substituter', cache, '--trusted-key', publicKey, '--log-format', 'plain'], { env, cwd: dir });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /fetched .*signed by red-cache-1/);
  });

  test('without the key the record is there but not followed; with it, followed and signed', () => {
    const without = nomia(b, ['reductions', name], { env, cwd: dir });
    assert.equal(without.code, 0, without.err);
    assert.match(without.out, /^ {2}\(not followed here\) => filesystem:by-content\?name=out&/m);
    const withKey = nomia(b, ['reductions', '--trusted-key', publicKey, name], { env, cwd: dir });
    assert.equal(withKey.code, 0, withKey.err);
    assert.match(withKey.out, /^ {2}=> filesystem:by-content\?name=out&sha256=[0-9a-f]{64}\n {5}realized by builtin:exec@1, .*\n {5}signed by red-cache-1:/m);
    assert.doesNotMatch(withKey.out, /not followed here/);
    const json = JSON.parse(nomia(b, ['reductions', '--json', '--trusted-key', publicKey, name], { env, cwd: dir }).out) as { signedBy?: string; cache?: string; notFollowed?: unknown }[];
    assert.deepEqual([json[0]!.signedBy, json[0]!.cache, json[0]!.notFollowed], [publicKey, cache, undefined]);
  });

  test('a key trusted only for other namespaces does not make it followed', () => {
    const scoped = nomia(b, ['reductions', '--trusted-key', `${publicKey}@deb:*`, name], { env, cwd: dir });
    assert.equal(scoped.code, 0, scoped.err);
    assert.match(scoped.out, /\(not followed here\) => /);
  });

  test('a malformed key is refused as realize refuses it', () => {
    const bad = nomia(b, ['reductions', '--trusted-key', 'red-cache-1:nope', name], { env, cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^error\[usage\]: --trusted-key: "red-cache-1:nope" is not a trusted key/m);
  });
});

describe('nomia reductions of a name of several steps', () => {
  test('the root step\'s chain, the name\'s own, is printed once', () => {
    const dir = tempDir('reductions-once');
    const store = join(dir, 'store');
    const run = (args: string[]) => nomia(store, args, { cwd: dir, env: FAST });
    const name = `let a = exec:run?args=[sh, -c, "echo hi > $out"] in ${upper}(in: $a)`;
    assert.equal(run(['realize', name]).code, 0);
    const red = run(['reductions', name]);
    assert.equal(red.code, 0, red.err);
    const result = /^ {2}=> (filesystem:by-content\?name=out&sha256=[0-9a-f]{64})$/m.exec(red.out)![1]!;
    assert.equal(red.out.split(`=> ${result}`).length - 1, 1, red.out);
    assert.match(red.out, new RegExp(`^steps:\\n {2}exec:run\\?args=\\[sh, -c, "echo hi > \\$out"\\]\\n {4}=> filesystem:by-content\\?name=out&sha256=[0-9a-f]{64}\\n`, 'm'));
    assert.ok(red.out.endsWith(`  ${upper}\n    (the name's own chain, above)\n`), red.out);
  });

  test('behind a contextual input too: the chain from its inputs is printed under the name only', () => {
    const dir = tempDir('reductions-once-ctx');
    writeFileSync(join(dir, 'x'), 'hello\n');
    const store = join(dir, 'store');
    const run = (args: string[]) => nomia(store, args, { cwd: dir, env: FAST });
    const name = `let s = filesystem:import?path=./x in ${upper}(in: $s)`;
    assert.equal(run(['realize', name]).code, 0);
    const red = run(['reductions', name]).out;
    assert.equal(red.match(/recorded under its spelling from its inputs as last realized/g)?.length, 1, red);
    assert.match(red, /^ {2}\(depends on the caller's context: recorded under its spelling from its inputs as last realized\)\n {2}=> filesystem:by-content\?name=out&/m);
    assert.ok(red.endsWith(`  ${upper}\n    (the name's own chain, above)\n`), red);
  });
});
