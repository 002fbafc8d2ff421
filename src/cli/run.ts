/** Run a command body: print its output, or the formatted error and set exit status 1. */
import { betterHint } from './hints.js';
import { formatError } from './report.js';
import type { NameInput } from './input.js';

export interface Job {
  readonly input?: NameInput;
  /** Returns what to print on stdout (a trailing newline is added), or nothing. */
  readonly go: () => string | undefined | void | Promise<string | undefined | void>;
}

export async function run(setup: () => Job | Promise<Job>): Promise<void> {
  let label = '<name>';
  let name: string | undefined;
  try {
    const job = await setup();
    label = job.input?.label ?? label;
    name = job.input?.text;
    const out = await job.go();
    if (typeof out === 'string') process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  } catch (e) {
    process.stderr.write(`${formatError(e, label, betterHint(e, name))}\n`);
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 1;
  }
}
