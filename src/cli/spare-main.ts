/**
 * A spare CLI process (daemon/spares.ts; docs/engine.md, "Spare CLI
 * processes"): load the CLI's modules, say so on fd 3, wait for one `run`
 * request on fd 0, then become the caller — its working directory,
 * environment, umask, command line, terminal facts and standard input —
 * and run `main` exactly as `bin/nomia.js` would. One command, then exit:
 * nothing of it is left for the next.
 *
 * The request was checked by the daemon (daemon/run-request.ts).
 */
import { createReadStream, fstatSync, readSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ReadStream, isatty } from 'node:tty';
import type { RunRequest } from '../daemon/run-request.js';
import { sleepSync } from '../store/sleep-sync.js';
import { useClientStdin, stdinFd } from './client-stdin.js';
import { preloadCommands, runAsProcess } from './main.js';

/** The path `bin/nomia.js` has in `process.argv[1]` of the plain CLI. */
const cliPath = fileURLToPath(new URL('../../../bin/nomia.js', import.meta.url));

/** The request: the first line on fd 0 (the daemon writes nothing more until the spare asks for standard input). */
function readRequest(): RunRequest {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  while (chunks.at(-1)?.at(-1) !== 10 /* \n */) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      sleepSync(1);
      continue;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as RunRequest;
}

/** A readable stream on `fd`, of the kind Node gives `process.stdin` for it. */
function streamOn(fd: number): NodeJS.ReadStream {
  if (isatty(fd)) return new ReadStream(fd) as NodeJS.ReadStream;
  const st = fstatSync(fd);
  if (st.isFIFO() || st.isSocket()) return new Socket({ fd, readable: true, writable: false }) as unknown as NodeJS.ReadStream;
  return createReadStream('', { fd }) as unknown as NodeJS.ReadStream;
}

/** Take the caller's place: everything a command reads of its process that the caller would have given it. */
function become(req: RunRequest): void {
  process.chdir(req.cwd);
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, req.env);
  process.umask(req.umask);
  process.argv = [process.execPath, cliPath, ...req.argv];
  // The progress view, help's width and the binary-to-terminal checks ask the streams (cli/progress.ts, render-events.ts).
  for (const [stream, tty] of [[process.stdout, req.tty.stdout], [process.stderr, req.tty.stderr]] as const) {
    Object.defineProperty(stream, 'isTTY', { value: tty || undefined, configurable: true });
    if (tty && req.tty.columns > 0) Object.defineProperty(stream, 'columns', { value: req.tty.columns, configurable: true });
  }
  useClientStdin(`/proc/${req.pid}/fd/0`, () => writeSync(3, 'stdin\n'));
  let stdin: NodeJS.ReadStream | undefined;
  Object.defineProperty(process, 'stdin', {
    configurable: true, enumerable: true,
    get: () => (stdin ??= streamOn(stdinFd())),
  });
}

await preloadCommands();
// fd 3 stays open: it may yet ask for standard input (client-stdin.ts).
writeSync(3, 'ready\n');
const request = readRequest();
become(request);
await runAsProcess(request.argv);
