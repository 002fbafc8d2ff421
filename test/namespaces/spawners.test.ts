/**
 * Commands started by spawners (namespaces/spawners.ts) keep
 * every promise of `runCommand`: output by lines, exit status and signal,
 * the status pipe, spawn errors with their code, cancel ending the whole
 * group, leftovers killed at exit, no descriptor but stdio; and nothing outlives nomia killed by
 * SIGKILL while its commands run on those spawners.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { DIRECT_COMMANDS, readySpawners, startedSpawners } from '../../src/namespaces/spawners.js';
import { runCommand, type CommandRequest } from '../../src/namespaces/run-command.js';
import { bin, env, tempDir } from '../support/cli.js';

const token = (n: number) => `5${n}.${process.pid}`;

/** Pids of live processes with `arg` among their arguments, or in an `sh -c` script's text. */
function running(arg: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').some((a) => a === arg || a.includes(`sleep ${arg}`));
    } catch {
      return false;
    }
  }).map(Number);
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (what()) return true;
  return what();
}

const run = (args: string[], more: Partial<CommandRequest> = {}) => {
  const lines: string[] = [];
  return runCommand({ program: 'sh', args, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, signal: new AbortController().signal, onOutput: (l) => lines.push(l), ...more })
    .then((r) => ({ ...r, lines }));
};

test('started by a spawner, a command keeps what runCommand promises', async () => {
  // The first commands of a process run here, and start no spawner: a run of a few commands (a compile, an
  // archive and a link) would pay more for starting them than they save it.
  for (let i = 0; i < DIRECT_COMMANDS; i++) await run(['-c', 'true']);
  assert.equal(startedSpawners(), 0, `no spawner for ${DIRECT_COMMANDS} commands`);
  // The next one starts them. Wait until they are ready.
  await run(['-c', 'true']);
  assert.ok(await until(() => readySpawners() > 0, 20_000), 'the spawners start');

  const out = await run(['-c', 'echo one; echo two >&2; printf three']);
  assert.deepEqual(out.exit, { status: 0 });
  assert.deepEqual([...out.lines].sort(), ['one', 'three', 'two']);
  assert.deepEqual((await run(['-c', 'exit 3'])).exit, { status: 3 });
  assert.deepEqual((await run(['-c', 'kill -TERM $$'])).exit, { signal: 'SIGTERM' });
  assert.equal((await run(['-c', 'echo \'{"exit-code": 0}\' >&3'], { statusPipe: true })).status.trim(), '{"exit-code": 0}');

  // Only stdio reaches the command: not the spawner's channel to nomia. (ls opens the directory it lists: 3.)
  assert.deepEqual((await run(['-c', 'ls /proc/self/fd'])).lines.sort(), ['0', '1', '2', '3']);

  await assert.rejects(runCommand({ program: '/nonexistent/program', args: [], env: {}, signal: new AbortController().signal, onOutput: () => undefined }), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');

  // Cancel ends the group: the grandchild too, at once.
  const arg = token(1);
  const cancel = new AbortController();
  const cancelled = run(['-c', `sleep ${arg}; echo not reached`], { signal: cancel.signal });
  assert.ok(await until(() => running(arg).length > 0, 20_000), 'the command started');
  cancel.abort(new Error('stop'));
  await assert.rejects(cancelled, /stop/);
  assert.ok(await until(() => running(arg).length === 0, 10_000), `still running: ${running(arg).join(' ')}`);

  // What a command leaves running in its group ends when it exits.
  const left = token(2);
  assert.deepEqual((await run(['-c', `sleep ${left} & echo done`])).exit, { status: 0 });
  assert.ok(await until(() => running(left).length === 0, 10_000), `left running: ${running(left).join(' ')}`);
});

test('after nomia dies by SIGKILL, commands running on its spawners do not outlive it', async () => {
  const dir = tempDir('spawners');
  const arg = token(3);
  // Quick commands first, ten more than a process starts itself: the spawners are ready by the time the sleeping ones start.
  const n = DIRECT_COMMANDS + 10;
  const quick = Array.from({ length: n }, (_, i) => `q${i} = exec:run?args=[sh, -c, "sleep 0.1; echo ${i} > $out"]${i ? `(p: $q${i - 1})` : ''}`);
  const name = `compose\n${quick.join(';\n')};\na = exec:run?args=[sh, -c, "sleep ${arg}; echo > $out"](p: $q${n - 1});\nb = exec:run?args=[sh, -c, "sleep ${arg}; echo b > $out"](p: $q${n - 1});\nexec:run?args=[sh, -c, "cat $a $b > $out"](a: $a, b: $b)`;
  const child = spawn(process.execPath, [bin, '--store', join(dir, 'store'), 'realize', '--log-format', 'plain', name], { env: env({ NOMIA_FSYNC: '0' }), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  try {
    assert.ok(await until(() => running(arg).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep')).length === 2, 30_000), `both sleeping commands started: ${err}`);
    // Started by a spawner: the command's shell is not nomia's child.
    const parents = running(arg).map((p) => Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))![1]));
    assert.ok(!parents.includes(child.pid!), `started by the spawners, not by nomia (${child.pid}): parents ${parents.join(' ')}`);
    child.kill('SIGKILL');
    assert.ok(await until(() => running(arg).length === 0, 15_000), `still running: ${running(arg).join(' ')}`);
  } finally {
    child.kill('SIGKILL');
  }
});
