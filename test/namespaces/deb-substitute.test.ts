/**
 * A closure on a second store, with a binary cache (issue 18, a new user's
 * walkthrough): `deb:closure` is contextual (apt resolves it every time), and
 * reduces to its exact root, which the cache has. The root is found before
 * its inputs are realized, so no package file is downloaded: the closure's
 * downloads used to start before the root was looked up, and B fetched every
 * `.deb` as well as the merged root.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('deb-substitute');
const env = { XDG_CONFIG_HOME: join(dir, 'config') };
const cache = join(dir, 'cache');
const name = 'deb:closure?packages=[hello]';

interface Event { readonly kind: string; readonly label?: string; readonly line?: string }
const events = (err: string): Event[] => err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);

/** Every file under `root`, recursively (none when it is not there). */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('deb:closure substituted on a second store', () => {
  test('the root comes from the cache and no package file is downloaded', (t) => {
    if (!requireTool(t, 'apt-get', 'apt')) return;
    const a = join(dir, 'a');
    const built = nomia(a, ['realize', name], { env });
    assert.equal(built.code, 0, built.err);
    const key = nomia(a, ['key', 'generate', 'deb-cache-1'], { env });
    assert.equal(key.code, 0, key.err);
    const p = nomia(a, ['push', `file://${cache}`, name], { env });
    assert.equal(p.code, 0, p.err);

    const b = join(dir, 'b');
    const r = nomia(b, ['realize', name, '--substituter', `file://${cache}`, '--trusted-key', key.out.trim(), '--log-format', 'json'], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim().split('\n')[1], built.out.trim().split('\n')[1]!.replace(a, b));
    const seen = events(r.err);
    assert.ok(seen.some((e) => e.kind === 'substituted' && e.label?.startsWith('deb:root')), r.err);
    assert.ok(!seen.some((e) => e.kind === 'realizing' && e.label?.startsWith('deb:exact')), 'no package tree is made on B');
    assert.deepEqual(seen.filter((e) => e.kind === 'log' && /download/.test(e.line ?? '')).map((e) => e.line), []);
    assert.deepEqual(filesUnder(join(b, 'cache/deb/staged')).filter((f) => f.endsWith('.deb')), []);

    // `nomia reductions` of the name as typed shows the root's record with its key and cache: followed where
    // the key is trusted, shown as not followed elsewhere.
    const trusting = join(dir, 'trusting');
    mkdirSync(trusting);
    writeFileSync(join(trusting, 'nomia.json'), JSON.stringify({ 'trusted-public-keys': [key.out.trim()] }));
    const shown = nomia(b, ['reductions', name], { env, cwd: trusting });
    assert.match(shown.out, /^ {2}=> deb:root\(deb:exact\?.*\n.*\n {2}=> filesystem:by-content\?name=deb-root&.*\n.*realized by builtin:deb@1.*\n {5}signed by deb-cache-1:/m);
    const elsewhere = nomia(b, ['reductions', name], { env, cwd: dir });
    assert.match(elsewhere.out, /^ {2}\(not followed here\) => filesystem:by-content\?name=deb-root&.*\n {5}signed by deb-cache-1:/m);
  });
});
