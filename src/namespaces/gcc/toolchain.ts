/**
 * The default toolchain of the `gcc` namespace: the host's own compiler
 * made exact, `deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]` (the
 * packages that own `/usr/bin/gcc` and the files it links to, at their
 * installed versions, with the C library's headers, which gcc only
 * recommends): the compiler the user has, as a content-addressed sandbox
 * root. Where the host has no Debian package database (dpkg's status file,
 * `DPKG_ADMINDIR` honoured, is absent), the host's compiler and the files
 * it needs copied by content, `deb:host-files?paths=[/usr/bin/gcc]`, as
 * `nomia ninja` falls back to (docs/namespaces/cc.md, "Toolchains"). The
 * environment variable `NOMIA_TOOLCHAIN` (a name, read from the run's
 * context) picks another.
 */
import { existsSync } from 'node:fs';
import type { RunContext } from '../../namespace/index.js';
import { dpkgStatusPath } from '../deb/dpkg-status.js';

export const HOST_TOOLCHAIN = 'deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]';

/** The fallback without a package database: the host's files, by content. */
export const HOST_FILES_TOOLCHAIN = 'deb:host-files?paths=[/usr/bin/gcc]';

/** The toolchain `gcc:` names compile with, and why that one (for the node's log). */
export function defaultToolchain(context: RunContext): { name: string; why: string } {
  const chosen = context.env['NOMIA_TOOLCHAIN'];
  if (chosen) return { name: chosen, why: 'NOMIA_TOOLCHAIN names it' };
  const status = dpkgStatusPath(context.env);
  if (!existsSync(status)) {
    return { name: HOST_FILES_TOOLCHAIN, why: `no Debian package database (${status} is absent): the host's compiler and the files it needs, copied by content, not a package closure` };
  }
  return { name: HOST_TOOLCHAIN, why: 'the host\'s compiler, made exact from its packages' };
}
