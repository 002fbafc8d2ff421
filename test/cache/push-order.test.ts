/**
 * `nomia push` writes every object of a record's closure, each NAR before
 * its metadata, before the record that points at them: a reader never
 * follows a record to a missing object, wherever a push is cut short.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateSecretKey, parseSecretKey } from '../../src/cache/keys.js';
import { parseRecord } from '../../src/cache/record.js';
import { narPath, objectInfoPath } from '../../src/cache/paths.js';
import { openTransport, type Transport } from '../../src/cache/transport.js';
import { pushNames } from '../../src/engine/push.js';
import { registry, runContext } from '../../src/setup.js';
import { toHex } from '../../src/store/hash.js';
import { parseObjectPath } from '../../src/store/store-path.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

test('objects (NAR, then metadata) are written before the records that name them', async () => {
  const dir = tempDir('push-order');
  const store = openStore({ dir: join(dir, 'store'), fsync: false });
  const reg = registry(dir);
  const puts: string[] = [];
  const file = openTransport(join(dir, 'cache'));
  const recording: Transport = { ...file, put: async (path, data) => { puts.push(path); return file.put(path, data); } };
  try {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a'), 'a\n');
    const name = `exec:run?args=[sh, -c, "cat $in/a $in/a > $out"](in: filesystem:import?path="${join(dir, 'src')}")`;
    const r = await pushNames({ store, registry: reg, context: runContext() }, recording, parseSecretKey(generateSecretKey('order-1')), [name]);
    assert.ok(r.records >= 2 && r.uploaded === 2, JSON.stringify(r));
    const records = puts.filter((p) => p.startsWith('reductions/'));
    assert.ok(records.length >= 2);
    for (const at of records) {
      const record = parseRecord((await file.get(at))!.toString())!;
      for (const o of record.objects) {
        const nar = puts.indexOf(narPath(toHex(parseObjectPath(o.path)!.hash)));
        const info = puts.indexOf(objectInfoPath(o.path));
        assert.ok(nar >= 0 && nar < info && info < puts.indexOf(at), `${o.path} before ${at}: ${puts.join(', ')}`);
      }
    }
  } finally {
    await reg.close();
    store.close();
  }
});
