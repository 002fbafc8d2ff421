/**
 * cli/ninja-lean.ts: the no-op of `nomia ninja` answered before commander
 * and the command modules load. Which command lines it takes (the rest go
 * to the full command, cmd-ninja.ts) and that what it loads stays that
 * small. That its answers are the full command's, and never stale, is
 * test/front-end/ninja-memo.test.ts's, on a real CMake project.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { leanNinja } from '../../src/cli/ninja-lean.js';
import { loadedWith } from '../support/module-closure.js';

describe('the command lines the lean ninja path takes', () => {
  test('ninja with targets, -C, -j, --log-format, --toolchain, -v, --no-out-link, and --store before the command word', () => {
    assert.deepEqual(leanNinja(['ninja']), { store: undefined, dir: '.', targets: [], toolchain: undefined, logFormat: 'auto' });
    assert.deepEqual(leanNinja(['--store', '/s', 'ninja', '-C', 'build', '-j', '2', '--toolchain', 'deb:closure?packages=[gcc]', '--log-format', 'json', 'all', '-v', 'lib.a']), {
      store: '/s', dir: 'build', targets: ['all', 'lib.a'], toolchain: 'deb:closure?packages=[gcc]', logFormat: 'json',
    });
    assert.equal(leanNinja(['--store=/t', 'ninja', '--jobs=3', '--log-format=plain'])?.logFormat, 'plain');
    assert.equal(leanNinja(['ninja', '--verbose', '-C', 'b'])?.dir, 'b');
    // An answer from the memo writes no out-link anyway.
    assert.equal(leanNinja(['ninja', '--no-out-link', '-C', 'b'])?.dir, 'b');
  });

  test('everything else is the full command\'s', () => {
    const refused: string[][] = [
      ['realize', 'x'], [], ['-V'], ['ninja', '--version'], ['ninja', '-t', 'restat'], ['ninja', '--no-memo'], ['ninja', '-h'], ['ninja', '--help'],
      ['ninja', '-Cbuild'], ['ninja', '-j4'], ['ninja', '-j', '0'], ['ninja', '-j', 'x'], ['ninja', '--log-format', 'xml'], ['ninja', '-C'],
      ['ninja', '-C', 'a', '-C', 'b'], ['ninja', '--store', '/s'], ['-v', 'ninja'], ['ninja', '--', 'all'], ['ninja', '--unknown'],
      ['--store', '/s', '--store', '/t', 'ninja'],
    ];
    for (const argv of refused) assert.equal(leanNinja(argv), undefined, argv.join(' '));
  });
});

describe('what the lean ninja path loads', () => {
  test('no commander, command module, engine beyond the memo, registry, parser or namespace but dpkg\'s status path', () => {
    const mods = loadedWith('cli/ninja-lean.js');
    const allowed = (f: string) => f === 'better-sqlite3' || f === 'errors.js' || f === 'namespace/config.js' || f === 'namespaces/deb/dpkg-status.js' ||
      /^engine\/(memo|memo-deps|protect)\.js$/.test(f) || /^front-end\/(ninja-memo|ninja-outputs|layout)\.js$/.test(f) || f.startsWith('store/') || f.startsWith('cli/');
    assert.deepEqual(mods.filter((f) => !allowed(f)), []);
    assert.deepEqual(mods.filter((f) => f.startsWith('cli/cmd-') || f === 'cli/realize-run.js' || f === 'cli/hints.js' || f === 'cli/run.js'), []);
  });
});
