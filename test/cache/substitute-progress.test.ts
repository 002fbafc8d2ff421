/**
 * The progress of a substitution (issue 18, a new user's walkthrough), through
 * the real CLI on a directory cache: `progress` events carry the total (the
 * NAR bytes to fetch, from the signed record) and are thinned as a
 * namespace's are, at most one per 100 ms with the first and the last. They
 * came once per 64 KiB read, with no total: 128 lines for 8 MiB.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

const dir = tempDir('cache-progress');
const env = { XDG_CONFIG_HOME: join(dir, 'config') };
const cache = join(dir, 'cache');
const name = 'exec:run?args=[sh, -c, "head -c 8388608 /dev/zero | tr \'\\\\0\' a > $out"]';

interface Event { readonly kind: string; readonly done?: number; readonly total?: number; readonly unit?: string; readonly bytes?: number }

describe('progress of a substitution', () => {
  test('each event has the total of the NARs to fetch, the last is complete, and they are thinned', () => {
    const a = join(dir, 'a');
    const built = nomia(a, ['realize', name], { env });
    assert.equal(built.code, 0, built.err);
    const key = nomia(a, ['key', 'generate', 'progress-1'], { env });
    assert.equal(key.code, 0, key.err);
    assert.equal(nomia(a, ['push', cache, name], { env }).code, 0);

    const started = Date.now();
    const r = nomia(join(dir, 'b'), ['realize', name, '--substituter', cache, '--trusted-key', key.out.trim(), '--log-format', 'json'], { env });
    const ms = Date.now() - started;
    assert.equal(r.code, 0, r.err);
    const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
    const substituted = events.find((e) => e.kind === 'substituted');
    assert.ok(substituted && substituted.bytes! > 8 << 20, r.err);
    const progress = events.filter((e) => e.kind === 'progress');
    assert.ok(progress.length >= 1, r.err);
    for (const p of progress) {
      assert.equal(p.unit, 'bytes');
      assert.equal(p.total, substituted.bytes, 'the total is the NAR bytes fetched');
    }
    assert.equal(progress.at(-1)!.done, substituted.bytes, 'the last event says it is complete');
    // One per 100 ms at most, plus the first and the last: the whole run bounds their number.
    assert.ok(progress.length <= 2 + ms / 100, `${progress.length} progress events in ${ms} ms`);
  });
});
