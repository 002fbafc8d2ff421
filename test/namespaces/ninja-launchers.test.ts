/** Compiler launchers dropped from ninja commands (src/namespaces/ninja/launchers.ts): which are, and which words are left alone. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dropLaunchers } from '../../src/namespaces/ninja/launchers.js';

describe('compiler launchers', () => {
  test('a cache or distributor in front of a simple command is dropped', () => {
    const dropped: [string, string][] = [
      ['ccache cc -c a.c -o a.o', 'cc -c a.c -o a.o'],
      ['/usr/bin/ccache /usr/bin/cc -c a.c', '/usr/bin/cc -c a.c'],
      ['sccache c++ -c a.cc', 'c++ -c a.cc'],
      ['distcc gcc -c a.c', 'gcc -c a.c'],
      ['icecc gcc -c a.c', 'gcc -c a.c'],
      ['buildcache gcc -c a.c', 'gcc -c a.c'],
      [': && ccache /usr/bin/cc -o x a.o && :', ': && /usr/bin/cc -o x a.o && :'],
      ['cd sub; ccache cc -c a.c', 'cd sub; cc -c a.c'],
    ];
    for (const [command, expected] of dropped) assert.equal(dropLaunchers(command), expected, command);
  });

  test('a launcher that is an argument, runs alone or with its own options, and any other wrapper are kept', () => {
    const kept = [
      'echo ccache cc',
      'ccache -s',
      'ccache',
      'ccache max_size=1G cc -c a.c',
      'env CCACHE_DIR=/x ccache cc -c a.c',
      'time cc -c a.c',
      'cc -DLAUNCHER=ccache -c a.c',
      'myccache cc -c a.c',
    ];
    for (const command of kept) assert.equal(dropLaunchers(command), command);
  });
});
