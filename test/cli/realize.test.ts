/**
 * The engine through the real CLI on a temporary store (issue 4's
 * must-work list), events read as JSON lines.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { printValue } from '../../src/name/print.js';
import { bin, env, nomia, tempDir } from '../support/cli.js';

function realize(store: string, name: string, cwd: string, extraEnv: Record<string, string> = {}, extraArgs: string[] = []) {
  const r = nomia(store, ['realize', '--log-format', 'json', ...extraArgs, name], { cwd, env: extraEnv });
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  return { ...r, events };
}

const kinds = (events: EngineEvent[], kind: EngineEvent['kind']) => events.filter((e) => e.kind === kind);

describe('realize', () => {
  test('1. filesystem:import prints the by-content name and path; a second run is a hash and a lookup', () => {
    const dir = tempDir('import');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'x'), 'some content\n');
    const first = realize(store, 'filesystem:import?path="./x"', dir);
    assert.equal(first.code, 0, first.err);
    const [name, path] = first.out.trim().split('\n');
    assert.match(name!, /^filesystem:by-content\?name=x&sha256=[0-9a-f]{64}$/);
    assert.equal(readFileSync(path!, 'utf8'), 'some content\n');
    assert.ok(kinds(first.events, 'log').some((e) => e.kind === 'log' && /^added /.test(e.line)));
    // Walked (`--no-memo`): the memo would answer without running the import at all.
    const second = realize(store, 'filesystem:import?path="./x"', dir, {}, ['--no-memo']);
    assert.equal(second.out, first.out);
    const logs = kinds(second.events, 'log').map((e) => (e as { line: string }).line);
    assert.deepEqual(logs, [`unchanged: ${join(dir, 'x')} is already in the store`], 'no copy the second time');
    assert.equal(kinds(second.events, 'done').length, 1);
    // The by-content name it printed realizes from the store alone.
    const again = realize(store, name!, dir);
    assert.equal(again.out.trim().split('\n')[1], path);
  });

  test('2. a three-stage let pipeline: a change stage 1 normalizes away reruns stage 1 only (early cutoff)', () => {
    const dir = tempDir('pipeline');
    const store = join(dir, 'store');
    const pipeline = `let
      src = filesystem:import?path="./input.txt";
      stage1 = exec:run?args=[sh, -c, "sed -e 's/[ \\t]*$//' < $in > $out"](in: $src);
      stage2 = exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: $stage1)
    in exec:run?args=[sh, -c, "rev < $in > $out"](in: $stage2)`;
    writeFileSync(join(dir, 'input.txt'), 'hello world\n');
    const cold = realize(store, pipeline, dir);
    assert.equal(cold.code, 0, cold.err);
    assert.equal(kinds(cold.events, 'realizing').length, 4);
    const result = cold.out.trim().split('\n')[1]!;
    assert.equal(readFileSync(result, 'utf8'), 'DLROW OLLEH\n');

    const unchanged = realize(store, pipeline, dir, {}, ['--no-memo']);
    assert.deepEqual(kinds(unchanged.events, 'realizing').map((e) => (e as { label: string }).label), ['filesystem:import?path=./input.txt'],
      'only the contextual import runs again');

    writeFileSync(join(dir, 'input.txt'), 'hello world   \t \n');
    const after = realize(store, pipeline, dir);
    assert.equal(after.code, 0, after.err);
    const ran = kinds(after.events, 'realizing').map((e) => (e as { label: string }).label);
    assert.equal(ran.length, 2, `import and stage 1 rerun, got: ${ran.join(' | ')}`);
    assert.match(ran[1]!, /sed/);
    const hits = kinds(after.events, 'cache-hit') as { label: string; early: boolean }[];
    assert.deepEqual(hits.map((h) => [/tr a-z/.test(h.label) || /rev/.test(h.label), h.early]), [[true, true], [true, true]], 'stages 2 and 3 reused because their input came out identical');
    assert.equal(after.out, cold.out);
  });

  test('3. a graph with a cycle is spelled, and realizing it is a clear error', () => {
    const dir = tempDir('cycle');
    const store = join(dir, 'store');
    const cycle = 'compose a = exec:run?args=[a](x: $b); b = exec:run?args=[b](y: $a); exec:run?args=[top](t: $a)';
    assert.match(nomia(store, ['spell', cycle]).out, /^nomia1-/);
    const r = realize(store, cycle, dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /error\[graph\/invalid\]: cannot realize a cycle through `exec:run\?args=\[a\]`, `exec:run\?args=\[b\]`: none of their namespaces can tie the knot/);
    assert.match(r.err, /\^/);
  });

  test('4. eight concurrent realizes of one slow name run the namespace once', async () => {
    const dir = tempDir('concurrent');
    const store = join(dir, 'store');
    const slow = 'exec:run?args=[sh, -c, "sleep 1; echo done > $out"]';
    const runs = await Promise.all(Array.from({ length: 8 }, () => new Promise<{ code: number | null; err: string; out: string }>((resolve) => {
      const c = spawn(process.execPath, [bin, '--store', store, 'realize', '--log-format', 'json', slow], { env: env(), cwd: dir });
      let out = '';
      let err = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (err += d));
      c.on('exit', (code) => resolve({ code, err, out }));
    })));
    for (const r of runs) assert.equal(r.code, 0, r.err);
    assert.equal(new Set(runs.map((r) => r.out)).size, 1);
    const realizing = runs.flatMap((r) => r.err.split('\n').filter((l) => l.includes('"kind":"realizing"')));
    assert.equal(realizing.length, 1, 'the namespace ran once');
    assert.ok(runs.some((r) => r.err.includes('"kind":"waiting"')), 'the others waited for it');
  });

  test('5. an external namespace from examples/ realizes names; one that crashes mid-request is named in the error', (t) => {
    if (spawnSync('sh', ['-c', 'command -v python3']).status !== 0) {
      if (process.env['CI'] === 'true') assert.fail('python3 is missing under CI=true: .ci/run must install it');
      return t.skip('python3 not installed');
    }
    const dir = tempDir('external');
    const store = join(dir, 'store');
    const example = fileURLToPath(new URL('../../../examples/namespaces/upper.py', import.meta.url));
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ namespaces: { upper: { command: ['python3', example] } } }));
    writeFileSync(join(dir, 'note.txt'), 'quiet words\n');
    const value = realize(store, 'upper:text?s=hello', dir);
    assert.equal(value.code, 0, value.err);
    assert.equal(value.out, 'context:value?v=HELLO\nHELLO\n');
    const file = realize(store, 'upper:file(in: filesystem:import?path="./note.txt")', dir);
    assert.equal(file.code, 0, file.err);
    assert.equal(readFileSync(file.out.trim().split('\n')[1]!, 'utf8'), 'QUIET WORDS\n');
    // Spelled and reused like any namespace: the second time is a lookup.
    const again = realize(store, 'upper:file(in: filesystem:import?path="./note.txt")', dir, {}, ['--no-memo']);
    assert.equal(kinds(again.events, 'cache-hit').length, 1);
    const crash = realize(store, 'upper:crash', dir);
    assert.equal(crash.code, 1);
    assert.match(crash.err, /error\[namespace\/crashed\]: .*upper/);
    assert.doesNotMatch(crash.err, /\n\s+at /, 'no stack trace');
    const garbage = realize(store, 'upper:garbage', dir);
    assert.match(garbage.err, /error\[namespace\/protocol\]/);
  });

  test('named namespaces: (nomia:builtin?id=…):name and (nomia:external?command=[…]):name', (t) => {
    const dir = tempDir('named');
    const store = join(dir, 'store');
    const builtin = realize(store, '(nomia:builtin?id=context):value?v=named', dir);
    assert.equal(builtin.code, 0, builtin.err);
    assert.equal(builtin.out, 'context:value?v=named\nnamed\n');
    const notNs = realize(store, '(context:cwd):value?v=x', dir);
    assert.equal(notNs.code, 1);
    assert.match(notNs.err, /`context:cwd` is a value, not a namespace/);
    if (spawnSync('sh', ['-c', 'command -v python3']).status !== 0) {
      if (process.env['CI'] === 'true') assert.fail('python3 is missing under CI=true');
      return t.skip('python3 not installed');
    }
    const example = fileURLToPath(new URL('../../../examples/namespaces/upper.py', import.meta.url));
    const name = `(nomia:external?command=[python3, ${JSON.stringify(example)}]):text?s=shout`;
    const external = realize(store, name, dir);
    assert.equal(external.code, 0, external.err);
    assert.equal(external.out, 'context:value?v=SHOUT\nSHOUT\n');
    const again = realize(store, name, dir);
    assert.equal(again.out, external.out);
    assert.equal(kinds(again.events, 'realizing').length, 0, 'spelled and reused like any name');
    assert.notEqual(nomia(store, ['spell', name]).out, nomia(store, ['spell', '(nomia:external?command=[python3, other.py]):text?s=shout']).out);
  });

  test('nomia.json maps an id to a built-in, with the same spelling; bad config is a clear error', () => {
    const dir = tempDir('alias');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ namespaces: { ctx: { builtin: 'context' } } }));
    const r = realize(store, 'ctx:value?v=aliased', dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'context:value?v=aliased\naliased\n');
    assert.equal(nomia(store, ['spell', 'ctx:value?v=1']).code, 0);
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ namespaces: { bad: { builtin: 'nope' } } }));
    assert.match(realize(store, 'context:cwd', dir).err, /namespaces\.bad\.builtin: there is no built-in namespace `nope`/);
    writeFileSync(join(dir, 'nomia.json'), '{ not json');
    assert.match(realize(store, 'context:cwd', dir).err, /nomia\.json is not valid JSON/);
  });

  test('filesystem:stdin reads standard input into the store and reduces to by-content', () => {
    const dir = tempDir('stdin');
    const store = join(dir, 'store');
    const r = nomia(store, ['realize', '--log-format', 'plain', 'filesystem:stdin?name=piped'], { input: 'from a pipe\n', cwd: dir });
    assert.equal(r.code, 0, r.err);
    const [name, path] = r.out.trim().split('\n');
    assert.match(name!, /^filesystem:by-content\?name=piped&sha256=[0-9a-f]{64}$/);
    assert.equal(readFileSync(path!, 'utf8'), 'from a pipe\n');
    assert.equal(nomia(store, ['hash', 'path', path!]).out.trim(), /sha256=([0-9a-f]{64})/.exec(name!)![1]);
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    const r2 = nomia(store, ['realize', 'filesystem:stdin'], { input: big, cwd: dir });
    assert.equal(r2.code, 0, r2.err);
    assert.ok(readFileSync(r2.out.trim().split('\n')[1]!).equals(big));
  });

  test('the context namespace: env, cwd, time reduce to values that feed exec', () => {
    const dir = tempDir('context');
    const store = join(dir, 'store');
    const r = realize(store, 'exec:run?args=[sh, -c, "echo $greeting > $out"](greeting: context:env?var=GREETING)', dir, { GREETING: 'hi there' });
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(r.out.trim().split('\n')[1]!, 'utf8'), 'hi there\n');
    const cwd = nomia(store, ['realize', '--json', 'context:cwd'], { cwd: dir });
    assert.deepEqual(JSON.parse(cwd.out)[0], { name: `context:value?v=${printValue({ kind: 'String', value: dir })}`, type: 'value', value: dir });
    const day = JSON.parse(nomia(store, ['realize', '--json', 'context:time?granularity=day']).out)[0].value;
    assert.match(day, /^\d{4}-\d{2}-\d{2}$/);
    const missing = realize(store, 'context:env?var=NOPE_NOT_SET', dir);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /NOPE_NOT_SET: the environment variable is not set/);
  });

  test('reductions shows the chain; reduce records a user assertion that realize follows', () => {
    const dir = tempDir('reductions');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'x'), 'x');
    const name = realize(store, 'filesystem:import?path="./x"', dir).out.trim().split('\n')[0]!;
    const chain = nomia(store, ['reductions', 'filesystem:import?path="./x"'], { cwd: dir });
    assert.match(chain.out, /^filesystem:import\?path=\.\/x\n {2}=> filesystem:by-content\?name=x&sha256=[0-9a-f]{64}\n {5}realized by builtin:filesystem@1, /);
    const asserted = nomia(store, ['reduce', `exec:run?args=[never-runs] => ${name}`]);
    assert.equal(asserted.code, 0, asserted.err);
    const r = realize(store, 'exec:run?args=[never-runs]', dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim().split('\n')[0], name);
    assert.equal(kinds(r.events, 'realizing').length, 0, 'the assertion made it a lookup');
    assert.match(nomia(store, ['reductions', 'exec:run?args=[never-runs]']).out, /asserted by the user/);
  });

  test('a chain of 3 000 nodes realizes without overflowing the stack (regression)', () => {
    const dir = tempDir('chain');
    const store = join(dir, 'store');
    const n = 3000;
    const decls = Array.from({ length: n }, (_, i) => (i === 0 ? 'n0 = context:value?v=start' : `n${i} = text:digest?i=${i}(p: $n${i - 1})`));
    const name = `compose ${decls.join('; ')}; text:digest(top: $n${n - 1})`;
    const r = nomia(store, ['realize', '--log-format', 'plain', '-'], { input: name, cwd: dir });
    assert.equal(r.code, 0, r.err.slice(-500));
    assert.match(r.out, /^context:value\?v=[0-9a-f]{64}\n/);
    const again = nomia(store, ['realize', '--log-format', 'plain', '-'], { input: name, cwd: dir });
    assert.equal(again.out, r.out);
    assert.match(again.err, /done: (0 realized, 1 reused|unchanged, answered from the memo)/, 'the whole name is one lookup');
  });

  test('graph-level reductions: a whole name with several results, or a projection, is one lookup the second time', () => {
    const dir = tempDir('graph');
    const store = join(dir, 'store');
    const name = 'compose text:digest?a=1(x: context:value?v=1); exec:run?args=[sh, -c, "mkdir -p $out/sub; echo hi > $out/sub/f"]';
    const first = realize(store, name, dir);
    assert.equal(first.code, 0, first.err);
    assert.equal(first.out.trim().split('\n').length, 4, 'two results, each a name and a path or value');
    const second = realize(store, name, dir);
    assert.equal(second.out, first.out);
    assert.equal(kinds(second.events, 'realizing').length, 0);
    assert.equal(kinds(second.events, 'cache-hit').length, 0, 'not even the nodes were looked at');
    assert.equal((kinds(second.events, 'done')[0] as { reused: number }).reused, 1);
    // A contextual name is never recorded whole by its spelling: walked (the memo aside), it runs again.
    writeFileSync(join(dir, 'f'), 'f');
    realize(store, 'filesystem:import?path="./f"', dir);
    assert.equal(kinds(realize(store, 'filesystem:import?path="./f"', dir, {}, ['--no-memo']).events, 'realizing').length, 1);
  });

  test('one failing node stops the run cleanly: nothing else fails because of it (regression)', () => {
    const dir = tempDir('fail');
    const store = join(dir, 'store');
    const parts = Array.from({ length: 40 }, (_, i) => `p${i}: context:value?v=x${i}`);
    const r = realize(store, `text:digest(${parts.join(', ')}, bad: exec:run?args=[false])`, dir);
    assert.equal(r.code, 1);
    const failed = kinds(r.events, 'failed');
    assert.equal(failed.length, 1, failed.map((f) => (f as { error: string }).error).join(' | '));
    assert.doesNotMatch(r.err, /database connection is not open|internal error/);
  });

  test('errors name the node and where it was written', () => {
    const dir = tempDir('errors');
    const store = join(dir, 'store');
    const cases: [string, RegExp][] = [
      ['nosuch:thing', /there is no namespace `nosuch`/],
      ['filesystem:by-content?sha256=abab', /invalid sha256/],
      [`filesystem:by-content?sha256=${'ab'.repeat(32)}`, /no object with sha256 abab/],
      ['exec:run?args=[false]', /exec:run false failed with exit status 1[^]*while realizing exec:run\?args=\[false\] \(1:1\)/],
      ['exec:run?args=[true]', /succeeded but did not create \$out/],
      ['filesystem:import?path="./x"(in: context:cwd)', /has no input `in`/],
      ['filesystem:import?path="./x".doc', /has no output `doc`/],
    ];
    for (const [name, message] of cases) {
      const r = realize(store, name, dir);
      assert.equal(r.code, 1, name);
      assert.match(r.err, message, name);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });
});

describe('resolved-name variables', () => {
  test('@x is bound with --bind and realizes as the name written out in full; unbound it is a clear error', () => {
    const dir = tempDir('bind');
    const store = join(dir, 'store');
    const bound = realize(store, 'text:digest?k=1(a: @x)', dir, {}, ['--bind', 'x=context:value?v=hello']);
    assert.equal(bound.code, 0, bound.err);
    const full = realize(store, 'text:digest?k=1(a: context:value?v=hello)', dir);
    assert.equal(full.out, bound.out);
    assert.equal(kinds(full.events, 'realizing').length, 0, 'the written-out name reuses what the bound one made');
    const unbound = nomia(store, ['realize', 'text:digest(a: @y)'], { cwd: dir });
    assert.equal(unbound.code, 1);
    assert.match(unbound.err, /`@y` is not bound[^]*--bind y=OTHER_NAME/);
    const bad = nomia(store, ['realize', 'text:digest(a: @x)', '--bind', 'x'], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--bind "x" is not `var=name`/);
  });
});
