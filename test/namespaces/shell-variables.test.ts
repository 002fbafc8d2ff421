/**
 * A missing input named inside a shell string (issue "Data safety", point
 * 3): the realize warns, naming the variable and the argument, in the JSON
 * events, the plain lines and the node's stored log.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { unsetVariables } from '../../src/namespaces/shell-variables.js';
import { nomia, tempDir } from '../support/cli.js';

test('unsetVariables: what nothing sets, and only that', () => {
  const env = ['in', 'out', 'PATH', 'HOME'];
  const cases: [string, string[]][] = [
    ['cat $nothere > $out', ['nothere']],
    ['cat ${in} ${missing} > "$out"', ['missing']],
    ["echo '$quoted' \\$escaped $HOME $PWD > $out", []],
    ['for f in a b; do echo $f; done > $out', []],
    ['x=1; echo $x ${y:-default} > $out', []],
    ['read -r line < $in; echo "$line $typo" > $out', ['typo']],
    ['echo $1 $@ $? $$ > $out', []],
    ['echo $a $a > $out', ['a']],
  ];
  for (const [text, want] of cases) assert.deepEqual(unsetVariables([text], env).map((u) => u.variable), want, text);
  assert.deepEqual(unsetVariables(['sh', undefined, '-c', 'echo $zz'], env), [{ variable: 'zz', argument: 3 }]);
});

test('exec:run warns about $name in a string that is neither input, output nor environment', () => {
  const dir = tempDir('shellvars');
  const store = join(dir, 'store');
  const name = 'exec:run?args=[sh, -c, "cat $nothere > $out"]';
  const json = nomia(store, ['realize', '--log-format', 'json', name]);
  assert.equal(json.code, 0, json.err);
  const events = json.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  const warnings = events.filter((e) => e.kind === 'warning');
  assert.equal(warnings.length, 1);
  assert.deepEqual({ ...warnings[0], node: undefined, at: undefined, message: undefined }, {
    kind: 'warning', type: 'unset-variable', variable: 'nothere', where: 'args[2]', label: name, node: undefined, at: undefined, message: undefined,
  });
  assert.match((warnings[0] as { message: string }).message, /`\$nothere` in args\[2\] is neither an input, an output nor a variable/);
  const log = nomia(store, ['log', name]);
  assert.match(log.out, /warning: exec:run: `\$nothere` in args\[2\]/, 'kept in the node\'s log');
  const plain = nomia(join(dir, 'store2'), ['realize', '--log-format', 'plain', name]);
  assert.match(plain.err, /warning +exec:run: `\$nothere` in args\[2\]/);
  // Inputs, outputs and the environment are known: no warning.
  const fine = nomia(store, ['realize', '--log-format', 'json', `exec:run?args=[sh, -c, "cat $in > $out; echo $HOME >> $out"](in: ${name})`]);
  assert.equal(fine.code, 0, fine.err);
  assert.doesNotMatch(fine.err, /"kind":"warning"/);
});
