/** `nomia realize -f FILE`: names kept in files (and `-f -` for stdin), through the real CLI. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

describe('realize -f', () => {
  const dir = tempDir('realize-file');
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'x'), 'x content\n');
  const name = 'let s = filesystem:import?path="./x"\nin exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: $s)\n';
  writeFileSync(join(dir, 'upper.nomia'), name);

  test('reads the name from FILE, as if it were the argument', () => {
    const fromFile = nomia(store, ['realize', '--log-format', 'plain', '-f', 'upper.nomia'], { cwd: dir });
    assert.equal(fromFile.code, 0, fromFile.err);
    const fromArg = nomia(store, ['realize', '--log-format', 'plain', name], { cwd: dir });
    assert.equal(fromArg.code, 0, fromArg.err);
    assert.equal(fromFile.out, fromArg.out);
    assert.match(fromFile.out, /^filesystem:by-content\?name=out&sha256=[0-9a-f]{64}\n/);
  });

  test('--file - and -f - read standard input', () => {
    for (const flag of ['-f', '--file']) {
      const r = nomia(store, ['realize', '--log-format', 'plain', flag, '-'], { cwd: dir, input: name });
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, nomia(store, ['realize', '--log-format', 'plain', '-f', 'upper.nomia'], { cwd: dir }).out);
    }
  });

  test('an error in the file points at its line and column in FILE', () => {
    writeFileSync(join(dir, 'broken.nomia'), 'let a = filesystem:import?path="./x"\nin exec:run?args=[sh](in: $a ]\n');
    const r = nomia(store, ['realize', '-f', 'broken.nomia'], { cwd: dir });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /--> broken\.nomia:2:\d+/);
  });

  test('a missing file, and a file with a NAME argument too, are usage errors', () => {
    const missing = nomia(store, ['realize', '-f', 'nope.nomia'], { cwd: dir });
    assert.match(missing.err, /error\[usage\]: cannot read nope\.nomia: no such file/);
    const both = nomia(store, ['realize', '-f', 'upper.nomia', 'context:value?v=1'], { cwd: dir });
    assert.match(both.err, /error\[usage\]: give the name either as an argument or with -f upper\.nomia, not both/);
  });

  test('help shows the option', () => {
    assert.match(nomia(store, ['realize', '--help']).out, /-f, --file <file>/);
  });
});
