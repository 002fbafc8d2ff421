/** Run a command body: print its output, or the formatted error and set exit status 1. */
import { betterHint } from './hints.js';
import { formatError } from './report.js';
import type { NameInput } from './input.js';

type Output = string | readonly Uint8Array[] | undefined | void;

export interface Job {
  readonly input?: NameInput;
  /** The command word, for hints that depend on it (hints.ts): `nomia gc` is no fix for a gc that failed. */
  readonly command?: string;
  /**
   * Returns what to print on stdout (a trailing newline is added), or nothing.
   * A large text may come as UTF-8 chunks, written one after another.
   */
  readonly go: () => Output | Promise<Output>;
}

export async function run(setup: () => Job | Promise<Job>): Promise<void> {
  let label = '<name>';
  let name: string | undefined;
  let command: string | undefined;
  try {
    const job = await setup();
    label = job.input?.label ?? label;
    name = job.input?.text;
    command = job.command;
    const out = await job.go();
    if (typeof out === 'string') process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
    else if (out) {
      for (const chunk of out) process.stdout.write(chunk);
      if (out.at(-1)?.at(-1) !== 10 /* \n */) process.stdout.write('\n');
    }
  } catch (e) {
    process.stderr.write(`${formatError(e, label, betterHint(e, name, command))}\n`);
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 1;
  }
}
