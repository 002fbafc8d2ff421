/**
 * package:build-in-sandbox through the real CLI and a real bubblewrap
 * sandbox (issue 5): the seed's example, the intensional store (cache hits,
 * shared objects, self-references), outputs, references, logs, failures.
 */
import assert from 'node:assert/strict';
import { lstatSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, nomiaAsync } from '../support/cli.js';
import { bench, build, kinds, realize, sandboxTools, script, type Bench } from './package-support.js';

describe('package:build-in-sandbox', () => {
  let b: Bench | undefined;
  const get = () => (b ??= bench('package'));

  test('the seed example runs literally, and a second realize is a cache hit', (t) => {
    if (!sandboxTools(t)) return;
    const s = script(get(), 'mkdir -p $out\necho "built in $out" > $out/result\necho done building\n');
    const name = `package:build-in-sandbox?args=[ bash, -c, $script ](
  exe: ${get().tools}/bin/bash,
  script: ${s}
)`;
    const first = realize(get(), name);
    assert.equal(first.code, 0, first.err);
    assert.match(first.name, /^filesystem:by-content\?name=build&sha256=[0-9a-f]{64}$/);
    // The output names its own final path: it was built under a placeholder and rewritten.
    assert.equal(readFileSync(join(first.path, 'result'), 'utf8'), `built in ${first.path}\n`);
    assert.equal(kinds(first.events, 'realizing').length, 3);
    const second = realize(get(), name);
    assert.equal(second.code, 0, second.err);
    assert.equal(second.out, first.out);
    assert.equal(kinds(second.events, 'realizing').length, 0, 'nothing runs the second time');
    // The name reduces to the content-addressed output.
    const red = nomia(get().store, ['reductions', name]);
    assert.match(red.out, new RegExp(`=> ${first.name.replace(/[?]/g, '\\?')}`));
    // verify rehashes the self-referring object modulo its own path.
    const v = nomia(get().store, ['verify']);
    assert.equal(v.code, 0, v.out + v.err);
    // The log is kept in the store.
    const log = nomia(get().store, ['log', name]);
    assert.equal(log.code, 0, log.err);
    assert.match(log.out, /done building/);
    // The build printed nothing of its output's path here; the log still says where the output is now.
    assert.ok(log.out.includes(`output out: built at `) && log.out.includes(`, stored as ${first.path}\n`), log.out);
  });

  test('a different name whose output is byte-identical shares the object', (t) => {
    if (!sandboxTools(t)) return;
    const one = realize(get(), build(get(), script(get(), 'echo same > $out\n'), '&name=same'));
    const two = realize(get(), build(get(), script(get(), '# another script\nprintf "same\\n" > $out\n'), '&name=same'));
    assert.equal(one.code, 0, one.err);
    assert.equal(two.code, 0, two.err);
    assert.equal(kinds(two.events, 'realizing').filter((e) => 'label' in e && e.label.startsWith('package:')).length, 1, 'the second build ran');
    assert.equal(two.path, one.path);
    assert.equal(two.name, one.name);
  });

  test('outputs, env, references to inputs and between outputs', (t) => {
    if (!sandboxTools(t)) return;
    const data = script(get(), 'payload\n');
    const s = script(get(), [
      'mkdir -p $out $doc',
      'echo "see $doc" > $out/pointer',
      'echo "$GREETING $data" > $doc/readme',
      'cat $data >> $doc/readme',
    ].join('\n'));
    const r = realize(get(), build(get(), s, '&outputs=[out, doc]&env=["GREETING=hello"]&name=multi', `, data: ${data}`));
    assert.equal(r.code, 0, r.err);
    const docs = readdirSync(join(get().store, 'store')).filter((e) => e.endsWith('-multi-doc'));
    assert.equal(docs.length, 1);
    const docPath = join(get().store, 'store', docs[0]!);
    assert.equal(readFileSync(join(r.path, 'pointer'), 'utf8'), `see ${docPath}\n`, 'out names doc by its final path');
    assert.match(readFileSync(join(docPath, 'readme'), 'utf8'), /^hello \S+-script\npayload\n$/);
    // References found by scanning are kept alive by gc through the output's root.
    assert.equal(nomia(get().store, ['root', 'add', 'multi', r.name]).code, 0);
    const gc = nomia(get().store, ['gc']);
    assert.equal(gc.code, 0, gc.err);
    const dataPath = nomia(get().store, ['path', data]).out.trim();
    assert.ok(lstatSync(dataPath).isFile(), 'the input the doc output refers to survives gc');
    assert.ok(lstatSync(docPath).isDirectory(), 'the doc output that out refers to survives gc');
  });

  test('a failing build shows its last lines and exit status; its log is kept', (t) => {
    if (!sandboxTools(t)) return;
    const name = build(get(), script(get(), 'for i in 1 2 3 4 5; do echo line $i; done\necho oops >&2\nexit 3\n'));
    const r = realize(get(), name);
    assert.equal(r.code, 1);
    assert.match(r.err, /error\[build\/failed\]: the build failed with exit status 3; its last lines:\n {2}line 1\n[^]*oops/);
    const log = nomia(get().store, ['log', name]);
    assert.equal(log.code, 0, log.err);
    assert.match(log.out, /line 5\noops\nfailed: the build failed with exit status 3/);
  });

  test('a build killed by a signal says which, in the sandbox too (where bwrap reports 128+N)', (t) => {
    if (!sandboxTools(t)) return;
    const s = script(get(), 'echo about to die\nkill -KILL $$\n');
    for (const mode of ['bubblewrap', 'none']) {
      const r = realize(get(), build(get(), s, `&name=killed-${mode}`), ['--sandbox', mode]);
      assert.equal(r.code, 1);
      assert.match(r.err, /error\[build\/failed\]: the build was killed by signal SIGKILL; its last lines:\n {2}about to die/, mode);
    }
  });

  test('a build that does not create $out, or leaves a symlink out of the store, fails clearly', (t) => {
    if (!sandboxTools(t)) return;
    const none = realize(get(), build(get(), script(get(), 'echo nothing\n')));
    assert.equal(none.code, 1);
    assert.match(none.err, /error\[build\/output\]: the output `out` was not created by the build/);
    const link = realize(get(), build(get(), script(get(), 'mkdir $out; ln -s /etc/passwd $out/passwd\n')));
    assert.equal(link.code, 1);
    assert.match(link.err, /error\[build\/output\]: the output `out` has a symlink \/passwd → \/etc\/passwd pointing outside the store/);
    const rel = realize(get(), build(get(), script(get(), 'mkdir -p $out/a; ln -s ../../../../../../../../etc $out/a/up\n')));
    assert.equal(rel.code, 1);
    assert.match(rel.err, /pointing outside the store/);
    // A chain of links, each harmless alone, that climbs out of the store.
    const chain = realize(get(), build(get(), script(get(), 'mkdir $out; cd $out; ln -s .. up; ln -s up/.. up2; ln -s up2/.. up3; ln -s up3/.. up4; ln -s up4/.. up5; ln -s up5/.. up6; ln -s up6/etc/passwd passwd\n'), '&name=chain'));
    assert.equal(chain.code, 1, chain.out);
    assert.match(chain.err, /pointing outside the store/);
    // Links inside the output and into inputs are fine.
    const fine = realize(get(), build(get(), script(get(), 'mkdir -p $out/d; cd $out; ln -s d here; ln -s here/../d again; ln -s $exe bash\n'), '&name=links-ok'));
    assert.equal(fine.code, 0, fine.err);
  });

  test('--sandbox=none is an explicit, logged opt-out; a self-reference then is refused', (t) => {
    if (!sandboxTools(t)) return;
    const plain = realize(get(), build(get(), script(get(), 'echo unsandboxed > $out\n'), '&name=nosandbox'), ['--sandbox', 'none']);
    assert.equal(plain.code, 0, plain.err);
    assert.ok(kinds(plain.events, 'log').some((e) => 'line' in e && /WITHOUT a sandbox/.test(e.line)));
    assert.equal(readFileSync(plain.path, 'utf8'), 'unsandboxed\n');
    const self = realize(get(), build(get(), script(get(), 'echo $out > $out\n'), '&name=nosandbox-self'), ['--sandbox', 'none']);
    assert.equal(self.code, 1);
    assert.match(self.err, /refers to its own path; without a sandbox/);
  });

  test('without bubblewrap the build fails and says so', (t) => {
    if (!sandboxTools(t)) return;
    const r = realize(get(), build(get(), script(get(), 'echo x > $out\n'), '&name=nobwrap'), [], { PATH: '/nonexistent' });
    assert.equal(r.code, 1);
    assert.match(r.err, /error\[sandbox\/unavailable\]: cannot build in a sandbox: bubblewrap \(bwrap\) is not installed/);
    assert.match(r.err, /--sandbox=none/);
  });

  test('^C stops a running build: the sandbox is gone, the store keeps nothing of it', async (t) => {
    if (!sandboxTools(t)) return;
    const marker = `sleep-${process.pid}-${Date.now() % 100000}`;
    const child = nomiaAsync(get().store, ['realize', '--log-format', 'json', `package:build-in-sandbox?args=[sh, -c, "sleep 30; echo > $out # ${marker}"]&name=slow(exe: ${get().tools}/bin/busybox)`], { NOMIA_FSYNC: '0' });
    let err = '';
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise<void>((resolvePromise) => {
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (/"kind":"realizing","node":\d+,"label":"package:/.test(err)) resolvePromise();
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    assert.equal(await exited, 1);
    assert.match(err, /error\[realize\/failed\]: interrupted by SIGINT/);
    assert.equal(spawnSync('pgrep', ['-f', marker]).status, 1, 'no build process is left');
    assert.deepEqual(readdirSync(join(get().store, 'tmp')), [], 'no work directory is left');
  });

  test('bootstrap-tools gives the same name twice; busybox applets work under their argv[0]', (t) => {
    if (!sandboxTools(t)) return;
    const again = nomia(get().store, ['bootstrap-tools']);
    assert.equal(again.out.trim(), get().tools);
    const r = realize(get(), `package:build-in-sandbox?args=[sh, -c, "echo from busybox sh > $out"](exe: ${get().tools}/bin/busybox)`);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(r.path, 'utf8'), 'from busybox sh\n');
    // An applet's symlink is an executable too.
    const viaLink = realize(get(), `package:build-in-sandbox?args=[sh, -c, "echo via link > $out"](exe: ${get().tools}/bin/sh)`);
    assert.equal(viaLink.code, 0, viaLink.err);
    assert.equal(readFileSync(viaLink.path, 'utf8'), 'via link\n');
    const notExe = realize(get(), `package:build-in-sandbox?args=[x](exe: ${get().tools})`);
    assert.equal(notExe.code, 1);
    assert.match(notExe.err, /runs its input `exe`, but .* is a dir, not an executable file/);
    // A script added without its x bit, given as `exe`: the hint says how to make it runnable.
    const plain = join(get().dir, 'plain.sh');
    writeFileSync(plain, 'echo hi > $out\n');
    const added = nomia(get().store, ['add', plain]);
    assert.equal(added.code, 0, added.err);
    const notScript = realize(get(), `package:build-in-sandbox?args=[plain](exe: ${added.out.trim()})`);
    assert.equal(notScript.code, 1);
    assert.match(notScript.err, /is a file, not an executable file/);
    assert.match(notScript.err, /hint: a script needs its x bit before it is added \(`chmod \+x` it/);
  });
});
