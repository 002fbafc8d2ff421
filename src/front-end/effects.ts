/**
 * Running the edges of a build that make no file (namespaces/ninja/effects.ts,
 * docs/namespaces/ninja.md "Edges that make no file"): CMake's `test`
 * (ctest), `install`, `add_custom_target(check COMMAND …)`. As ninja runs
 * them: the command as written, by `/bin/sh -c`, in the build directory,
 * on this machine, with the caller's environment and, in ninja's console
 * pool, the terminal; every time they are asked for. They are effects, not
 * names: nothing of them is kept or reused.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { NomiaError } from '../errors.js';
import type { Edge } from '../namespaces/ninja/manifest.js';

/** An effect that failed; `status` is its exit status (128 + the signal's number when a signal ended it), for the CLI's own. */
export class EffectFailed extends NomiaError {
  constructor(readonly status: number, message: string, hint: string) {
    super('ninja/effect-failed', message, { hint });
  }
}

export interface EffectOptions {
  /** The environment the commands see (the run's, as ninja passes its own on). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where their output goes: the CLI gives its own terminal (`inherit`), as ninja's console pool does. */
  readonly stdio: StdioOptions;
  readonly signal?: AbortSignal;
}

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

/** Run one command in `dir`; its exit status. */
function runOne(command: string, dir: string, options: EffectOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: dir, env: options.env, stdio: options.stdio, ...(options.signal ? { signal: options.signal } : {}) });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? SIGNALS[signal] ?? 0 : 0)));
  });
}

/**
 * Run `effects` one after another, in their order (the plan's: what each needs comes first), in the build
 * directory `dir`; the first that fails stops the rest (as ninja stops) with `EffectFailed`.
 * @returns how many ran.
 */
export async function runEffects(effects: readonly Edge[], dir: string, options: EffectOptions): Promise<number> {
  for (const edge of effects) {
    const command = edge.bindings['command'] ?? '';
    const status = await runOne(command, dir, options);
    if (status !== 0) {
      const what = edge.bindings['description'] ? ` (${edge.bindings['description']})` : '';
      // CMake's commands start with their own `cd`; others run in the build directory, as ninja runs them.
      const alone = command.startsWith('cd ') ? command : `cd ${dir} && ${command}`;
      throw new EffectFailed(status, `${edge.outputs.join(' ')}${what} failed with exit status ${status}: ${command}`,
        `it ran on this machine in ${dir} and its own output is above: fix what it reports and run nomia ninja again, or run it alone: ${alone}`);
    }
  }
  return effects.length;
}
