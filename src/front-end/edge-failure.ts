/**
 * Which edge of a build failed, told in the build's own terms. The plan's
 * `compose` name is made by `nomia ninja` and `nomia compile-commands`, not
 * typed by the user, so a failure's `realizing cc:compile?… (9:8)` points
 * into a text nobody saw, and a hint `nomia log NAME` names nothing the user
 * has. This adds the edge's outputs (as ninja's `FAILED: out.o`) to the
 * error's trace, and makes the hint the `nomia log` of the failed node's
 * spelling, under which its log is kept.
 */
import { NomiaError } from '../errors.js';
import type { EngineEvent } from '../engine/events.js';
import { realize, type RealizeOptions, type Realized } from '../engine/realize.js';
import type { Plan } from '../namespaces/ninja/translate.js';
import { explainToolchainPath } from './toolchain-path.js';

/** The declaration of `plan` a node written at `at` (`line:column` in the plan's text) is, if any: line 1 is `compose`, declaration i is on line i + 2. */
export function declAt(plan: Plan, at: string | undefined): Plan['decls'][number] | undefined {
  const line = Number(at?.split(':')[0]);
  return Number.isInteger(line) ? plan.decls[line - 2] : undefined;
}

/** Realize `plan` (its name is its source); a failure names the edge that failed (`edgeFailures`). */
export async function realizePlan(plan: Plan, dir: string, options: Omit<RealizeOptions, 'source'>): Promise<Realized> {
  const failures = edgeFailures(plan, dir, options.onEvent);
  try {
    return await realize(plan.text, { ...options, source: plan.text, onEvent: failures.listener });
  } catch (e) {
    throw failures.explain(explainToolchainPath(e, plan, options.context.env));
  }
}

/** A listener to put before the caller's, and what it saw, to explain an error with. */
export interface EdgeFailures {
  /** Records the plan's nodes' spellings and its first failed node, then passes the event on. */
  readonly listener: (event: EngineEvent) => void;
  /** `e` with the failed edge's outputs in its trace and a `nomia log` hint that can be run; other errors as they are. */
  explain(e: unknown): unknown;
}

/**
 * Watch a realize of `plan` for its first failed node.
 * @param plan the plan realized: its text is `compose` and one declaration per line, so a node's line is its decl.
 * @param dir the build directory, where the outputs are named relative to.
 * @param onEvent the caller's listener, if any.
 */
export function edgeFailures(plan: Plan, dir: string, onEvent?: (event: EngineEvent) => void): EdgeFailures {
  const spellings = new Map<number, string>();
  let failed: { node: number; at: string | undefined } | undefined;
  return {
    listener: (event) => {
      // Nodes of a realize a namespace started (`parent`) are not the plan's: their `at` is in another text.
      if (event.kind === 'realizing' && event.parent === undefined) spellings.set(event.node, event.spelling);
      if (event.kind === 'failed' && event.parent === undefined && !failed) failed = { node: event.node, at: event.at };
      onEvent?.(event);
    },
    explain: (e) => {
      if (!(e instanceof NomiaError) || !failed) return e;
      const line = Number(failed.at?.split(':')[0]);
      const decl = declAt(plan, failed.at);
      const spelling = spellings.get(failed.node);
      let hint = spelling !== undefined && e.hint?.includes('nomia log NAME') ? e.hint.replace('nomia log NAME', `nomia log ${spelling}`) : e.hint;
      const trace = [...e.trace];
      // Line 2 is `tc = …`: an exact toolchain that is gone was collected, not lost; it is made again, not added.
      if (line === 2) {
        trace.push('reading the toolchain every edge runs in (--toolchain, NOMIA_TOOLCHAIN or nomia.json)');
        if (e.code === 'store/not-found') hint = 'gc removes a toolchain nothing roots: realize it again with a root, e.g. nomia realize \'deb:closure?packages=[cmake, gcc, libc6-dev]\' --root toolchain, and pass the first line it prints as --toolchain';
      }
      if (decl && decl.kind !== 'support') {
        const outputs = decl.kind === 'file' ? [decl.path] : decl.paths;
        // A compile's one input is the source its messages call `/src/<file>` in the sandbox.
        const from = decl.edge.inputs.length === 1 ? ` from ${decl.edge.inputs[0]}` : '';
        trace.push(`building ${outputs.join(', ')} in ${dir}${from}`);
      }
      if (hint === e.hint && trace.length === e.trace.length) return e;
      return new NomiaError(e.code, e.message, {
        ...(hint !== undefined ? { hint } : {}), ...(e.span ? { span: e.span } : {}), ...(e.source !== undefined ? { source: e.source } : {}), cause: e.cause, trace,
      });
    },
  };
}
