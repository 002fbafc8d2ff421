/**
 * `--no-out-link` for `nomia ninja` and `nomia compile-commands` (cli/build-root.ts; like nix-build's): the
 * outputs are written into the build directory, but no `.nomia_ninja_root` / `.nomia_compile_commands_root`
 * roots them, so the next `nomia gc` collects what the build made. A link an earlier build wrote is left as
 * it is. The toolchain is the host's files (no package database), so nothing is downloaded.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nomia } from '../support/cli.js';
import { hostFilesBuild } from '../support/host-files-build.js';
import { requireTool } from '../support/tools.js';

test('--no-out-link writes the outputs but no link, and the next gc collects what the build made', (t) => {
  if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'gcc', 'gcc')) return;
  const { dir, store, env, buildDir, gc } = hostFilesBuild('no-out-link');
  const at = buildDir('build');
  writeFileSync(join(at, 'x.c'), 'int x(void) { return 7; }\n');
  writeFileSync(join(at, 'build.ninja'), 'rule cc\n  command = /usr/bin/cc -O2 -c $in -o $out\n  deps = gcc\nbuild x.o: cc x.c\n');
  writeFileSync(join(at, 'y.c'), 'int y(void) { return 9; }\n');
  writeFileSync(join(at, 'compile_commands.json'), JSON.stringify([{ directory: at, command: `/usr/bin/cc -O2 -o y.o -c ${join(at, 'y.c')}`, file: join(at, 'y.c') }]));

  const ninja = nomia(store, ['ninja', '-C', at, '--no-out-link'], { cwd: dir, env });
  assert.equal(ninja.code, 0, ninja.err.slice(-3000));
  assert.ok(existsSync(join(at, 'x.o')), 'the output is written');
  assert.ok(!existsSync(join(at, '.nomia_ninja_root')), 'but no link');
  const cc = nomia(store, ['compile-commands', '-p', at, '--no-out-link'], { cwd: dir, env });
  assert.equal(cc.code, 0, cc.err.slice(-3000));
  assert.ok(existsSync(join(at, 'y.o')));
  assert.ok(!existsSync(join(at, '.nomia_compile_commands_root')));
  const dead = gc();
  assert.ok(dead.some((p) => p.endsWith('-x.o')) && dead.some((p) => p.endsWith('-y.o')), `the next gc collects both builds' objects: ${dead.join(' ')}`);
  assert.ok(existsSync(join(at, 'x.o')), 'the build directory keeps its copies');

  // The default: a link that keeps the build through gc; a build with --no-out-link leaves it as it is.
  const linked = nomia(store, ['ninja', '-C', at], { cwd: dir, env });
  assert.equal(linked.code, 0, linked.err.slice(-3000));
  const set = readlinkSync(join(at, '.nomia_ninja_root'));
  writeFileSync(join(at, 'x.c'), 'int x(void) { return 8; }\n');
  const changed = nomia(store, ['ninja', '-C', at, '--no-out-link'], { cwd: dir, env });
  assert.equal(changed.code, 0, changed.err.slice(-3000));
  assert.ok(lstatSync(join(at, '.nomia_ninja_root')).isSymbolicLink());
  assert.equal(readlinkSync(join(at, '.nomia_ninja_root')), set, 'the earlier build\'s link is left as it is');
  assert.ok(!gc().some((p) => p.endsWith('-ninja-build')), 'and still keeps its set');
});
