/**
 * The default toolchain made exact once, not on every run
 * (docs/namespaces/ninja.md, "Toolchain"). `deb:host?paths=[…]` reads
 * dpkg's database and resolves the host's closure, about 130 packages, as
 * one `deb:root(…)` name: some 250 ms a run even when every package is
 * known, which CMake's configure pays once per check, since each
 * try_compile is a `nomia ninja` of its own, each in a new directory.
 * Realized through the memo, under a key the caller makes the same in
 * every directory (cli/realize-memo.ts `realizeMemoKey` with `anyDirectory`), a later run
 * finds the exact tree after a few `lstat`s of what deb:host
 * declared: dpkg's status file, the tools' link chains, apt's index.
 *
 * The build's own memo then depends on the toolchain's context by the
 * files that decide which packages are installed: dpkg's status file and
 * the link chain of each named tool and of each path the build uses
 * (toolchain-uses.ts; a changed compiler changes the status file, an
 * `update-alternatives` a link). Those used paths are in the name, so the
 * memo's key changes with them, and with the packages they bring. A newer index alone does not
 * change the installed versions, so it does not undo a build.
 */
import { existsSync } from 'node:fs';
import type { EngineEvent } from '../engine/events.js';
import { lookupMemo, type MemoKey } from '../engine/memo.js';
import { realize, type RealizeOptions } from '../engine/realize.js';
import { dpkgStatusPath } from '../namespaces/deb/dpkg-status.js';
import { linkChain } from '../namespaces/deb/host.js';
import type { Manifest } from '../namespaces/ninja/manifest.js';
import type { Layout } from '../namespaces/ninja/sandbox-paths.js';
import { usedToolchainPaths } from './toolchain-uses.js';
import { statTree, type TreeState } from '../store/stat-cache.js';
import { type ChosenToolchain, defaultToolchain, namedTools } from './toolchain.js';

/**
 * The states of dpkg's status file and of every link and file of the chain of each tool and of each path the
 * build uses (toolchain-uses.ts: a library's link retargeted by an upgrade); undefined when one cannot be stat-ed.
 */
function hostContext(options: Omit<RealizeOptions, 'source'>, manifest: Manifest, uses: readonly string[]): TreeState[] | undefined {
  let paths: string[];
  try {
    paths = [...new Set([dpkgStatusPath(options.context.env), ...[...namedTools(manifest), ...uses].flatMap(linkChain)])];
  } catch {
    // A tool that is not there: deb:host says so, with its hint.
    return undefined;
  }
  const states = paths.map((p) => statTree(options.store, p));
  return states.every((s) => s !== undefined) ? (states as TreeState[]) : undefined;
}

/**
 * The default toolchain for `manifest` (toolchain.ts), as the exact tree the memo under `memoKeyOf(name)`
 * holds for it, else realized now with a memo kept; as its name when it cannot be memoized (no key, no
 * package database: `deb:host-files`, a context that cannot be stat-ed).
 */
export async function hostToolchain(manifest: Manifest, layout: Layout, options: Omit<RealizeOptions, 'source'>, memoKeyOf?: (text: string) => MemoKey | undefined): Promise<ChosenToolchain> {
  const uses = usedToolchainPaths(manifest, layout);
  // The used paths are in the name, so the memo's key changes with the set of packages they bring.
  const name = defaultToolchain(manifest, options.context.env, uses);
  const key = name.startsWith('deb:host?') ? memoKeyOf?.(name) : undefined;
  // Stat-ed before the memo is read or deb:host reads them.
  const dependsOn = key && hostContext(options, manifest, uses);
  if (!key || !dependsOn) return { name, dependsOn: [] };
  const kept = lookupMemo(options.store, key)?.results[0];
  if (kept?.kind === 'object' && existsSync(kept.path)) return { name: kept.name, dependsOn };
  const { memo: _memo, memoDependsOn: _deps, onEvent, ...rest } = options;
  // Its events are the build's, but the build's log ends with the build's one `done`.
  const listener = onEvent && ((e: EngineEvent) => e.kind !== 'done' && onEvent(e));
  const { roots } = await realize(name, { ...rest, source: name, memo: key, ...(listener ? { onEvent: listener } : {}) });
  const root = roots[0];
  return { name: root?.kind === 'object' ? root.name : name, dependsOn };
}
