/**
 * The flush shell: `sync -f` run by one small shell, answers in the order
 * asked, failures as `store/io` naming the directory, a new shell after one
 * could not run; in the background it never holds the process open.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NomiaError } from '../../src/errors.js';
import { flushShell } from '../../src/store/flush-shell.js';
import { tempDir } from '../support/cli.js';

test('flushes several directories at once, and fails a missing one or a path with a line break as store/io', async () => {
  const dir = tempDir('flush-shell');
  const dirs = ['a', 'b', 'c'].map((n) => join(dir, n));
  for (const d of dirs) mkdirSync(d);
  const shell = flushShell();
  try {
    await Promise.all(dirs.map((d) => shell.flush(d)));
    const missing = join(dir, 'missing');
    const results = await Promise.allSettled([shell.flush(dirs[0]!), shell.flush(missing), shell.flush(dirs[1]!)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'], 'each answer goes to its own caller');
    const failure = (results[1] as PromiseRejectedResult).reason as NomiaError;
    assert.equal(failure.code, 'store/io');
    assert.equal(failure.message, `cannot flush ${missing} to disk: \`sync -f\` exited with status 1`);
    await assert.rejects(shell.flush(`${dir}\nx`), /cannot be given a path with a line break/);
  } finally {
    shell.close();
  }
});

test('a shell that cannot run fails the flush; the next flush starts one that can', async () => {
  const dir = tempDir('flush-shell-path');
  const shell = flushShell();
  const path = process.env['PATH'];
  try {
    process.env['PATH'] = '/nonexistent';
    await assert.rejects(shell.flush(dir), (e: NomiaError) => e.code === 'store/io' && /`sync -f` could not run/.test(e.message));
    process.env['PATH'] = path;
    await shell.flush(dir);
  } finally {
    process.env['PATH'] = path;
    shell.close();
  }
});

test('in the background it holds the process open only while a flush is awaited: the process ends by itself', () => {
  const module = fileURLToPath(new URL('../../src/store/flush-shell.js', import.meta.url));
  const script = `const { flushShell } = await import(${JSON.stringify(module)}); await flushShell({ background: true }).flush(${JSON.stringify(tempDir('flush-bg'))}); console.log('flushed');`;
  // The timeout only stops a hung run; the assertion is that the process ended on its own with the flush done.
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, 'the process ended without being killed');
  assert.equal(r.stdout, 'flushed\n', r.stderr);
});
