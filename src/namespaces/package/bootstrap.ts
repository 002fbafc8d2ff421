/**
 * The bootstrap tools: a directory `bin/` with a static bash, a static
 * busybox and one symlink per busybox applet (`sh`, `cat`, `mkdir`, …),
 * added to the store as `bootstrap-tools`. Builds start from it, as Nix's
 * stdenv starts from its bootstrap tools. Its hash is fixed by the two
 * binaries (Debian's bash-static and busybox-static), so the same packages
 * give the same name on every machine.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { addPath, type CommitResult, NomiaError, type Store, withWorkDir } from '../../namespace/index.js';

export interface BootstrapSources {
  /** A statically linked bash (Debian: bash-static). */
  readonly bash: string;
  /** A statically linked busybox (Debian: busybox-static). */
  readonly busybox: string;
}

export const DEFAULT_SOURCES: BootstrapSources = { bash: '/bin/bash-static', busybox: '/bin/busybox' };

function require(path: string, what: string, pkg: string): void {
  if (!existsSync(path)) throw new NomiaError('usage', `cannot make the bootstrap tools: ${path} (${what}) does not exist`, { hint: `apt-get install ${pkg}, or give its path` });
}

/** The applets busybox provides, from the binary itself. */
function applets(busybox: string): string[] {
  const r = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (r.status !== 0) throw new NomiaError('usage', `cannot list the applets of ${busybox}: ${r.error?.message ?? r.stderr.trim()}`, { hint: 'is it a busybox binary?' });
  return r.stdout.split('\n').filter((a) => /^[A-Za-z0-9._+-]+$/.test(a) && a !== 'busybox' && a !== 'bash').sort();
}

/** Lay out the tools under `dest` (which must not exist). */
export function makeBootstrapTree(dest: string, sources: BootstrapSources = DEFAULT_SOURCES): void {
  require(sources.bash, 'a static bash', 'bash-static');
  require(sources.busybox, 'a static busybox', 'busybox-static');
  const bin = join(dest, 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync(sources.bash, join(bin, 'bash'));
  copyFileSync(sources.busybox, join(bin, 'busybox'));
  chmodSync(join(bin, 'bash'), 0o755);
  chmodSync(join(bin, 'busybox'), 0o755);
  for (const a of applets(sources.busybox)) symlinkSync('busybox', join(bin, a));
}

/** Make the tools and add them to the store as `bootstrap-tools`. */
export async function addBootstrapTools(store: Store, sources: BootstrapSources = DEFAULT_SOURCES, root?: string): Promise<CommitResult> {
  return withWorkDir(store, async (work) => {
    const dest = join(work, 'bootstrap-tools');
    makeBootstrapTree(dest, sources);
    return addPath(store, dest, { name: 'bootstrap-tools', ...(root === undefined ? {} : { root }) });
  });
}
