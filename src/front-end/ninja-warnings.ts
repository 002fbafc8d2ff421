/**
 * The two manifest checks ninja 1.11 makes as it reads `build.ninja`, each
 * an error or a warning by its `-w` flag (docs/namespaces/ninja.md,
 * "Usage"), so that `nomia ninja` reads a manifest as ninja does:
 *
 * - `dupbuild` (default `err`): a path two edges make. As a warning, the
 *   later edge loses that output, and an edge left with none is dropped;
 * - `phonycycle` (default `warn`): a phony edge of one output (and no
 *   implicit output or input) that names that output as an input, as old
 *   CMake wrote them. As a warning, that input is dropped; as an error,
 *   it stays, and the build fails on the cycle (`ninja/cycle`), as
 *   ninja's does.
 */
import { NomiaError } from '../errors.js';
import type { Edge, Manifest } from '../namespaces/ninja/manifest.js';
import { canonical } from './ninja-graph.js';

/** How each check reports: `err` fails the read, `warn` repairs the manifest as ninja does and says so. */
export interface ManifestChecks {
  readonly dupbuild: 'err' | 'warn';
  readonly phonycycle: 'err' | 'warn';
}

/** ninja 1.11's defaults. */
export const DEFAULT_CHECKS: ManifestChecks = { dupbuild: 'err', phonycycle: 'warn' };

/** The checks `-w FLAG…` set (later flags win, as ninja's); other flags (`depfilemulti`, `list`) set none. */
export function checksOf(flags: readonly string[] = []): ManifestChecks {
  let checks = DEFAULT_CHECKS;
  for (const f of flags) {
    const m = /^(dupbuild|phonycycle)=(err|warn)$/.exec(f);
    if (m) checks = { ...checks, [m[1]!]: m[2] as 'err' | 'warn' };
  }
  return checks;
}

/**
 * `manifest` checked as ninja reads it: an error for what `checks` makes one (`ninja/syntax`), else the
 * manifest repaired as ninja repairs it, each repair told to `warn` in ninja's words.
 */
export function checkManifest(manifest: Manifest, checks: ManifestChecks, warn: (message: string) => void): Manifest {
  const made = new Set<string>();
  let changed = false;
  const edges: Edge[] = [];
  for (const e of manifest.edges) {
    const keep = (outs: readonly string[]) => outs.filter((o) => {
      const p = canonical(o);
      if (!made.has(p)) return made.add(p);
      if (checks.dupbuild === 'err') throw new NomiaError('ninja/syntax', `build.ninja: multiple rules generate ${o}`, { hint: 'fix what generated build.ninja; or take the first edge that makes it, as ninja -w dupbuild=warn does: nomia ninja -w dupbuild=warn' });
      warn(`multiple rules generate ${o}. builds involving this target will not be correct; continuing anyway`);
      return false;
    });
    const outputs = keep(e.outputs);
    const implicitOutputs = keep(e.implicitOutputs);
    let { inputs, orderOnly } = e;
    // ninja's `maybe_phonycycle_diagnostic`: a phony edge of one output, no implicit output, no implicit input.
    if (checks.phonycycle === 'warn' && e.rule === 'phony' && e.outputs.length === 1 && e.implicitOutputs.length === 0 && e.implicitInputs.length === 0) {
      const self = canonical(e.outputs[0]!);
      const other = (i: string) => canonical(i) !== self;
      if (!inputs.every(other) || !orderOnly.every(other)) {
        warn(`phony target '${e.outputs[0]}' names itself as an input; ignoring [-w phonycycle=warn]`);
        inputs = inputs.filter(other);
        orderOnly = orderOnly.filter(other);
      }
    }
    if (outputs.length === e.outputs.length && implicitOutputs.length === e.implicitOutputs.length && inputs === e.inputs && orderOnly === e.orderOnly) {
      edges.push(e);
      continue;
    }
    changed = true;
    // ninja drops an edge all of whose outputs other edges make.
    if (outputs.length + implicitOutputs.length > 0) edges.push({ ...e, outputs, implicitOutputs, inputs, orderOnly });
  }
  return changed ? { ...manifest, edges } : manifest;
}
