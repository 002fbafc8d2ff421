/**
 * gc and the memo of `nomia up` (src/cli/up-memo-gc.ts): an entry stays while the service it names
 * runs and goes once it is down; the real CLI, a real service under the supervisor.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CacheCollection } from '../../src/namespace/types.js';
import { requireTool } from '../support/tools.js';
import { freePort, httpd, rig, type Rig } from '../namespaces/service-support.js';

describe('gc and the memo of up', () => {
  let r: Rig;
  before(() => { r = rig('up-memo-gc'); });
  after(async () => { await r?.cleanUp(); });

  it('keeps the entry of a running service and deletes it once the service is down', async (t) => {
    if (!requireTool(t, 'busybox', 'busybox-static')) return;
    const port = await freePort();
    const up = r.run(['up', '--json', httpd(r, port, r.addDir('www', { 'index.html': 'x' }), '&name=memo-gc')]);
    assert.equal(up.code, 0, up.err);
    const { id } = JSON.parse(up.out) as { id: string };
    const memo = join(r.store, 'services', 'up-memo');
    const [entry] = readdirSync(memo);
    assert.equal(readFileSync(join(memo, entry!), 'utf8'), id, 'up memoized the service');
    const gc = () => {
      const g = r.run(['gc', '--json']);
      assert.equal(g.code, 0, g.err);
      return (JSON.parse(g.out) as { caches: Record<string, CacheCollection> }).caches['up-memo'];
    };
    assert.deepEqual(gc()?.removed, [], 'kept while the service runs');
    assert.ok(existsSync(join(memo, entry!)));
    assert.equal(r.run(['down', 'memo-gc']).code, 0);
    assert.deepEqual(gc()?.removed, [`services/up-memo/${entry}`]);
    assert.deepEqual(readdirSync(memo), []);
  });
});
