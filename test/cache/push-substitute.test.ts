/**
 * Binary caches through the real CLI on a directory cache (issue 18): build
 * on store A, push, realize on an empty store B without running anything;
 * and what B must refuse or ignore — a tampered NAR, a record signed by an
 * unknown key, a record whose object is missing — building instead with
 * nothing wrong in its store.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

const dir = tempDir('cache');
const config = join(dir, 'config');
const env = { XDG_CONFIG_HOME: config };
const mark = join(dir, 'ran');
writeFileSync(join(dir, 'in.txt'), 'hello cache\n');
const name = `exec:run?args=[sh, -c, "echo ran >> ${mark}; echo hello cache | tr a-z A-Z > $out"]`;
/** A name fed by the caller's files: recorded only under its spelling from its realized input. */
const fed = `exec:run?args=[sh, -c, "echo ran >> ${mark}; tr a-z A-Z < $in > $out"](in: filesystem:import?path="${join(dir, 'in.txt')}")`;
const runs = (): number => readFileSync(mark, 'utf8').split('\n').filter(Boolean).length;
let publicKey = '';
const cache = join(dir, 'cache');

/** Realize `name` on a new store with `args`; its stdout, stderr and result bytes. */
function realizeOn(store: string, args: string[]): { out: string; err: string; bytes: Buffer } {
  const r = nomia(store, ['realize', name, ...args], { env });
  assert.equal(r.code, 0, r.err);
  const path = r.out.trim().split('\n')[1]!;
  return { out: r.out, err: r.err, bytes: readFileSync(path) };
}

function consistent(store: string): void {
  const r = nomia(store, ['verify', '--json'], { env });
  assert.equal(JSON.parse(r.out).consistent, true, r.out);
}

