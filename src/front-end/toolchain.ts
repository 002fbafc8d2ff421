/**
 * Which toolchain `nomia ninja` builds with (docs/namespaces/ninja.md,
 * "Toolchain"): `--toolchain NAME`, else `NOMIA_TOOLCHAIN`, else
 * `"toolchain"` in a configuration file, else the host's own tools that the
 * build file names, made exact (`deb:host`), or, where this host has no
 * package database, copied from its files (`deb:host-files`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NomiaError } from '../errors.js';
import { configFiles } from '../namespace/registry.js';
import type { RunContext } from '../namespace/types.js';
import { dpkgStatusPath } from '../namespaces/deb/dpkg-status.js';
import type { Manifest } from '../namespaces/ninja/manifest.js';
import type { Layout } from '../namespaces/ninja/sandbox-paths.js';
import { printValue } from '../name/print.js';
import type { MemoKey } from '../engine/memo.js';
import type { RealizeOptions } from '../engine/realize.js';
import type { TreeState } from '../store/stat-cache.js';

/** An absolute path to a host program, as a word of a command. */
const TOOL = /(?<=^|[\s&;|(=])\/(?:usr\/)?s?bin\/[A-Za-z0-9_.+-]+(?=$|[\s;&|)])/g;

/**
 * The host programs the manifest's commands name (`/usr/bin/cc`,
 * `/usr/bin/cmake`, `/usr/bin/ar`…), sorted. Debian's `cc` and `c++` are
 * alternatives an install script makes, which a package tree lacks: they
 * stand for the `gcc` and `g++` they point to (as the commands are
 * translated). With no compiler named, `/usr/bin/gcc`.
 */
export function namedTools(manifest: Manifest): string[] {
  const tools = new Set<string>();
  for (const edge of manifest.edges) {
    for (const m of (edge.bindings['command'] ?? '').matchAll(TOOL)) {
      tools.add(m[0] === '/usr/bin/cc' ? '/usr/bin/gcc' : m[0] === '/usr/bin/c++' ? '/usr/bin/g++' : m[0]);
    }
  }
  if (![...tools].some((t) => /\/(gcc|g\+\+)(-\d+)?$/.test(t))) tools.add('/usr/bin/gcc');
  return [...tools].sort();
}

/**
 * The default toolchain: the Debian packages that own the programs the
 * build file names, at the versions installed here, with the C library's
 * headers (gcc only recommends them), and the packages that own the
 * directories and libraries the build reads (`uses`, toolchain-uses.ts), as
 * a `deb:host` name: the compiler the user has, content-addressed, with the
 * `-dev` packages the project was configured against. Where the host has no package database
 * (dpkg's status file, `DPKG_ADMINDIR` honoured, is absent in `env`'s
 * view), those programs and the files they need copied from the host, by
 * content, as `deb:host-files` (it warns that it is not a package closure).
 */
export function defaultToolchain(manifest: Manifest, env: Readonly<Record<string, string | undefined>> = {}, uses: readonly string[] = []): string {
  const list = (xs: readonly string[]) => `[${xs.map((x) => printValue({ kind: 'String', value: x })).join(', ')}]`;
  if (!existsSync(dpkgStatusPath(env))) return `deb:host-files?paths=${list(namedTools(manifest))}`;
  return `deb:host?paths=${list(namedTools(manifest))}&packages=${list(['libc6-dev'])}${uses.length ? `&uses=${list(uses)}` : ''}`;
}

/** `"toolchain"` of a configuration file, if it sets one. */
function fromFile(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new NomiaError('usage', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const value = (json as Record<string, unknown> | null)?.['toolchain'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new NomiaError('usage', `${file}: "toolchain" must be a name (a string)`, { hint: '{"toolchain": "deb:closure?packages=[gcc, libc6-dev]"}' });
  return value;
}

/**
 * The toolchain chosen for a build whose sources are in `srcDir`:
 * `NOMIA_TOOLCHAIN`, else the `"toolchain"` of the working directory's
 * `nomia.json`, of the source directory's, of the user's config.json (the
 * first that sets one); undefined when none does.
 */
export function configuredToolchain(context: RunContext, srcDir: string): string | undefined {
  const chosen = context.env['NOMIA_TOOLCHAIN'];
  if (chosen) return chosen;
  const [user, project] = configFiles(context.cwd, context.env);
  for (const file of [project!, join(srcDir, 'nomia.json'), user!]) {
    const value = fromFile(file);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The toolchain a build runs with, and the files the build's memo must depend on for it. */
export interface ChosenToolchain {
  readonly name: string;
  readonly dependsOn: readonly TreeState[];
}

/**
 * The toolchain every edge of `manifest` runs with, for `nomia ninja` and `nomia compile-commands` alike:
 * `given` (`--toolchain`), else `configuredToolchain`, else the default made exact through the memo under
 * `memoKeyOf` (toolchain-memo.ts), so that neither resolves the host's packages again on every run.
 */
export async function chooseToolchain(manifest: Manifest, layout: Layout, given: string | undefined, options: Omit<RealizeOptions, 'source'>, memoKeyOf?: (text: string) => MemoKey | undefined): Promise<ChosenToolchain> {
  const chosen = given ?? configuredToolchain(options.context, layout.srcDir);
  if (chosen !== undefined) return { name: chosen, dependsOn: [] };
  // Loaded only here: deb:host's reading of the host is not needed with a toolchain given.
  return (await import('./toolchain-memo.js')).hostToolchain(manifest, layout, options, memoKeyOf);
}
