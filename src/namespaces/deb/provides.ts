/**
 * Which Debian package provides a path (a toolchain directory a build
 * names that the toolchain lacks, such as `/usr/include/libpng16`): the
 * installed packages that own it (`dpkg-query -S`, dpkg's database where
 * `DPKG_ADMINDIR` says), else the packages apt's Contents index lists for
 * it, when apt keeps one (`apt-file update` fetches it into
 * `/var/lib/apt/lists`). Only for telling a user what to install or add:
 * nothing is resolved from it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The packages that provide a path, and where that was learned. */
export interface Providers {
  readonly packages: readonly string[];
  /** `installed`: dpkg's database (the packages are installed here); `contents`: apt's Contents index (they may not be). */
  readonly from: 'installed' | 'contents';
}

/** The installed packages that own `path` (`dpkg-query -S`), without architecture qualifiers. */
function owners(path: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const r = spawnSync('dpkg-query', ['-S', path], {
    encoding: 'utf8', env: { LC_ALL: 'C', PATH: env['PATH'] ?? '/usr/bin:/bin', ...(env['DPKG_ADMINDIR'] ? { DPKG_ADMINDIR: env['DPKG_ADMINDIR'] } : {}) },
  });
  if (r.status !== 0 || typeof r.stdout !== 'string') return [];
  const found = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const at = line.lastIndexOf(': /');
    if (at < 0 || line.startsWith('diversion by ')) continue;
    for (const p of line.slice(0, at).split(', ')) found.add(p.split(':')[0]!);
  }
  return [...found].sort();
}

/**
 * The packages apt's Contents files in `lists` list for `path` or anything under it (lines `PATH
 * SECTION/PKG[,SECTION/PKG…]`, the path without its leading `/`), read through `apt-helper cat-file`,
 * which undoes any compression apt uses.
 */
export function contentsProviders(path: string, lists = '/var/lib/apt/lists'): string[] {
  let files: string[];
  try {
    files = readdirSync(lists).filter((f) => /_Contents-[^/]+$/.test(f)).map((f) => join(lists, f));
  } catch {
    return [];
  }
  if (files.length === 0) return [];
  const r = spawnSync('/usr/lib/apt/apt-helper', ['cat-file', ...files], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return [];
  const rel = path.replace(/^\/+/, '').replace(/\/+$/, '');
  const found = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith(rel)) continue;
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m || (m[1] !== rel && !m[1]!.startsWith(`${rel}/`))) continue;
    for (const q of m[2]!.split(',')) found.add(q.slice(q.lastIndexOf('/') + 1));
  }
  return [...found].sort();
}

/** Who provides `path`: the installed packages that own it, else those apt's Contents lists; undefined when neither knows. */
export function providersOf(path: string, env: Readonly<Record<string, string | undefined>>, lists?: string): Providers | undefined {
  const installed = owners(path, env);
  if (installed.length) return { packages: installed, from: 'installed' };
  const listed = contentsProviders(path, lists);
  return listed.length ? { packages: listed, from: 'contents' } : undefined;
}
