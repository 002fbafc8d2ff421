/** What several benchmarks share: timing a step, and running a command that must succeed. */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Milliseconds `f` took. */
export function timed(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

/** A runner of commands in `env` (plus `extra`), from `cwd` by default: stdout, or an error with the end of stderr. */
export function runner(env: Record<string, string>, defaultCwd: string) {
  return (cmd: string, args: readonly string[], cwd = defaultCwd, extra: Record<string, string> = {}): string => {
    const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extra }, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString().slice(-2000)}`);
    return r.stdout.toString();
  };
}

/** A TCP port on 127.0.0.1 free now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
