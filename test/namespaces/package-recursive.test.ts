/**
 * Recursive builds (issue 5): a build that decides while it runs to realize
 * two other builds through the daemon and combines their outputs. The
 * reductions then describe a plain graph: the build's name refines to one
 * with those results as explicit inputs, which refines to the output.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia } from '../support/cli.js';
import { bench, build, kinds, realize, sandboxTools, script } from './package-support.js';

describe('recursive builds', () => {
  test('a build realizes two builds at build time and combines them; the chain of reductions shows the graph', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('recursive');
    const marker = join(b.dir, 'exec-ran');
    writeFileSync(`${marker}-source`, 'host file\n');
    const sub = (letter: string) => `package:build-in-sandbox?args=[sh, -c, "echo ${letter} > $out"]&name=${letter.toLowerCase()}(exe: ${b.tools}/bin/busybox)`;
    const s = script(b, [
      `a=$(nomia realize '${sub('A')}') || exit 1`,
      `b=$(nomia realize '${sub('B')}') || exit 1`,
      'mkdir $out',
      'cat $a $b > $out/combined',
      'ln -s $a $out/a',
      // Not granted: exec runs unsandboxed commands on the host; context reads the caller's environment.
      `nomia realize 'exec:run?args=[sh, -c, "touch ${marker}; echo > $out"]' 2> $out/exec-refused && echo exec-allowed >> $out/combined`,
      `nomia realize 'context:env?var=HOME' 2> $out/context-refused && echo context-allowed >> $out/combined`,
      // Nor a build granted more than this one, nor anything contextual in a granted namespace.
      `nomia realize 'package:build-in-sandbox?args=[sh, -c, "echo > $out"]&recursive=[exec](exe: ${b.tools}/bin/busybox)' 2> $out/wider-refused && echo wider-allowed >> $out/combined`,
      `nomia realize 'filesystem:import?path="${marker}-source"' 2> $out/import-refused && echo import-allowed >> $out/combined`,
      'true',
    ].join('\n'));
    const name = build(b, s, '&recursive=[package, filesystem]&name=combined');
    const r = realize(b, name);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(join(r.path, 'combined'), 'utf8'), 'A\nB\n');
    assert.match(readFileSync(join(r.path, 'exec-refused'), 'utf8'), /nomia: this client may not realize names in `exec` \(granted: package, filesystem\)/);
    assert.match(readFileSync(join(r.path, 'context-refused'), 'utf8'), /may not realize names in `context`/);
    assert.equal(existsSync(marker), false, 'the refused name did not run');
    assert.match(readFileSync(join(r.path, 'wider-refused'), 'utf8'), /may not ask for a build granted `exec`/);
    assert.match(readFileSync(join(r.path, 'import-refused'), 'utf8'), /depends on the caller's context/);
    // The two sub-builds ran as nodes of their own.
    const labels = kinds(r.events, 'realizing').map((e) => ('label' in e ? e.label : ''));
    assert.ok(labels.some((l) => l.includes('name=a')) && labels.some((l) => l.includes('name=b')), labels.join('\n'));

    const chain = JSON.parse(nomia(b.store, ['reductions', '--json', name]).out) as { name: string; to?: string }[];
    assert.equal(chain.length, 3, JSON.stringify(chain, null, 2));
    const refined = chain[0]!.to!;
    assert.match(refined, /recursive0: \(filesystem:by-content\?name=a&sha256=[0-9a-f]{64}\), recursive1: \(filesystem:by-content\?name=b&sha256=[0-9a-f]{64}\)\)$/);
    assert.equal(chain[1]!.to, r.name);
    // The refined name is itself known: realizing it is a lookup.
    const again = realize(b, refined);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.path, r.path);
    assert.equal(kinds(again.events, 'realizing').length, 0);
    // The link to a sub-build's output is a reference: gc keeps it while the combined output is rooted.
    assert.equal(nomia(b.store, ['root', 'add', 'combined', r.name]).code, 0);
    assert.equal(nomia(b.store, ['gc']).code, 0);
    assert.ok(existsSync(readlinkSync(join(r.path, 'a'))), 'the sub-build\'s output survives gc');
  });

  test('a build that was granted nothing cannot use the daemon at all', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('recursive-none');
    const r = realize(b, build(b, script(b, 'if command -v nomia >/dev/null; then echo has-client > $out; else echo no-client > $out; fi\n[ -e /nomia ] && echo has-channel >> $out; true\n')));
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(r.path, 'utf8'), 'no-client\n');
  });

  test('a build that asks for its own name is a clear error, not a wait on its own lock', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('recursive-self');
    const busybox = `${b.tools}/bin/busybox`;
    // A name cannot contain itself, so the build rebuilds it at run time from its own command line (a quine):
    // $Q and $B are a double quote and a backslash, which the script cannot write inside the name's string; with IFS
    // empty and globbing off, the unquoted expansions stay one word.
    const self = [
      'set -f; IFS=; s=$(xargs -0 -n1 < /proc/$$/cmdline | sed -n 3p);',
      `nomia realize 'package:build-in-sandbox?args=[sh, -c, '$Q$s$Q']&env=['$Q'Q='$B$Q$Q', '$Q'B='$B$B$Q']&recursive=[package, filesystem]&name=self(exe: ${busybox})'`,
      '> $out 2>&1; echo status $? >> $out',
    ].join(' ');
    const name = `package:build-in-sandbox?args=[sh, -c, "${self}"]&env=["Q=\\"", "B=\\\\"]&recursive=[package, filesystem]&name=self(exe: ${busybox})`;
    const r = realize(b, name);
    assert.equal(r.code, 0, r.err);
    const said = readFileSync(r.path, 'utf8');
    assert.match(said, /^nomia: `package:build-in-sandbox[^\n]*` was asked for while it is being built, by itself or by what it asked for \(`[^\n]*` → `[^\n]*`\): it would wait for itself forever\nstatus 1\n$/);
  });

  test('requests from a build share its --jobs: with --jobs 1, two at once run one after the other', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('recursive-jobs');
    const sub = (l: string) => `package:build-in-sandbox?args=[sh, -c, "sleep 1; echo ${l} > $out"]&name=jobs-${l}(exe: ${b.tools}/bin/busybox)`;
    const s = script(b, `nomia realize '${sub('a')}' > a & nomia realize '${sub('b')}' > b & wait\ncat $(cat a) $(cat b) > $out\n`);
    const r = realize(b, build(b, s, '&recursive=[package, filesystem]&name=jobs'), ['--jobs', '1']);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(r.path, 'utf8'), 'a\nb\n');
    const steps = r.events.flatMap((e) => ((e.kind === 'realizing' || e.kind === 'ready') && /name=jobs-[ab]/.test(e.label) ? [`${e.kind} ${/jobs-([ab])/.exec(e.label)![1]}`] : []));
    assert.equal(steps.length, 4, steps.join(', '));
    assert.deepEqual([steps[1], steps[3]], [steps[0]!.replace('realizing', 'ready'), steps[2]!.replace('realizing', 'ready')], `one at a time: ${steps.join(', ')}`);
  });

  test('what a build asked for and did not wait for ends with the build', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('recursive-orphan');
    const slow = `package:build-in-sandbox?args=[sh, -c, "sleep 30; echo > $out"]&name=orphan(exe: ${b.tools}/bin/busybox)`;
    const s = script(b, `nomia realize '${slow}' > /dev/null 2>&1 &\nsleep 2\necho done > $out\n`);
    const r = realize(b, build(b, s, '&recursive=[package, filesystem]&name=leaves'));
    assert.equal(r.code, 0, r.err);
    const about = (kind: string) => r.events.filter((e) => e.kind === kind && 'label' in e && e.label.includes('name=orphan'));
    assert.equal(about('realizing').length, 1, 'the request was being served');
    assert.equal(about('ready').length, 0, 'and it was ended, not waited for');
    assert.match(JSON.stringify(about('failed')), /the build that asked for it has ended/);
  });
});
