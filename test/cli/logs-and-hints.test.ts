/**
 * `nomia log` and `nomia reductions` of names of several steps, empty logs,
 * hints that name what to run, the namespaces in `realize --help`, the live
 * line's label, and a deleted working directory, through the real CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { bin, env, nomia, tempDir } from '../support/cli.js';
import { bench, build, realize as realizeBuild, sandboxTools } from '../namespaces/package-support.js';

const FAST = { NOMIA_FSYNC: '0' };
const upper = 'exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"]';

function setup(prefix: string) {
  const dir = tempDir(prefix);
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'x'), 'hello\n');
  const run = (args: string[]) => nomia(store, args, { cwd: dir, env: FAST });
  return { dir, store, run };
}

describe('nomia log and nomia reductions of a name of several steps', () => {
  test('a contextual step that came out as recorded writes no log: nomia log shows the run that recorded it', () => {
    const { dir, run } = setup('log-unchanged');
    const name = 'filesystem:import?path="./x"';
    assert.equal(run(['realize', name]).code, 0);
    // The import must run again (not be answered from the memo) to say so.
    const again = run(['realize', '--no-memo', '--log-format', 'plain', name]);
    assert.match(again.err, /unchanged: /, 'the run still says so, as it happens');
    assert.equal(run(['log', name]).out, `added ${join(dir, 'x')}\n`);
    writeFileSync(join(dir, 'x'), 'changed\n');
    assert.equal(run(['realize', name]).code, 0);
    writeFileSync(join(dir, 'x'), 'hello\n');
    const back = run(['realize', '--log-format', 'plain', name]);
    assert.match(back.err, /unchanged: /, 'the old content is still in the store');
    assert.equal(run(['log', name]).out, `unchanged: ${join(dir, 'x')} is already in the store\n`, 'a new result was recorded: its run\'s log is kept');
  });

  test('each step answers right after the realize, also behind a contextual input', () => {
    const { dir, run } = setup('log-steps');
    const name = `let s = filesystem:import?path=./x in ${upper}(in: $s)`;
    assert.equal(run(['realize', '--log-format', 'plain', name]).code, 0);
    const log = run(['log', name]);
    assert.equal(log.code, 0, log.err);
    assert.equal(log.out, `== filesystem:import?path=./x\nadded ${join(dir, 'x')}\n== ${upper}\n(empty)\n`);
    const red = run(['reductions', name]);
    assert.equal(red.code, 0, red.err);
    assert.match(red.out, /^steps:\n {2}filesystem:import\?path=\.\/x\n {4}=> filesystem:by-content\?name=x&sha256=[0-9a-f]{64}\n/m);
    // The root step's chain is the name's own, shown above `steps:` (from its inputs, as it depends on the caller's context).
    assert.match(red.out, /^ {2}\(depends on the caller's context: recorded under its spelling from its inputs as last realized\)\n {2}=> /m);
    assert.match(red.out, /exec:run\?args=\[sh, -c, "tr a-z A-Z < \$in > \$out"\]\n {4}\(the name's own chain, above\)/);
  });

  test('a name without contextual parts: every step with its log and its reduction', () => {
    const { run } = setup('log-steps-pure');
    const name = `let a = exec:run?args=[sh, -c, "echo made; echo hi > $out"] in ${upper}(in: $a)`;
    assert.equal(run(['realize', name]).code, 0);
    assert.equal(run(['log', name]).out, `== exec:run?args=[sh, -c, "echo made; echo hi > $out"]\nmade\n== ${upper}\n(empty)\n`);
    const red = run(['reductions', name]).out;
    assert.equal(red.match(/=> filesystem:by-content\?name=out&sha256=/g)?.length, 2, red);
  });

  test('a build that printed nothing has an empty log, not none', () => {
    const { run } = setup('log-empty');
    const name = 'exec:run?args=[sh, -c, "echo quiet > $out"]';
    const before = run(['log', name]);
    assert.equal(before.code, 1);
    assert.match(before.err, /hint: .*realize it first \(`nomia realize 'exec:run\?args=\[sh, -c, "echo quiet > \$out"\]'`\)/);
    assert.equal(run(['realize', name]).code, 0);
    const log = run(['log', name]);
    assert.equal(log.code, 0, log.err);
    assert.equal(log.out, '');
  });
});

describe('hints name what to run', () => {
  test('a missing bootstrap-tools object hints at nomia bootstrap-tools', () => {
    const { run } = setup('hint-tools');
    const tools = `filesystem:by-content?name=bootstrap-tools&sha256=${'d1'.repeat(32)}`;
    const r = run(['realize', `package:build-in-sandbox?args=[bash, -c, "true"](exe: ${tools}/bin/bash)`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /error\[store\/not-found\]/);
    assert.match(r.err, /hint: make it with `nomia bootstrap-tools`/);
  });

  test('exec:run that cannot start says why: not executable, a relative program, a missing #! interpreter, not on PATH', () => {
    const { dir, run } = setup('hint-exec-start');
    writeFileSync(join(dir, 's.sh'), 'echo hi > $out\n');
    chmodSync(join(dir, 's.sh'), 0o644);
    writeFileSync(join(dir, 'bad.sh'), '#!/nonexistent/sh\necho hi > $out\n');
    chmodSync(join(dir, 'bad.sh'), 0o755);
    const cases: [string, RegExp][] = [
      ['exec:run?args=[$s](s: filesystem:import?path=./s.sh)', /hint: it is not executable .*args=\[sh, \$script\]/],
      ['exec:run?args=[./s.sh]', /hint: a relative program is looked up in the command's own work directory.*filesystem:import\?path=\.\/s\.sh/],
      ['exec:run?args=[$s](s: filesystem:import?path=./bad.sh)', /hint: it, or the interpreter on its #! line, does not exist/],
      ['exec:run?args=[no-such-program-here]', /hint: is it on PATH\?/],
    ];
    for (const [name, hint] of cases) {
      const r = run(['realize', name]);
      assert.equal(r.code, 1, name);
      assert.match(r.err, /cannot start/, name);
      assert.match(r.err, hint, name);
    }
    // The fix the first hint gives works.
    assert.equal(run(['realize', 'exec:run?args=[sh, $s](s: filesystem:import?path=./s.sh)']).code, 0);
  });

  test('a relative path typed as a name (site/index.html, no ./) hints the import of that path, only when it exists', () => {
    const { dir, run } = setup('path-as-name');
    mkdirSync(join(dir, 'site'));
    writeFileSync(join(dir, 'site', 'index.html'), 'hi\n');
    const r = run(['realize', 'site/index.html']);
    assert.equal(r.code, 1);
    assert.match(r.err, /hint: `site\/index\.html` is a path here, and a path is a value, not a name: import it with 'filesystem:import\?path=\.\/site\/index\.html'/);
    const missing = run(['realize', 'other/index.html']);
    assert.equal(missing.code, 1);
    assert.doesNotMatch(missing.err, /is a path here/);
  });

  test('a mistyped namespace, name or parameter is answered with the one meant', () => {
    const { run } = setup('hint-typo');
    const cases: [string, RegExp][] = [
      ['filesytem:import?path=./x', /there is no namespace `filesytem` \(did you mean `filesystem`\?\)/],
      ['filesystem:imprt?path=./x', /filesystem:imprt is not a name of this namespace \(did you mean `import`\?\)/],
      ['filesystem:import?pth=./x', /does not take the parameter `pth` \(did you mean `path`\?\)/],
    ];
    for (const [name, message] of cases) {
      const r = run(['realize', name]);
      assert.equal(r.code, 1, name);
      assert.match(r.err, message, name);
    }
    assert.doesNotMatch(run(['realize', 'nothing-like-it:x']).err, /did you mean/);
  });

  test('a script that is not executable: exit 126 hints chmod +x; the log hint carries the name', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('hint-126');
    const path = join(b.dir, 'not-exec.sh');
    writeFileSync(path, 'echo hi > $out\n');
    chmodSync(path, 0o644);
    const script = nomia(b.store, ['add', '--name', 'script', path], { env: FAST }).out.trim();
    const name = build(b, script);
    const r = realizeBuild(b, name);
    assert.equal(r.code, 1);
    assert.match(r.err, /exit status 126/);
    assert.match(r.err, /hint: the script is not executable: `chmod \+x` it/);
    const failing = build(b, nomia(b.store, ['add', '--name', 'script', writeScript(b.dir, 'echo oops; exit 3\n')], { env: FAST }).out.trim());
    const f = realizeBuild(b, failing);
    assert.equal(f.code, 1);
    const hint = /hint: the whole log: nomia log (.*)$/m.exec(f.err)?.[1];
    assert.ok(hint !== undefined, f.err);
    assert.equal(hint, `'${failing}'`);
    // The hint is a command that works.
    const log = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" --store "${b.store}" log ${hint}`], { encoding: 'utf8', env: env() });
    assert.equal(log.status, 0, log.stderr);
    assert.match(log.stdout, /oops\nfailed: the build failed with exit status 3/);
  });
});

function writeScript(dir: string, text: string): string {
  const path = join(dir, `s-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

describe('realize: help, live line, working directory', () => {
  test('realize --help lists every namespace of the registry, configured ones too', () => {
    const { dir, run } = setup('help-ns');
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ namespaces: { mine: { command: ['python3', 'mine.py'] } } }));
    const r = run(['realize', '--help']);
    assert.equal(r.code, 0, r.err);
    const line = /^Namespaces \(built in and from nomia\.json\): (.*)$/m.exec(r.out)?.[1];
    assert.ok(line, r.out);
    for (const id of ['context', 'exec', 'fetch', 'filesystem', 'git', 'mine', 'package', 'private-filesystem', 'unpack']) {
      assert.ok(line.split(', ').includes(id), `${id} in ${line}`);
    }
  });

  test('a node\'s label parameter reaches the events (the live line shows it)', () => {
    const { run } = setup('label');
    const r = run(['realize', '--log-format', 'json', 'exec:run?label="shout it"&args=[sh, -c, "echo x > $out"]']);
    assert.equal(r.code, 0, r.err);
    const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
    const realizing = events.find((e) => e.kind === 'realizing');
    assert.equal(realizing && 'title' in realizing ? realizing.title : undefined, 'shout it');
  });

  test('a deleted working directory is a clear error, not an internal one', () => {
    const { dir, store } = setup('cwd-gone');
    const gone = join(dir, 'gone');
    mkdirSync(gone);
    const r = spawnSync('sh', ['-c', `cd "${gone}" && rmdir "${gone}" && exec "${process.execPath}" "${bin}" --store "${store}" realize 'filesystem:import?path=./x'`], { encoding: 'utf8', env: env() });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error\[usage\]: the working directory \(.*gone\) no longer exists\n {2}hint: cd to a directory that exists/);
    assert.doesNotMatch(r.stderr, /internal error|uv_cwd/);
  });
});
