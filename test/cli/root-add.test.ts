/**
 * `nomia root add R NAME` for any name: it roots the results recorded for
 * NAME (as `nomia realize --root R` would) and builds nothing; a name with
 * no recorded result is refused with the command that realizes and roots it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

const NAME = 'exec:run?args=[sh, -c, "echo made > $out"]';

test('root add roots the recorded result of a realized name, and refuses one never realized without building it', () => {
  const dir = tempDir('root-add');
  const store = join(dir, 'store');

  const early = nomia(store, ['root', 'add', 'keep', NAME], { cwd: dir });
  assert.equal(early.code, 1);
  assert.match(early.err, /^error\[query\/not-realized\]: exec:run\?args=\[sh, -c, "echo made > \$out"\] has no recorded results in the store /);
  assert.match(early.err, /hint: `nomia realize --root keep 'exec:run\?args=\[sh, -c, "echo made > \$out"\]'` realizes it and roots its results/);
  const objects = join(store, 'store');
  assert.deepEqual(existsSync(objects) ? readdirSync(objects) : [], [], 'root add built nothing');

  const realized = nomia(store, ['realize', NAME], { cwd: dir });
  assert.equal(realized.code, 0, realized.err);
  const path = realized.out.trim().split('\n')[1]!;
  const rooted = nomia(store, ['root', 'add', 'keep', NAME], { cwd: dir });
  assert.equal(rooted.code, 0, rooted.err);
  assert.equal(rooted.out, `root keep (absolute) -> ${basename(path)}\n`);
  const leased = nomia(store, ['root', 'add', 'for-a-day', NAME, '--lease', '1d'], { cwd: dir });
  assert.equal(leased.out, `root for-a-day (lease) -> ${basename(path)}\n`);

  assert.equal(nomia(store, ['root', 'remove', 'for-a-day']).code, 0);
  const gc = JSON.parse(nomia(store, ['gc', '--json']).out) as { dead: string[] };
  assert.deepEqual(gc.dead, []);
  assert.equal(readFileSync(path, 'utf8'), 'made\n', 'the root kept the result through gc');
  assert.equal(nomia(store, ['root', 'remove', 'keep']).code, 0);
  nomia(store, ['gc']);
  assert.equal(existsSync(path), false, 'without the root gc deletes it');
});
