/**
 * A toolchain directory the build names that the toolchain lacks, told in
 * terms a user can act on (docs/namespaces/ninja.md, "Toolchain"). A build
 * that compiles with `-I/usr/include/libpng16` takes that directory from
 * the toolchain (`$tc/usr/include/libpng16`); the default toolchain holds
 * the packages of the programs the build file runs, not of the libraries it
 * uses, so without `libpng-dev` in it the engine's projection fails with
 * "has no path /usr/include/libpng16" and a hint to `nomia ls` the tree.
 * This says which package provides the directory (deb/provides.ts) and how
 * to add it.
 */
import { NomiaError } from '../errors.js';
import { providersOf } from '../namespaces/deb/provides.js';
import type { Plan } from '../namespaces/ninja/translate.js';

/**
 * `e` as `ninja/toolchain-missing-path` when it says that the plan's toolchain has no path the build names;
 * any other error as it is.
 */
export function explainToolchainPath(e: unknown, plan: Plan, env: Readonly<Record<string, string | undefined>>): unknown {
  if (!(e instanceof NomiaError) || e.code !== 'usage') return e;
  const path = /^`.*` has no path (\/.*)$/s.exec(e.message)?.[1];
  // The plan takes toolchain paths as `$tc/usr/…` (namespaces/ninja/translate.ts); a path of the sources or
  // the build directory would be `$src/…` or `$build/…`. The node's label is printed otherwise than the plan's text.
  if (path === undefined || !plan.text.includes(`$tc${path}`)) return e;
  const found = providersOf(path, env);
  const pkg = found?.packages.join(' | ') ?? 'PKG';
  const add = found?.packages[0] ?? 'PKG';
  const by = !found ? `no installed package owns it (dpkg -S) and apt keeps no Contents index that lists it: install the -dev package that provides it (apt-file search ${path} finds it, after apt-get install apt-file && apt-file update)`
    : found.from === 'installed' ? `the package ${pkg} provides it on this host (dpkg -S), and the toolchain does not include it`
    : `the package ${pkg} provides it (apt's Contents index), which is not installed here: install it (apt-get install ${add})`;
  return new NomiaError('ninja/toolchain-missing-path', `the toolchain has no ${path}, a directory the build names: ${by}`, {
    hint: `add ${add} to the toolchain: nomia ninja --toolchain 'deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev, ${add}]' (the host's installed versions; name in paths=[…] every program the build runs, e.g. /usr/bin/g++, /usr/bin/cmake), or 'deb:closure?packages=[gcc, libc6-dev, ${add}]' (the archive's versions), or "toolchain" in nomia.json`,
    ...(e.span ? { span: e.span } : {}), ...(e.source !== undefined ? { source: e.source } : {}), cause: e.cause,
    trace: [...e.trace, 'reading the toolchain every edge runs in (--toolchain, NOMIA_TOOLCHAIN or nomia.json, else the host\'s own tools the build file names)'],
  });
}
