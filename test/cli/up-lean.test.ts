/**
 * cli/up-lean.ts: the second `nomia up` of a running service answered
 * before commander and the command modules load. Which command lines it
 * takes (the rest go to the full command) and that what it loads stays that
 * small: no commander, no engine, no namespace contract, no SQLite. Its
 * answers are checked through the real CLI in
 * test/namespaces/service-up.test.ts ("the second up of a running service").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { leanUp } from '../../src/cli/up-lean.js';
import { loadedWith } from '../support/module-closure.js';

describe('the command lines the lean up takes', () => {
  test('up with a NAME, - or -f FILE, and --store, --root, --json, --log-format', () => {
    assert.deepEqual(leanUp(['up', 'service:x']), { store: undefined, file: undefined, name: 'service:x', root: undefined, json: false });
    assert.deepEqual(leanUp(['--store', '/s', 'up', '--root', 'web', '--json', '--log-format=json', '-f', 'name.nomia']),
      { store: '/s', file: 'name.nomia', name: undefined, root: 'web', json: true });
    assert.equal(leanUp(['up', '-'])?.name, '-');
    assert.equal(leanUp(['up', 'x', '--store=/t'])?.store, '/t');
  });

  test('everything else is the full command\'s', () => {
    const refused: string[][] = [
      ['realize', 'x'], ['up'], ['up', 'a', 'b'], ['up', 'x', '-f', 'file'], ['up', 'x', '-h'], ['up', '--help'], ['up', 'x', '--log-format', 'xml'],
      ['up', 'x', '--root', 'a b'], ['up', 'x', '--root', 'a', '--root', 'b'], ['up', 'x', '--json=1'], ['--json', 'up', 'x'], ['up', 'x', '--'],
      ['up', 'x', '--root'], ['up', 'x', '--other'], ['-V'], [],
    ];
    for (const argv of refused) assert.equal(leanUp(argv), undefined, argv.join(' '));
  });
});

describe('what the lean up loads', () => {
  test('no commander, command module, engine, namespace contract, parser or SQLite', () => {
    const mods = loadedWith('cli/up-lean.js');
    const forbidden = (f: string) => f === 'commander' || f === 'better-sqlite3' || f.startsWith('cli/cmd-') || f.startsWith('engine/') ||
      f === 'namespace/index.js' || f === 'namespace/registry.js' || f === 'name/parse.js' || f === 'store/store.js' || f === 'store/roots.js';
    assert.deepEqual(mods.filter(forbidden), []);
    assert.ok(mods.includes('namespaces/service/client.js'), mods.join(' '));
  });
});
