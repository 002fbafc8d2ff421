/**
 * The real `bin/nomia.js`, spawned with a pinned environment: output, exit
 * status, help text, and errors shown as caret excerpts, never stack traces.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/cli.js';

const bin = fileURLToPath(new URL('../../../bin/nomia.js', import.meta.url));
const seed = 'package:build-in-sandbox?args=[ bash, -c, $script ](\n  exe: filesystem:by-content?name=bootstrap-tools&sha256=faede8fa5734e721deb694cb1ad335ddca2ea821046ff9b3b893176054b9499b/bin/bash,\n  script: filesystem:by-content?sha256=b97662dfb9667dc7b501d37bf8bf5a2826dcde43decc6039a2a44356cfb483d7\n)';

/** A store of this file's own: without NOMIA_HOME a command that opens one (`graph --dot`) would use the machine's /var/lib/nomia. */
const home = tempDir('cli-home');

function nomia(args: string[], input?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input: input ?? '', encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), LANG: 'C', NOMIA_HOME: home, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function assertCleanFailure(r: { code: number | null; err: string }, code: string): void {
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, new RegExp(`^error\\[${code.replace('/', '\\/')}\\]`));
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
}

describe('nomia parse', () => {
  test('prints the canonical form', () => {
    const r = nomia(['parse', seed]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^package:build-in-sandbox\?args=\[bash, -c, \$script\]\(exe: filesystem:by-content\?name=bootstrap-tools&sha256=faede8fa.*\/bin\/bash, script: /);
  });
  test('--json prints the versioned JSON AST', () => {
    const r = nomia(['parse', '--json', 'a:b?x=1']);
    const json = JSON.parse(r.out);
    assert.equal(json.format, 'nomia-name/1');
    assert.equal(json.name.body.name.ref.namespace.id.id, 'a');
    assert.equal(json.name.body.name.ref.id.params[0].value.value, '1');
  });
  test('reads stdin with -', () => {
    assert.equal(nomia(['parse', '-'], 'x . out\n').out, 'x.out\n');
  });
  test('a syntax error shows line, column and a caret, exit 1', () => {
    const r = nomia(['parse', 'f(a, g(b)']);
    assertCleanFailure(r, 'syntax/unbalanced');
    assert.match(r.err, /--> <name>:1:10/);
    assert.match(r.err, /1 \| f\(a, g\(b\)\n\s+\| {10}\^/);
  });
  test('100 000 nested parentheses: an error, not a crash', () => {
    assertCleanFailure(nomia(['parse', '-'], '('.repeat(100_000)), 'syntax/too-deep');
  });
});

describe('nomia fmt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nomia-fmt-'));
  test('stdin to canonical text', () => {
    const r = nomia(['fmt'], 'let\n  a = x:y /* the input */\nin\n  f:g( in : $a )\n');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'let a = x:y in f:g(in: $a)\n');
  });
  test('a file, --check and --write', () => {
    const file = join(dir, 'name.nomia');
    writeFileSync(file, 'a : b\n');
    assert.equal(nomia(['fmt', file]).out, 'a:b\n');
    assertCleanFailure(nomia(['fmt', '--check', file]), 'usage');
    assert.equal(nomia(['fmt', '--write', file]).code, 0);
    assert.equal(readFileSync(file, 'utf8'), 'a:b\n');
    assert.equal(nomia(['fmt', '--check', file]).code, 0);
  });
  test('--from-json turns the JSON form back into text', () => {
    const json = nomia(['parse', '--json', seed]).out;
    const r = nomia(['fmt', '--from-json'], json);
    assert.equal(r.out, nomia(['parse', seed]).out);
  });
  test('bad JSON and a missing file are clear errors', () => {
    assertCleanFailure(nomia(['fmt', '--from-json'], '{"kind":"Tree","body":{"kind":"Nope"}}'), 'json/invalid');
    const r = nomia(['fmt', join(dir, 'missing')]);
    assertCleanFailure(r, 'usage');
    assert.match(r.err, /no such file/);
  });
});

describe('nomia spell', () => {
  test('the same graph written three ways spells the same', () => {
    const a = nomia(['spell', 'f:f(x: g:g)']).out;
    assert.match(a, /^nomia1-[0-9a-z]{52}\n$/);
    assert.equal(nomia(['spell', 'let v = g:g in f:f(x: $v)']).out, a);
    assert.equal(nomia(['spell', 'compose f:f(x: $v); v = g:g']).out, a);
    assert.notEqual(nomia(['spell', 'f:f(y: g:g)']).out, a);
  });
  test('--nodes and --json list node spellings', () => {
    const r = nomia(['spell', '--json', seed]);
    const json = JSON.parse(r.out);
    assert.equal(json.nodes.length, 3);
    assert.equal(json.spelling, json.nodes[0].spelling);
    assert.match(nomia(['spell', '--nodes', seed]).out, /^ {2}n1 nomia1-\S+ filesystem:by-content\?name=bootstrap-tools/m);
  });
  test('unbound variable, unbound @x and missing namespace are errors with hints', () => {
    assertCleanFailure(nomia(['spell', 'f:f($x)']), 'graph/unbound-variable');
    const r = nomia(['spell', 'f:f(@r)']);
    assertCleanFailure(r, 'graph/unbound-resolved');
    assert.match(r.err, /hint: bind it/);
    assertCleanFailure(nomia(['spell', 'stdin']), 'spell/no-namespace');
    assert.equal(nomia(['spell', '--default-namespace', 'filesystem', 'stdin']).out, nomia(['spell', 'filesystem:stdin']).out);
  });
  test('--resolved binds @x', () => {
    const g = nomia(['spell', 'g:g']).out.trim();
    const r = nomia(['spell', '--resolved', `r=${g}`, 'f:f(@r)']);
    assert.equal(r.code, 0, r.err);
    assertCleanFailure(nomia(['spell', '--resolved', 'r=nope', 'f:f(@r)']), 'usage');
  });
});