describe('a directory cache', () => {
  let built: Buffer;
  before(() => {
    const a = join(dir, 'a');
    built = realizeOn(a, []).bytes;
    assert.equal(runs(), 1);
    const k = nomia(a, ['key', 'generate', 'test-cache-1'], { env });
    assert.equal(k.code, 0, k.err);
    publicKey = k.out.trim();
    assert.match(publicKey, /^test-cache-1:[A-Za-z0-9+/]{43}=$/);
    assert.equal(nomia(a, ['key', 'public'], { env }).out.trim(), publicKey);
    const p = nomia(a, ['push', `file://${cache}`, name], { env });
    assert.equal(p.code, 0, p.err);
    assert.match(p.out, /pushed \d+ reductions? and 1 object .* signed by test-cache-1/);
  });

  test('an empty store substitutes the result: nothing runs, the bytes are the same, the record shows its signer', () => {
    const b = join(dir, 'b');
    const r = realizeOn(b, ['--substituter', `file://${cache}`, '--trusted-key', publicKey, '--log-format', 'plain']);
    assert.equal(runs(), 1, 'the command ran on B');
    assert.deepEqual(r.bytes, built);
    assert.match(r.err, /fetched .*signed by test-cache-1; 1 object, /);
    // The key was trusted on the command line only: a project trusting it shows the row as followed.
    const trusting = join(dir, 'trusting');
    mkdirSync(trusting);
    writeFileSync(join(trusting, 'nomia.json'), JSON.stringify({ 'trusted-public-keys': [publicKey] }));
    const red = nomia(b, ['reductions', name], { env, cwd: trusting });
    assert.ok(red.out.includes(`signed by ${publicKey}, from file://`), red.out);
    assert.doesNotMatch(red.out, /not followed here/);
    consistent(b);
  });

  test('a name fed by the caller\'s files is substituted under the spelling from its realized input', () => {
    const a = join(dir, 'a');
    assert.equal(nomia(a, ['realize', fed], { env }).code, 0);
    const before = runs();
    assert.equal(nomia(a, ['push', cache, fed], { env }).code, 0);
    const r = nomia(join(dir, 'b-fed'), ['realize', fed, '--substituter', cache, '--trusted-key', publicKey], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), before);
    assert.equal(readFileSync(r.out.trim().split('\n')[1]!, 'utf8'), 'HELLO CACHE\n');
    // `nomia reductions` of the name as typed finds the record under that spelling, with its key and cache.
    const trusting = join(dir, 'trusting');
    const shown = nomia(join(dir, 'b-fed'), ['reductions', fed], { env, cwd: trusting });
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /^ {2}\(depends on the caller's context: recorded under its spelling from its inputs as last realized\)\n {2}=> filesystem:by-content\?name=out&/m);
    assert.ok(shown.out.includes(`   signed by ${publicKey}, from ${cache}`), shown.out);
    const json = JSON.parse(nomia(join(dir, 'b-fed'), ['reductions', '--json', fed], { env, cwd: trusting }).out) as { fromInputs?: boolean; signedBy?: string; cache?: string }[];
    assert.deepEqual([json[0]!.fromInputs, json[0]!.signedBy, json[0]!.cache], [true, publicKey, cache]);
    // Where the key is not trusted, the record is shown as there but not followed, with its key.
    const elsewhere = nomia(join(dir, 'b-fed'), ['reductions', fed], { env, cwd: dir });
    assert.match(elsewhere.out, /\(not followed here\) => filesystem:by-content\?name=out&.*\n.*signed by test-cache-1:/);
    const notFollowed = JSON.parse(nomia(join(dir, 'b-fed'), ['reductions', '--json', fed], { env, cwd: dir }).out) as { notFollowed?: { signedBy: string; cache: string }[] }[];
    assert.deepEqual(notFollowed[0]!.notFollowed?.map((r) => [r.signedBy, r.cache]), [[publicKey, cache]]);
  });

  test('a plain directory path and nomia.json configure the same cache', () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    const before = runs();
    writeFileSync(join(project, 'nomia.json'), JSON.stringify({ substituters: [cache], 'trusted-public-keys': [publicKey] }));
    const r = nomia(join(dir, 'b-config'), ['realize', name], { env, cwd: project });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), before);
    // --offline asks no cache, configured or given.
    const offline = nomia(join(dir, 'b-offline'), ['realize', name, '--offline', '--substituter', cache, '--trusted-key', publicKey], { env });
    assert.equal(offline.code, 0, offline.err);
    assert.equal(runs(), before + 1, '--offline asked the cache');
  });

  test('a substituter that is no directory (HOST:PORT/PATH without http://) is said once, and B builds', () => {
    const before = runs();
    const r = realizeOn(join(dir, 'b-typo'), ['--substituter', '127.0.0.1:8080/cache', '--trusted-key', publicKey, '--log-format', 'plain']);
    assert.equal(runs(), before + 1);
    const said = r.err.split('\n').filter((l) => l.includes('the cache 127.0.0.1:8080/cache is not there'));
    assert.equal(said.length, 1, r.err);
    assert.match(said[0]!, /for a server, write http:\/\/127\.0\.0\.1:8080\/cache; not asked again in this run/);
  });

  test('a record signed by a key that is not trusted is ignored, and B builds', () => {
    const before = runs();
    const other = join(dir, 'other-key');
    const k = nomia(join(dir, 'scratch'), ['key', 'generate', 'someone-else', '--key-file', other], { env });
    const r = realizeOn(join(dir, 'b-untrusted'), ['--substituter', cache, '--trusted-key', k.out.trim(), '--log-format', 'plain']);
    assert.equal(runs(), before + 1);
    // Once: the node's spelling from its (unrefined) inputs is its graph spelling, and is not asked again.
    assert.equal(r.err.match(/signed by the key test-cache-1, which is not a trusted key \(trust test-cache-1:BASE64, its public key, to follow it\); ignored/g)?.length, 1, r.err);
    // The hint says how to trust it: the flag, and the configuration key.
    assert.match(r.err, /\n {10}hint: if you trust test-cache-1, .*`nomia key public`.*--trusted-key 'test-cache-1:BASE64'.*"trusted-public-keys": \["test-cache-1:BASE64"\] in a project's nomia\.json/);
    assert.deepEqual(r.bytes, built);
  });

  test('a record whose signature the trusted key of that name does not verify says so, with its hint in the json event', () => {
    const before = runs();
    const k = nomia(join(dir, 'scratch'), ['key', 'generate', 'test-cache-1', '--key-file', join(dir, 'same-name-key')], { env });
    const r = nomia(join(dir, 'b-same-name'), ['realize', name, '--substituter', cache, '--trusted-key', k.out.trim(), '--log-format', 'json'], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), before + 1);
    const skipped = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; message?: string; hint?: string }).filter((e) => e.kind === 'cache-skipped');
    assert.equal(skipped.length, 1, r.err);
    assert.ok(skipped[0]!.message!.includes(`is signed as test-cache-1, but the trusted key ${k.out.trim()} does not verify it`), skipped[0]!.message);
    assert.match(skipped[0]!.hint!, /compare your trusted key test-cache-1 with what `nomia key public` prints/);
  });

  test('a tampered NAR is refused, nothing of it enters the store, and B builds', () => {
    const before = runs();
    const poisoned = join(dir, 'poisoned');
    cpSync(cache, poisoned, { recursive: true });
    for (const f of readdirSync(join(poisoned, 'nar'))) {
      const p = join(poisoned, 'nar', f);
      writeFileSync(p, readFileSync(p).toString('latin1').replace('HELLO CACHE', 'EVIL! CACHE'), 'latin1');
    }
    const b = join(dir, 'b-poisoned');
    const r = realizeOn(b, ['--substituter', poisoned, '--trusted-key', publicKey, '--log-format', 'plain']);
    assert.equal(runs(), before + 1);
    assert.equal(r.err.match(/has the hash .* not the .*; building instead/g)?.length, 1, 'the refused NAR is not fetched again');
    assert.deepEqual(r.bytes, built);
    consistent(b);
    const objects = nomia(b, ['verify', '--json'], { env });
    assert.doesNotMatch(objects.out, /EVIL/);
  });

  test('a record whose object is missing is not followed, and B builds', () => {
    const before = runs();
    const broken = join(dir, 'broken');
    cpSync(cache, broken, { recursive: true });
    rmSync(join(broken, 'nar'), { recursive: true });
    const r = realizeOn(join(dir, 'b-broken'), ['--substituter', broken, '--trusted-key', publicKey, '--log-format', 'plain']);
    assert.equal(runs(), before + 1);
    assert.match(r.err, /lacks the object .*; building instead/);
    assert.deepEqual(r.bytes, built);
  });
});
