/**
 * A store and environment for CLI tests of `nomia ninja` and `nomia compile-commands` whose toolchain is the
 * host's files (`deb:host-files`: no package database, so nothing is downloaded), and the gc they run.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nomia, tempDir } from './cli.js';

export interface HostFilesBuild {
  /** The test's temporary directory. */
  readonly dir: string;
  /** The store, inside `dir`. */
  readonly store: string;
  /** The environment that hides the package database (an empty `DPKG_ADMINDIR`). */
  readonly env: Readonly<Record<string, string>>;
  /** A build directory `at` of `dir`, made. */
  readonly buildDir: (at: string) => string;
  /** Run `nomia gc --json`: the store entries it deleted. */
  readonly gc: () => string[];
}

/** A fresh store for builds with the host's files as the toolchain. */
export function hostFilesBuild(prefix: string): HostFilesBuild {
  const dir = tempDir(prefix);
  const store = join(dir, 'store');
  const env = { DPKG_ADMINDIR: join(dir, 'no-dpkg') };
  mkdirSync(env.DPKG_ADMINDIR);
  return {
    dir, store, env,
    buildDir: (at) => {
      mkdirSync(join(dir, at));
      return join(dir, at);
    },
    gc: () => {
      const r = nomia(store, ['gc', '--json'], { env });
      assert.equal(r.code, 0, r.err);
      return (JSON.parse(r.out) as { dead: string[] }).dead;
    },
  };
}
