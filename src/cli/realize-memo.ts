/**
 * The memo key of a realize as the CLI (and the daemon, for its clients)
 * computes it: the name text, the working directory, and what else decides
 * its meaning here — the namespaces configured for that directory (their
 * spellings cover the config files and the content of external commands),
 * the sandbox mode, nomia's version (built-in namespaces change only
 * with it), and whom results are taken from: the whole text of the config
 * files (trusted keys, substituters) and the keys given on the command line,
 * so a result a key was trusted for is not answered once it is not; and
 * the caller's variables that a built-in namespace reads as the meaning of
 * a contextual name (`CONTEXT_ENV`). Loads nothing of the engine but `memo.ts`.
 */
import { memoKey, type MemoKey } from '../engine/memo.js';
import { existsSync, readFileSync } from 'node:fs';
import { configFiles, loadExternalSpecs } from '../namespace/config.js';
import { version } from './version.js';

/**
 * Variables that change what a built-in namespace's contextual name means and that no file it declares
 * covers (docs/namespaces/deb.md, "Warm: the memo"): how old an index of the archive may answer,
 * where apt's configuration is, and where dpkg's database is (`deb:host` reads the one it names).
 */
const CONTEXT_ENV = ['NOMIA_DEB_TTL', 'APT_CONFIG', 'DPKG_ADMINDIR'];

/** What decides a name's meaning in `cwd` besides its text; undefined when the configuration cannot be read. */
function configuration(cwd: string, sandbox: string, env: NodeJS.ProcessEnv, trustedKeys: readonly string[], runEnv: Readonly<Record<string, string | undefined>>): string | undefined {
  let namespaces, files;
  try {
    namespaces = loadExternalSpecs(cwd, env);
    files = configFiles(cwd, env).map((f) => existsSync(f) ? readFileSync(f, 'utf8') : null);
  } catch {
    return undefined;
  }
  return JSON.stringify({ nomia: version(), sandbox, namespaces, files, trustedKeys, env: CONTEXT_ENV.map((v) => runEnv[v] ?? null) });
}

/**
 * The key, or undefined when the configuration cannot be read (the realize then reports why). `env` finds
 * the config files; `runEnv` is the environment the realize runs in (a daemon's client's). With
 * `anyDirectory`, for a name with no relative path (`nomia ninja`'s default toolchain,
 * `deb:host?paths=[/usr/bin/gcc…]`), `cwd` decides only which configuration applies, which the key holds:
 * the same name under the same configuration has one key in every directory (CMake runs each check in a
 * new one).
 */
export function realizeMemoKey(text: string, cwd: string, sandbox: string, env: NodeJS.ProcessEnv = process.env, trustedKeys: readonly string[] = [], runEnv: Readonly<Record<string, string | undefined>> = env, anyDirectory = false): MemoKey | undefined {
  const c = configuration(cwd, sandbox, env, trustedKeys, runEnv);
  return c === undefined ? undefined : memoKey({ text, cwd: anyDirectory ? '/' : cwd, configuration: c });
}
