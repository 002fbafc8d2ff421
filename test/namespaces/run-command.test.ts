/**
 * What nomia starts ends with it (issue 12, points 10 and 11e): a cancelled
 * realize ends the whole process group of an `exec:run` command or a build
 * at once, nothing outlives nomia killed by SIGKILL, what a command leaves
 * running in the background ends with it, and no command inherits a
 * descriptor nomia was started with.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { bin, env, tempDir } from '../support/cli.js';
import { bench, sandboxTools, type Bench } from './package-support.js';
import { requireTool } from '../support/tools.js';

let serial = 0;
/** A `sleep` argument no other process on the machine has: it finds the command's processes. */
const token = () => `4${serial++}.${process.pid}`;

/** Pids of live processes with `arg` as one of their arguments (a zombie has no arguments left). */
function running(arg: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').some((a) => a === arg || a.includes(`sleep ${arg}`))) found.push(Number(d));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Whether a `sleep ARG` process runs (the grandchild, under `sh -c`). */
function sleeping(arg: string): boolean {
  return running(arg).some((pid) => {
    try {
      const [argv0, first] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return basename(argv0 ?? '') === 'sleep' && first === arg;
    } catch {
      return false;
    }
  });
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (what()) return true;
  return what();
}

/** What the commands below print first (`printStarted`): `interrupt` waits for it in nomia's log. */
const started = (arg: string) => `started-${arg}`;
/** The command printing it; spelt otherwise, so that the name text in nomia's log is not taken for it. */
const printStarted = (arg: string) => `echo started ${arg} | tr ' ' -`;

/**
 * Start `nomia realize NAME`, wait until the command's `sleep` runs and nomia has logged the line the
 * command printed first (`started`), send `signal`; returns whether nomia ended within 10 s.
 *
 * Why the line: nomia tells its watchdog of a command's process group right after the spawn returns
 * (command-process.ts), and by then the command may already run its `sleep`. A SIGKILL in that moment,
 * which a loaded machine stretches, finds a group the watchdog never heard of. Nomia reads the command's
 * output only after it told the watchdog, so once the line is logged the group is watched.
 */
async function interrupt(store: string, name: string, arg: string, signal: NodeJS.Signals, extra: string[] = []): Promise<{ exited: boolean; err: string }> {
  const child = spawn(process.execPath, [bin, '--store', store, 'realize', '--log-format', 'plain', ...extra, name], { env: env({ NOMIA_FSYNC: '0' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stdout.resume();
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  let exited = false;
  const ended = new Promise<void>((r) => child.on('exit', () => { exited = true; r(); }));
  try {
    assert.ok(await until(() => (sleeping(arg) && err.includes(started(arg))) || exited, 20_000), `the command started: ${err}`);
    assert.equal(exited, false, err);
    child.kill(signal);
    await Promise.race([ended, sleep(10_000)]);
    return { exited, err };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('commands end with nomia', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} of nomia realize ends an exec:run command and its children at once`, async () => {
      const store = join(tempDir('cancel'), 'store');
      const arg = token();
      const r = await interrupt(store, `exec:run?args=[sh, -c, "${printStarted(arg)}; sleep ${arg}; echo > $out"]`, arg, signal);
      assert.ok(r.exited, 'nomia did not wait for the grandchild');
      assert.match(r.err, new RegExp(`interrupted by ${signal}`));
      assert.deepEqual(running(arg), [], 'neither sh nor sleep is left');
    });
  }

  test('after nomia dies by SIGKILL, an exec:run command and its children do not outlive it', async () => {
    const store = join(tempDir('kill'), 'store');
    const arg = token();
    const r = await interrupt(store, `exec:run?args=[sh, -c, "${printStarted(arg)}; sleep ${arg}; echo > $out"]`, arg, 'SIGKILL');
    assert.ok(r.exited);
    assert.ok(await until(() => running(arg).length === 0, 15_000), `still running: ${running(arg).join(' ')}`);
  });

  let b: Bench | undefined;
  const get = () => (b ??= bench('processes'));
  for (const mode of ['bubblewrap', 'none']) {
    test(`after nomia dies by SIGKILL, a build (--sandbox=${mode}) and its children do not outlive it`, async (t) => {
      if (!sandboxTools(t)) return;
      const arg = token();
      const name = `package:build-in-sandbox?args=[sh, -c, "${printStarted(arg)}; sleep ${arg} & sleep ${arg}; echo > $out"]&name=killed(exe: ${get().tools}/bin/busybox)`;
      const r = await interrupt(get().store, name, arg, 'SIGKILL', ['--sandbox', mode]);
      assert.ok(r.exited);
      assert.ok(await until(() => running(arg).length === 0, 15_000), `still running: ${running(arg).join(' ')}`);
    });
  }

  // A sandbox ends with nomia by itself (bwrap's --die-with-parent, its pid namespace): the test above holds
  // without a watchdog, and a process whose commands all run sandboxed starts none (a fork of nomia and a
  // shell's start spared per process; docs/namespaces/ninja.md, "The fixed cost of one run").
  test('a sandboxed build starts no watchdog shell; an unsandboxed one does', (t) => {
    if (!sandboxTools(t) || !requireTool(t, 'strace', 'strace')) return;
    for (const mode of ['bubblewrap', 'none']) {
      const trace = join(tempDir('watchdog'), 'trace');
      const name = `package:build-in-sandbox?args=[sh, -c, "echo ${mode} ${token()} > $out"]&name=watched(exe: ${get().tools}/bin/busybox)`;
      const r = spawnSync('strace', ['-f', '-e', 'trace=execve', '-s', '200', '-o', trace, process.execPath, bin, '--store', get().store, 'realize', '--sandbox', mode, name], { env: env({ NOMIA_FSYNC: '0' }), timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr.toString());
      const shells = readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes('execve("/bin/sh"') && l.includes('groups='));
      assert.equal(shells.length, mode === 'bubblewrap' ? 0 : 1, `${mode}: ${shells.join('\n')}`);
    }
  });

  test('what a command leaves running in the background ends with it, and does not hold the realize', () => {
    const store = join(tempDir('leftover'), 'store');
    const arg = token();
    const r = spawnSync(process.execPath, [bin, '--store', store, 'realize', `exec:run?args=[sh, -c, "sleep ${arg} & echo done > $out"]`], { env: env({ NOMIA_FSYNC: '0' }), timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(readFileSync(r.stdout.toString().trim().split('\n')[1]!, 'utf8'), 'done\n');
    assert.deepEqual(running(arg), []);
  });

  test('no command or build gets a descriptor nomia inherited (only stdio)', (t) => {
    const dir = tempDir('fds');
    writeFileSync(join(dir, 'held'), 'held open\n');
    // Descriptor 40, open without close-on-exec in nomia, as a shell's `40<file` would leave it.
    const fd = openSync(join(dir, 'held'), 'r');
    const listed = (store: string, name: string, extra: string[] = []) => {
      const r = spawnSync(process.execPath, [bin, '--store', store, 'realize', ...extra, name], {
        env: env({ NOMIA_FSYNC: '0' }), timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(37).fill('ignore'), fd],
      });
      assert.equal(r.status, 0, r.stderr?.toString());
      return readFileSync(r.stdout!.toString().trim().split('\n')[1]!, 'utf8').split(/\s+/).filter(Boolean).sort();
    };
    try {
      // ls opens the directory it lists: that is descriptor 3.
      assert.deepEqual(listed(join(dir, 'store'), 'exec:run?args=[sh, -c, "ls /proc/self/fd > $out"]'), ['0', '1', '2', '3']);
      if (!sandboxTools(t)) return;
      for (const mode of ['bubblewrap', 'none']) {
        const name = `package:build-in-sandbox?args=[sh, -c, "ls /proc/self/fd > $out"]&name=fds-${mode}(exe: ${get().tools}/bin/busybox)`;
        assert.deepEqual(listed(get().store, name, ['--sandbox', mode]), ['0', '1', '2', '3'], mode);
      }
    } finally {
      closeSync(fd);
    }
  });
});
