/**
 * ninja's manifest checks and their `-w` flags (front-end/ninja-warnings.ts):
 * a path two edges make, and a phony edge that names itself, read by
 * `nomia ninja` as the real ninja 1.11 reads them, compared on the same
 * build directory through tools that print the graph; and the checks on a
 * manifest directly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkManifest, checksOf, DEFAULT_CHECKS } from '../../src/front-end/ninja-warnings.js';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('ninja-warnings');
const store = join(dir, 'store');
const MANIFEST = 'rule cp\n  command = cp $in $out\nbuild out: cp a\nbuild out: cp b\nbuild side: cp b\nbuild all: phony all out side\n';
const noInclude = (p: string): string => assert.fail(`no include expected: ${p}`);

describe('-w dupbuild and -w phonycycle', () => {
  test('as the real ninja: the same answer, the same warnings, the same refusal', (t) => {
    if (!requireTool(t, 'ninja', 'ninja-build')) return;
    const build = join(dir, 'build');
    mkdirSync(build);
    writeFileSync(join(build, 'build.ninja'), MANIFEST);
    for (const args of [
      ['-t', 'targets', 'all'],
      ['-w', 'dupbuild=warn', '-t', 'targets', 'all'],
      // Not `-t query all` with the cycle dropped: ninja drops the input but still lists `all` as read by its edge.
      ['-w', 'dupbuild=warn', '-t', 'query', 'out'],
      ['-w', 'dupbuild=warn', '-w', 'phonycycle=err', '-t', 'query', 'all'],
      ['-w', 'dupbuild=warn', '-w', 'dupbuild=err', '-t', 'inputs', 'all'],
    ]) {
      const theirs = spawnSync('ninja', ['-C', build, ...args], { encoding: 'utf8' });
      const ours = nomia(store, ['ninja', '-C', build, ...args]);
      assert.equal(ours.code, theirs.status, `${args.join(' ')}: ${ours.err}`);
      if (theirs.status === 0) {
        assert.equal(ours.out, theirs.stdout, args.join(' '));
        assert.equal(ours.err, theirs.stderr, args.join(' '));
      } else {
        assert.match(theirs.stderr, /ninja: error: build\.ninja:\d+: multiple rules generate out/);
        assert.match(ours.err, /error\[ninja\/syntax\]: build\.ninja: multiple rules generate out/);
      }
    }
  });

  test('checkManifest: dupbuild=warn keeps the first edge that makes a path, and drops an edge left with none', () => {
    const m = parseManifest('rule cp\n  command = cp $in $out\nbuild x: cp a\nbuild x: cp b\nbuild x y: cp c\nbuild all: phony all x\n', 'build.ninja', noInclude);
    assert.throws(() => checkManifest(m, DEFAULT_CHECKS, () => undefined), /multiple rules generate x/);
    const warned: string[] = [];
    const fixed = checkManifest(m, checksOf(['dupbuild=warn']), (w) => warned.push(w));
    assert.deepEqual(fixed.edges.map((e) => [e.outputs, e.inputs]), [[['x'], ['a']], [['y'], ['c']], [['all'], ['x']]]);
    assert.deepEqual(warned, [
      'multiple rules generate x. builds involving this target will not be correct; continuing anyway',
      'multiple rules generate x. builds involving this target will not be correct; continuing anyway',
      'phony target \'all\' names itself as an input; ignoring [-w phonycycle=warn]',
    ]);
    // phonycycle=err keeps the self-reference: the build then fails on the cycle, as ninja's does.
    assert.deepEqual(checkManifest(m, checksOf(['dupbuild=warn', 'phonycycle=err']), () => undefined).edges.at(-1)!.inputs, ['all', 'x']);
  });
});
