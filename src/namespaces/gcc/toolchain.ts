/**
 * The default toolchain of the `gcc` namespace: the host's own compiler
 * made exact, `deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]` (the
 * packages that own `/usr/bin/gcc` and the files it links to, at their
 * installed versions, with the C library's headers, which gcc only
 * recommends): the compiler the user has, as a content-addressed sandbox
 * root. The environment variable `NOMIA_TOOLCHAIN` (a name, read from the
 * run's context) picks another. A host without a Debian package database
 * fails in `deb:host` (`deb/not-installed`, its hint names NOMIA_TOOLCHAIN).
 */
import type { RunContext } from '../../namespace/index.js';

export const HOST_TOOLCHAIN = 'deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]';

/** The toolchain name `gcc:` names compile with. */
export function defaultToolchain(context: RunContext): string {
  return context.env['NOMIA_TOOLCHAIN'] || HOST_TOOLCHAIN;
}
