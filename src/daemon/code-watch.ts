/**
 * Whether the code a spare loaded is still the code on disk: a generation
 * number that every change under the watched tree (`dist/` of this
 * package, rewritten by `npm run build`) increases. A spare records the
 * generation it was started in; one started in an older generation may
 * have loaded old modules and never runs a command (docs/engine.md,
 * "Spare CLI processes").
 *
 * Watched with inotify (`fs.watch`, one watcher per directory, so a new
 * directory is found by the event on its parent). Walking the tree's
 * stats on every request instead costs 15–45 ms for its 345 files on a
 * loaded machine: more than a whole command through a spare.
 */
import { readdirSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface CodeWatch {
  /** The current generation: equal to an earlier reading only if nothing under the tree changed in between. */
  generation(): number;
  close(): void;
}

/** Watch the directory tree at `root` (a watcher that fails counts as a change: a spare is never trusted on a guess). */
export function watchCode(root: string, onChange?: () => void): CodeWatch {
  let generation = 0;
  const watchers = new Map<string, FSWatcher>();
  const changed = () => {
    generation++;
    onChange?.();
  };
  // Watch `dir` (once), and the directories in it not watched yet, with all below them.
  const add = (dir: string) => {
    try {
      if (!watchers.has(dir)) {
        const w = watch(dir, () => {
          changed();
          add(dir);
        });
        w.on('error', () => {
          watchers.delete(dir);
          w.close();
          changed();
        });
        watchers.set(dir, w);
      }
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory() && !watchers.has(join(dir, e.name))) add(join(dir, e.name));
      }
    } catch {
      changed();
    }
  };
  add(root);
  return {
    generation: () => generation,
    close() {
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
