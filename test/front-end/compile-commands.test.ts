/**
 * Reading a compilation database: entries with `command` or `arguments`,
 * turned into edges that the ninja recogniser reads as the same compile as
 * CMake's ninja edge for that file; malformed databases are refused.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { entryEdge, readEntries } from '../../src/front-end/compile-commands.js';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import { recognise } from '../../src/namespaces/ninja/recognise.js';
import { tempDir } from '../support/cli.js';

const dir = tempDir('compile-commands');
const S = '/p/json-c';
const B = '/p/build';
const db = (entries: unknown) => {
  const f = join(dir, `db${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(entries));
  return f;
};

/** The compile as CMake writes it in build.ninja, for the same file. */
const ninjaEdge = parseManifest(`rule C
  deps = gcc
  command = /usr/bin/cc -DX -I${S} -I${B} -O2 -fPIC -MD -MT $out -MF $out.d -o $out -c $in
build CMakeFiles/x.dir/a.c.o: C ${S}/a.c
`, 'build.ninja', () => '').edges[0]!;

describe('compile_commands.json', () => {
  test('an entry with `command`, and one with `arguments`, are the compile ninja\'s edge is', () => {
    const file = db([
      { directory: B, command: `/usr/bin/cc -DX -I${S} -I${B} -O2 -fPIC -o CMakeFiles/x.dir/a.c.o -c ${S}/a.c`, file: `${S}/a.c` },
      { directory: B, arguments: ['/usr/bin/cc', '-DX', `-I${S}`, `-I${B}`, '-O2', '-fPIC', '-o', 'CMakeFiles/x.dir/a.c.o', '-c', `${S}/a.c`], file: `${S}/a.c`, output: 'CMakeFiles/x.dir/a.c.o' },
    ]);
    const expected = recognise(ninjaEdge, [S, B]);
    assert.equal(expected.kind, 'compile');
    for (const entry of readEntries(file)) {
      const edge = entryEdge(entry, file);
      assert.deepEqual(edge.outputs, ['CMakeFiles/x.dir/a.c.o']);
      assert.deepEqual(recognise(edge, [S, B]), expected);
    }
  });

  test('an entry without -o takes its `output`; a relative `file` is found as the command writes it', () => {
    const [entry] = readEntries(db([{ directory: B, arguments: ['gcc', '-O2', '-c', '../json-c/a.c'], file: '../json-c/a.c', output: 'a.o' }]));
    const edge = entryEdge(entry!, 'db');
    assert.deepEqual(edge.inputs, ['../json-c/a.c']);
    assert.deepEqual(recognise(edge, [S, B]), { kind: 'compile', source: '../json-c/a.c', args: ['-O2'], includes: [], system: [] });
  });

  test('malformed databases and entries without an output are refused with a code', () => {
    const code = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof NomiaError && e.code === 'compile-commands/invalid');
    code(() => readEntries(join(dir, 'absent.json')));
    code(() => readEntries(db({ not: 'a list' })));
    code(() => readEntries(db([{ directory: B, file: 'a.c' }])));
    const [entry] = readEntries(db([{ directory: B, command: 'cc -c a.c', file: 'a.c' }]));
    code(() => entryEdge(entry!, 'db'));
  });
});
