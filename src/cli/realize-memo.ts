/**
 * The memo key of a realize as the CLI (and the daemon, for its clients)
 * computes it: the name text, the working directory, and what else decides
 * its meaning here — the namespaces configured for that directory (their
 * spellings cover the config files and the content of external commands),
 * the sandbox mode, and nomia's version (built-in namespaces change only
 * with it). Loads nothing of the engine but `memo.ts`.
 */
import { memoKey, type MemoKey } from '../engine/memo.js';
import { loadExternalSpecs } from '../namespace/registry.js';
import { version } from './version.js';

/** The key, or undefined when the configuration cannot be read (the realize then reports why). */
export function realizeMemoKey(text: string, cwd: string, sandbox: string, env: NodeJS.ProcessEnv = process.env): MemoKey | undefined {
  let namespaces;
  try {
    namespaces = loadExternalSpecs(cwd, env);
  } catch {
    return undefined;
  }
  return memoKey({ text, cwd, configuration: JSON.stringify({ nomia: version(), sandbox, namespaces }) });
}
