/**
 * Process identity: a process that has exited but was not yet waited for
 * (a zombie) holds nothing, so roots and locks it held are released.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { processAlive, processStat } from '../../src/store/process.js';

test('a zombie (exited, its parent never waits) is not alive', async () => {
  // The shell starts a short child, then becomes `sleep`, which never waits:
  // the child ends as a zombie whose parent is still running.
  const parent = spawn('/bin/sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    const running = processStat(pid);
    assert.ok(running !== undefined && running.state !== 'Z', 'the child runs at first');
    assert.equal(processAlive(pid, running.start), true, 'a running process with its own start time is alive');
    for (let i = 0; i < 600 && processStat(pid)?.state !== 'Z'; i++) await sleep(20);
    assert.equal(processStat(pid)?.state, 'Z', 'the child became a zombie');
    assert.equal(processAlive(pid, running.start), false);
  } finally {
    parent.kill('SIGKILL');
  }
});
