/** Starting the real `nomia ui` on a temporary store and reading the URL it prints. */
import type { ChildProcess } from 'node:child_process';
import { nomiaAsync } from './cli.js';

export interface RunningUi {
  readonly url: URL;
  readonly process: ChildProcess;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then its exit status. */
  stop(): Promise<number | null>;
}

export async function startUi(store: string, args: string[] = []): Promise<RunningUi> {
  const child = nomiaAsync(store, ['ui', '--port', '0', ...args]);
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const line = await new Promise<string>((found, failed) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) found(out.split('\n')[0]!);
    });
    void exited.then((code) => failed(new Error(`nomia ui exited (${code}) before printing its URL: ${err}`)));
  });
  return {
    url: new URL(line),
    process: child,
    stderr: () => err,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
