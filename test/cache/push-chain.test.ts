/**
 * `nomia push` of a name whose namespace refines it into another name
 * (`git:latest` → `git:exact-fetch` → an object; `cc:compile` →
 * `cc:compile-exact` → an object): the record of every step of the chain is
 * pushed, so a reader that follows the first record to the refined name
 * finds that name's record in the cache instead of running it. (The step
 * right after the first record used to be left out: a walkthrough's
 * substituted `cc:compile` ran gcc anyway.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { Repo } from '../support/git-repos.js';

const dir = tempDir('push-chain');
const env = { XDG_CONFIG_HOME: join(dir, 'config') };
const cache = join(dir, 'cache');
const repo = Repo.init(join(dir, 'repo'));
const rev = repo.commit('one', { 'a.txt': 'a\n' });
const name = `git:latest?repo=${repo.dir}&ref=main`;

interface Event { readonly kind: string; readonly label?: string; readonly line?: string }
const events = (err: string): Event[] => err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);

describe('a pushed chain of refinements', () => {
  test('every step is in the cache: the refined name is substituted on an empty store, not run', () => {
    const a = join(dir, 'a');
    assert.equal(nomia(a, ['realize', name], { env }).code, 0);
    const key = nomia(a, ['key', 'generate', 'chain-1'], { env });
    assert.equal(key.code, 0, key.err);
    const p = nomia(a, ['push', cache, name], { env });
    assert.equal(p.code, 0, p.err);
    // git:latest → git:exact-fetch, and git:exact-fetch → the tree.
    assert.match(p.out, /pushed 2 reductions and 1 object /);

    const b = nomia(join(dir, 'b'), ['realize', name, '--substituter', cache, '--trusted-key', key.out.trim(), '--log-format', 'json'], { env });
    assert.equal(b.code, 0, b.err);
    const exact = `git:exact-fetch?repo=${repo.dir}&rev=${rev}`;
    const seen = events(b.err);
    assert.ok(seen.some((e) => e.kind === 'substituted' && e.label === exact), b.err);
    // The fetch from the repository did not run on B.
    assert.ok(!seen.some((e) => e.kind === 'log' && e.line?.includes(`fetching ${rev}`)), b.err);
    assert.ok(seen.some((e) => e.kind === 'log' && e.line?.includes(`main is ${rev}`)), 'git:latest itself is contextual and runs');
    // What the cache gave stays the signer's word: git:latest, which had its exact name realized through the
    // engine, did not record that name's result again as its own (unsigned, followed without the key).
    const shown = nomia(join(dir, 'b'), ['reductions', exact], { env, cwd: dir });
    assert.match(shown.out, /^ {2}\(not followed here\) => filesystem:by-content/m);
    assert.ok(shown.out.includes(`signed by ${key.out.trim()}, from ${cache}`), shown.out);
    assert.doesNotMatch(shown.out, /^ {2}=> /m);
  });
});
