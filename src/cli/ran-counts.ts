/**
 * How many edges of each kind ran in a `nomia ninja` or `nomia compile-commands` build, for its summary
 * line: the plan's counts say what the build is made of, not what this run did, and after one `.c`
 * changed "31 compiles" reads as 31 compiles run.
 */
import type { EngineEvent } from '../engine/events.js';
import type { Counts } from '../front-end/ninja-outputs.js';

/** The namespace of each kind of edge, as the plan names it (namespaces/ninja/translate.ts). */
const KINDS: readonly (readonly [keyof Counts, string])[] = [['compile', 'cc:compile'], ['archive', 'cc:archive'], ['link', 'cc:link'], ['command', 'ninja:command']];

/** A listener that counts the plan's nodes that ran (`realizing`) or would run (`would-run`) by kind, and those that failed, passing every event on. */
export function ranCounter(next: (event: EngineEvent) => void): { readonly listener: (event: EngineEvent) => void; readonly ran: Counts; readonly would: Counts; readonly failed: number } {
  const ran = { compile: 0, archive: 0, link: 0, command: 0 };
  /** In a dry run, the plan's nodes that would run, by kind. */
  const would = { compile: 0, archive: 0, link: 0, command: 0 };
  let failed = 0;
  return {
    ran,
    would,
    /** The plan's nodes that failed (each once, where it failed: not those that needed it). */
    get failed() {
      return failed;
    },
    listener: (event) => {
      if (event.kind === 'failed' && event.parent === undefined) failed++;
      // A node a namespace realized itself (`parent`: a compile's exact name) is part of its edge, not another edge.
      if ((event.kind === 'realizing' || event.kind === 'would-run') && event.parent === undefined) {
        const kind = KINDS.find(([, prefix]) => event.label.startsWith(`${prefix}?`) || event.label.startsWith(`${prefix}(`));
        if (kind) (event.kind === 'realizing' ? ran : would)[kind[0]]++;
      }
      next(event);
    },
  };
}

/** `2 of 31 compiles, 1 of 1 archives, …`: what ran of what the build is made of. */
export function ranText(ran: Counts, all: Counts, kinds: readonly (keyof Counts)[] = ['compile', 'archive', 'link', 'command']): string {
  const word = { compile: 'compiles', archive: 'archives', link: 'links', command: 'commands' };
  return kinds.map((k) => `${ran[k]} of ${all[k]} ${word[k]}`).join(', ');
}