describe('nomia graph', () => {
  test('text form', () => {
    const r = nomia(['graph', seed]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^n0 package:build-in-sandbox/);
    assert.match(r.out, /^ {2}exe <- n1\/bin\/bash$/m);
    assert.match(r.out, /^roots: n0$/m);
  });
  test('--dot', () => {
    const r = nomia(['graph', '--dot', 'compose a = f:f($b); b = g:g($a); top:t($a)']);
    assert.match(r.out, /^digraph nomia \{/);
    assert.match(r.out, /n1 -> n0 \[label="0"\];/);
    assert.match(r.out, /n0 -> n1 \[label="0"\];/);
  });
});

describe('help and usage', () => {
  for (const cmd of ['parse', 'fmt', 'spell', 'graph', 'add', 'cat', 'ls', 'path', 'dump', 'import', 'roots', 'root add', 'root remove', 'gc', 'verify', 'hash path', 'hash convert']) {
    test(`${cmd} --help`, () => {
      const r = nomia([...cmd.split(' '), '--help']);
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^Usage: nomia ${cmd}`));
    });
  }
  /** The subcommands a --help lists. */
  const commandsOf = (help: string): string[] => {
    const section = help.split(/^Commands:\n/m)[1] ?? '';
    return section.split('\n').map((l) => /^ {2}([a-z-]+)/.exec(l)?.[1]).filter((c): c is string => c !== undefined && c !== 'help');
  };
  test('every command and subcommand says in its --help what it does (was: status, logs, down, root remove, hash path, key, key public did not)', () => {
    const silent: string[] = [];
    const walk = (path: string[]): void => {
      const r = nomia([...path, '--help']);
      assert.equal(r.code, 0, r.err);
      // Commander prints `Usage: …`, a blank line, then the description, if there is one, before the first section.
      const [, afterUsage = ''] = r.out.split(/^Usage: .*\n\n/m);
      if (path.length > 0 && /^(Arguments|Options|Commands):/.test(afterUsage)) silent.push(path.join(' '));
      for (const sub of commandsOf(r.out)) walk([...path, sub]);
    };
    walk([]);
    assert.deepEqual(silent, [], 'commands whose --help has no description');
  });

  test('every --help reads as paragraphs at any width: no hard line break mid-sentence that commander would wrap again', () => {
    const broken: string[] = [];
    const walk = (path: string[]): void => {
      // Wide ($COLUMNS, as when piped): commander wraps nothing, so every line break left is one written into a
      // text, which at 80 columns would end a line early after commander's own wrapping.
      const wide = nomia([...path, '--help'], undefined, { COLUMNS: '1000' });
      assert.equal(wide.code, 0, wide.err);
      const where = `nomia ${path.join(' ')} --help`;
      // Blocks between blank lines: the usage, the description, then sections of `  term  description` lines,
      // then the verbatim examples of addHelpText (not wrapped by commander, so not checked).
      const blocks = wide.out.trimEnd().split(/\n\n+/);
      const sections = blocks.findIndex((b) => /^(Arguments|Options|Commands|Global Options):\n/.test(b));
      blocks.slice(1, sections === -1 ? blocks.length : sections).forEach((description) => {
        if (description.includes('\n')) broken.push(`${where}: a line break inside the description: ${JSON.stringify(description)}`);
      });
      for (const b of blocks.slice(sections === -1 ? blocks.length : sections)) {
        if (!/^(Arguments|Options|Commands|Global Options):\n/.test(b)) continue;
        for (const line of b.split('\n').slice(1)) if (!/^ {2}\S/.test(line)) broken.push(`${where}: an item's text goes on over a line break: ${JSON.stringify(line)}`);
      }
      for (const sub of commandsOf(wide.out)) walk([...path, sub]);
    };
    walk([]);
    assert.deepEqual(broken, []);
  });

  test('an unknown command exits 2 with usage', () => {
    const r = nomia(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command/);
  });
  test('--version', () => {
    assert.match(nomia(['--version']).out, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('option errors and closed pipes', () => {
  test('a refused option value is a usage error with status 2, not a stack trace', () => {
    const store = mkdtempSync(join(tmpdir(), 'nomia-opts-'));
    for (const args of [['realize', '--jobs', 'x', 'context:value?v=1'], ['realize', '--sandbox', 'maybe', 'context:value?v=1']]) {
      const r = nomia(['--store', store, ...args]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /^error\[usage\]: --(jobs x: give a positive number|sandbox maybe: use bubblewrap or none)\n$/);
    }
  });

  test('help piped into a reader that stops early ends quietly', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" realize --help | head -1`], { encoding: 'utf8' });
    assert.equal(r.stdout, 'Usage: nomia realize [options] [name]\n');
    assert.equal(r.stderr, '');
  });
});
