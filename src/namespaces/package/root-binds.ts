/**
 * A build's `root:` input as the sandbox's `/`: each top-level entry of the
 * tree bound read-only at `/<entry>` (a symlink, `bin -> usr/bin`, made as
 * the same symlink), onto bwrap's empty root. Entry by entry rather than one
 * bind at `/`, so the sandbox can still make its own mount points (`/proc`,
 * `/dev`, `/tmp`, the store directory) beside them: those names are left
 * out of the tree's entries, and so is the first directory of the store's
 * path (a tree with `/root` must not hide a store under `/root/…`).
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

const SANDBOX_OWN = new Set(['proc', 'dev', 'tmp']);

/** bwrap arguments that lay the tree `root` out at `/`; `storeDir` is where the store appears in the sandbox. */
export function rootBinds(root: string, storeDir: string): string[] {
  const storeTop = storeDir.split('/').filter((c) => c !== '')[0];
  const args: string[] = [];
  for (const name of readdirSync(root).sort()) {
    if (SANDBOX_OWN.has(name) || name === storeTop) continue;
    const host = join(root, name);
    if (lstatSync(host).isSymbolicLink()) args.push('--symlink', readlinkSync(host), `/${name}`);
    else args.push('--ro-bind', host, `/${name}`);
  }
  return args;
}

/** PATH inside a root: the usual directories of a Debian system. */
export const ROOT_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin';
