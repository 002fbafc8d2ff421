/**
 * `nomia ninja -n` (docs/namespaces/ninja.md, "Dry run"): which edges a
 * build would run, found by the engine's dry run (RealizeOptions.dryRun):
 * the sources are read into the store as a build reads them, every edge
 * whose name is recorded (or that a configured cache gives) is not listed,
 * and nothing is run or written into the build directory.
 */
import type { Edge } from '../namespaces/ninja/manifest.js';
import type { Plan } from '../namespaces/ninja/translate.js';
import type { Counts } from './ninja-outputs.js';
import { declAt, realizePlan } from './edge-failure.js';
import { ninjaPlan, type NinjaOptions } from './ninja.js';

/** What a build would do. */
export interface NinjaDryRun {
  /** The plan's edges by kind. */
  readonly counts: Counts;
  /** The edges that would run, inputs first. */
  readonly edges: readonly Edge[];
  /** The edges that make no file (effects.ts): a build runs them every time. */
  readonly effects: readonly Edge[];
}

/** The edges a build of `options.targets` in `options.dir` would run; nothing is run or written there. */
export async function ninjaDryRun(options: NinjaOptions): Promise<NinjaDryRun> {
  const { dir, plan } = await ninjaPlan(options);
  const { memo: _memo, effectStdio: _stdio, memoKeyOf: _key, ...rest } = options;
  const would = new Set<Plan['decls'][number]>();
  if (plan.decls.some((d) => d.kind !== 'support')) {
    await realizePlan(plan, dir, {
      ...rest, dryRun: true,
      onEvent: (e) => {
        // Nodes of a realize a namespace started (`parent`) are not the plan's.
        if (e.kind === 'would-run' && e.parent === undefined) {
          const decl = declAt(plan, e.at);
          if (decl) would.add(decl);
        }
        options.onEvent?.(e);
      },
    });
  }
  const edges = plan.decls.flatMap((d) => (d.kind !== 'support' && would.has(d) ? [d.edge] : []));
  return { counts: plan.counts, edges, effects: plan.effects };
}
