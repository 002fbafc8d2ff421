/**
 * Trust per signer, per namespace and per project (issue 18, docs/cache.md
 * "Trust"), through the real CLI on a directory cache: a key trusted for
 * `filesystem:*` alone does not make an `exec` result substituted (the
 * record is ignored, the json events say why, the node is built); trusted
 * for `exec:*` it does. A project's key counts in that project alone: a
 * realize elsewhere on the same store neither follows the reduction that
 * project substituted nor takes the whole name's memo of it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

const dir = tempDir('cache-trust');
const env = { XDG_CONFIG_HOME: join(dir, 'config') };
const mark = join(dir, 'ran');
const name = `exec:run?args=[sh, -c, "echo ran >> ${mark}; echo trusted | tr a-z A-Z > $out"]`;
const runs = (): number => readFileSync(mark, 'utf8').split('\n').filter(Boolean).length;
const cache = join(dir, 'cache');
let key = '';

/** A project directory whose nomia.json says `config`. */
function project(label: string, config: object): string {
  const p = join(dir, label);
  mkdirSync(p);
  writeFileSync(join(p, 'nomia.json'), JSON.stringify(config));
  return p;
}

/** The `cache-skipped` messages of a `--log-format json` run. */
function skipped(err: string): string[] {
  return err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; message?: string })
    .filter((e) => e.kind === 'cache-skipped').map((e) => e.message!);
}

describe('trust per signer, namespace and project', () => {
  before(() => {
    const a = join(dir, 'a');
    assert.equal(nomia(a, ['realize', name], { env }).code, 0);
    key = nomia(a, ['key', 'generate', 'team-1'], { env }).out.trim();
    const p = nomia(a, ['push', cache, name], { env });
    assert.equal(p.code, 0, p.err);
  });

  test('a key trusted for filesystem:* only: the exec record is ignored with the reason in the json events, and the node is built', () => {
    const before = runs();
    const r = nomia(join(dir, 'b-fs'), ['realize', name, '--substituter', cache, '--trusted-key', `${key}@filesystem:*`, '--log-format', 'json'], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), before + 1, 'the node was not built');
    const why = skipped(r.err);
    // Asked once per spelling the node is looked up by (here the graph's and the inputs' are one).
    assert.ok(why.length >= 1, r.err);
    for (const m of why) assert.match(m, /signed by team-1, which is trusted here for filesystem:\* but not for names of `exec:\*`.*; ignored$/);
    assert.ok(r.err.includes(`"hint":"to follow team-1 for these names too, trust it for exec:* as well: --trusted-key '${key}@exec:*'`), r.err);
    assert.doesNotMatch(r.err, /"kind":"substituted"/);
  });

  test('the same key trusted for exec:* (in nomia.json, in the object form): substituted, nothing runs', () => {
    const before = runs();
    const p = project('exec-trusting', { 'trusted-public-keys': [{ key, namespaces: ['exec:*'] }] });
    const r = nomia(join(dir, 'b-exec'), ['realize', name, '--substituter', cache, '--log-format', 'json'], { env, cwd: p });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), before, 'the command ran');
    assert.match(r.err, /"kind":"substituted"/);
    assert.deepEqual(skipped(r.err), []);
  });

  test('a project\'s key counts in that project alone: elsewhere on the same store the substituted result is not followed', () => {
    const b = join(dir, 'b-project');
    const mine = project('mine', { substituters: [cache], 'trusted-public-keys': [key] });
    const other = project('other', {});
    const before = runs();
    assert.equal(nomia(b, ['realize', name], { env, cwd: mine }).code, 0);
    // Again in the project: the recorded reduction is followed (and the whole name's memo under its trust).
    assert.equal(nomia(b, ['realize', name], { env, cwd: mine }).code, 0);
    assert.equal(runs(), before, 'the project built what its cache had');
    const shown = nomia(b, ['reductions', name], { env, cwd: other });
    assert.match(shown.out, /not followed here.*\n.*signed by team-1:.*that key is not trusted for this name here/);
    // Another project trusts no key: it builds, as if the cache had never been asked.
    const r = nomia(b, ['realize', name], { env, cwd: other });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), before + 1, 'another project followed a reduction signed by a key only the first project trusts');
    // Built here now, the reduction is the store's own (no longer the cache's) and is followed everywhere.
    assert.equal(nomia(b, ['realize', name], { env, cwd: other }).code, 0);
    assert.equal(runs(), before + 1);
    const own = nomia(b, ['reductions', name], { env, cwd: other });
    assert.match(own.out, /=> filesystem:by-content/);
    assert.doesNotMatch(own.out, /signed by|not followed/);
  });

  test('a bad trusted key or scope is refused with the file named', () => {
    const p = project('bad-scope', { 'trusted-public-keys': [`${key}@exec`] });
    const r = nomia(join(dir, 'b-bad'), ['realize', name], { env, cwd: p });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /nomia\.json: .* is not a trusted key: the scope "exec" is neither \* nor ID:\*/);
  });
});
