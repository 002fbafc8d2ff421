/**
 * The bind mounts that show a tool's placed inputs (toolchain-run.ts) in
 * the sandbox, as few as the inputs allow. bwrap reads and parses
 * `/proc/self/mountinfo` once for every bind it makes, each time longer by
 * the binds before it, so an archive of 100 objects placed one bind each
 * spent most of its sandbox's start there (docs/namespaces/ninja.md,
 * "The fixed cost of one run", 2026-11-28). Instead, each placed file is a
 * hard link at its sandbox path in one scratch tree of the caller's work
 * directory, and each top-level directory of that tree (`/obj`, `/src`,
 * `/include`) is one read-only bind.
 *
 * Why a hard link is safe: a placed file is a store object, which nothing
 * ever writes to or changes the mode of; the link shares its inode, so the
 * tool reads the same bytes with the same normalized metadata, through a
 * read-only mount. Removing the work directory (store/fs-util.ts
 * `removeTree`, or `rm`) only unlinks the link; a gc that took the object
 * meanwhile (it cannot: the run holds its inputs) would leave the inode to
 * the link alone. A placed directory (an include tree) stays a bind of its
 * own, over an empty directory made for it in the scratch tree; so does a
 * file that cannot be linked (another file system, a link count at its
 * limit) or that lies inside a placed directory.
 */
import { closeSync, linkSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Bind } from '../package/sandbox.js';

/** A file or tree of the host to show read-only at `at` (an absolute path) in the sandbox. */
export interface Placed {
  readonly host: string;
  readonly at: string;
}

/** Whether `host` is a directory, as a bind sees it (following a symlink); what cannot be stat-ed is left to bwrap to report. */
function isDir(host: string): boolean {
  try {
    return statSync(host).isDirectory();
  } catch {
    return false;
  }
}

/** Whether sandbox path `p` is `dir` or lies inside it. */
const within = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

/**
 * The read-only binds that show `placed` at their `at` paths, in an order bwrap can make them: the scratch
 * tree's top-level directories first (hard links made under `scratch`, which must not exist yet, on the
 * store's file system), then the directories (in their order) over the mount points made for them, then
 * what could not be linked.
 */
export function placedBinds(placed: readonly Placed[], scratch: string): Bind[] {
  const dirs: Placed[] = [];
  const files: Placed[] = [];
  for (const p of placed) (isDir(p.host) ? dirs : files).push(p);
  const tops = new Set<string>();
  const single: Bind[] = [];
  const topOf = (at: string) => posix.normalize(at).split('/').filter((c) => c !== '')[0];
  const inScratch = (at: string) => join(scratch, ...posix.normalize(at).split('/').filter((c) => c !== ''));
  for (const p of files) {
    const top = topOf(p.at);
    // Inside a placed tree, the tree's bind would hide the link: bound on its own after it, as before.
    if (top === undefined || dirs.some((d) => within(posix.normalize(p.at), posix.normalize(d.at)))) {
      single.push({ host: p.host, sandbox: p.at, writable: false });
      continue;
    }
    const target = inScratch(p.at);
    try {
      mkdirSync(posix.dirname(target), { recursive: true });
      linkSync(p.host, target);
      tops.add(top);
    } catch {
      single.push({ host: p.host, sandbox: p.at, writable: false });
    }
  }
  // What is bound under a scratch top-level directory needs its mount point there (that bind is read-only,
  // bwrap cannot make it): a directory for a tree, a file for a file; inside a placed tree, the tree's own.
  for (const d of dirs) {
    const top = topOf(d.at);
    if (top !== undefined && tops.has(top)) mkdirSync(inScratch(d.at), { recursive: true });
  }
  for (const b of single) {
    const top = topOf(b.sandbox);
    if (top === undefined || !tops.has(top) || dirs.some((d) => within(posix.normalize(b.sandbox), posix.normalize(d.at)))) continue;
    try {
      mkdirSync(posix.dirname(inScratch(b.sandbox)), { recursive: true });
      closeSync(openSync(inScratch(b.sandbox), 'a'));
    } catch {
      // Left to bwrap, which says what it could not bind.
    }
  }
  return [
    ...[...tops].sort().map((top) => ({ host: join(scratch, top), sandbox: `/${top}`, writable: false })),
    ...dirs.map((d) => ({ host: d.host, sandbox: d.at, writable: false })),
    ...single,
  ];
}
