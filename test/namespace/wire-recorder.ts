/**
 * `wire-recorder LOG COMMAND…` runs a namespace command and records the
 * protocol bytes it exchanges with the engine: what the engine sent into
 * `LOG.sent` and what the namespace answered into `LOG.received`, for the
 * golden protocol messages of the contract tests. Without arguments (as
 * `node --test` loads it) it does nothing.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const [log, command, ...args] = process.argv.slice(2);
if (command && log) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const sent = createWriteStream(`${log}.sent`);
  const received = createWriteStream(`${log}.received`);
  process.stdin.on('data', (chunk: Buffer) => {
    sent.write(chunk);
    child.stdin.write(chunk);
  });
  process.stdin.on('end', () => child.stdin.end());
  child.stdout.on('data', (chunk: Buffer) => {
    received.write(chunk);
    process.stdout.write(chunk);
  });
  child.on('close', (code) => {
    sent.end();
    received.end(() => process.exit(code ?? 1));
  });
}
