/**
 * A gc racing a substitution (issue 18): the record of `use` names two
 * objects, `dep` (already in store B, rooted by nothing) and `use` (which
 * refers to `dep`, fetched). The cache's transport runs a real `nomia gc`
 * on B just before it hands over `use`'s NAR: deterministic, no sleeps.
 * The substitution holds `dep` from before the download (protect.ts), so
 * gc leaves it, `use` is imported over it and nothing is built. Without
 * the hold gc removes `dep`, `use` cannot be imported, and B builds.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Substituters } from '../../src/cache/substituters.js';
import { openTransport, type Transport } from '../../src/cache/transport.js';
import { realize } from '../../src/engine/realize.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { registry, runContext } from '../../src/setup.js';
import { openStore } from '../../src/store/store.js';
import { nomia, tempDir } from '../support/cli.js';

const dir = tempDir('substitute-gc');
const env = { XDG_CONFIG_HOME: join(dir, 'config') };
const mark = join(dir, 'ran');
const dep = 'exec:run?args=[sh, -c, "echo dep > $out"]';
// Its output names `dep`'s store path, so it refers to `dep`.
const use = `exec:run?args=[sh, -c, "echo ran >> ${mark}; cat $in > $out; echo $in >> $out"](in: ${dep})`;
const runs = (): number => (existsSync(mark) ? readFileSync(mark, 'utf8').split('\n').filter(Boolean).length : 0);

test('gc between the check that an object is here and the import of what refers to it removes nothing the substitution needs', async () => {
  // `use` refers to `dep`, so it is valid only under the store directory it was built in: A and B are
  // made in turn at one path, A moved away before B is made there.
  const a = join(dir, 'store');
  const b = a;
  const cache = join(dir, 'cache');
  const built = nomia(a, ['realize', use], { env });
  assert.equal(built.code, 0, built.err);
  const key = nomia(a, ['key', 'generate', 'race-1'], { env }).out.trim();
  assert.equal(nomia(a, ['push', cache, use], { env }).code, 0);
  renameSync(a, join(dir, 'a-moved'));
  // B has `dep` (its realize has exited: nothing roots it), not `use`.
  const had = nomia(b, ['realize', dep], { env });
  assert.equal(had.code, 0, had.err);
  const depPath = had.out.trim().split('\n')[1]!;
  const before = runs();

  let gcs = 0;
  const racing = (url: string): Transport => {
    const t = openTransport(url);
    return {
      ...t,
      stream: async (path) => {
        if (path.startsWith('nar/')) {
          const gc = nomia(b, ['gc', '--json'], { env });
          assert.equal(gc.code, 0, gc.err);
          gcs++;
        }
        return t.stream(path);
      },
    };
  };
  const store = openStore({ dir: b });
  const reg = registry(dir, { trustedKeys: [key] });
  const subs = new Substituters({ substituters: [cache], trustedKeys: [key] }, racing);
  const events: EngineEvent[] = [];
  try {
    const { roots } = await realize(use, { store, registry: reg, context: runContext(), substituters: subs, onEvent: (e) => events.push(e) });
    assert.ok(gcs >= 1, `the gc never ran: ${JSON.stringify(events.filter((e) => e.kind !== 'progress'))}`);
    assert.deepEqual(events.filter((e) => e.kind === 'cache-skipped'), []);
    assert.equal(events.filter((e) => e.kind === 'substituted').length, 1);
    assert.equal(runs(), before, 'B built `use` instead of substituting it');
    assert.ok(existsSync(depPath), 'gc removed `dep`');
    assert.match(readFileSync(roots[0]!.kind === 'object' ? roots[0]!.path : '', 'utf8'), /^dep\n.*-out\n$/);
  } finally {
    subs.close();
    await reg.close();
    store.close();
  }
  const verify = nomia(b, ['verify', '--json'], { env });
  assert.equal(JSON.parse(verify.out).consistent, true, verify.out);
});
