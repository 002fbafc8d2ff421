/** Starting `nomia daemon` for a test: resolves once it says it is listening, rejects if it exits first; `stderr()` is what it printed so far. */
import { spawn, type ChildProcess } from 'node:child_process';
import { bin, env } from './cli.js';

export async function startDaemon(store: string, socket: string, options: { args?: string[]; env?: Record<string, string>; cwd?: string } = {}): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, '--store', store, 'daemon', '--socket', socket, ...(options.args ?? [])], {
    env: env(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stderr = '';
  await new Promise<void>((resolvePromise, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('listening')) resolvePromise();
    });
    child.on('exit', () => reject(new Error(`daemon exited: ${stderr}`)));
  });
  return { child, stderr: () => stderr };
}
