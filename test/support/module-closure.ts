/** What a compiled module loads with it: for tests that a lean path stays lean. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The relative imports of a compiled module that load with it (static ones; `import()` loads later, if at all). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)]
    .map((m) => m[1] ?? m[2]!)
    .filter((s) => s.startsWith('.') || !s.startsWith('node:'))
    .map((s) => (s.startsWith('.') ? resolve(dirname(file), s) : s));
}

function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const f = queue.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (f.startsWith('/') && existsSync(f)) queue.push(...staticImports(f));
  }
  return seen;
}

const distSrc = fileURLToPath(new URL('../../src/', import.meta.url));

/** The modules `entry` (relative to the compiled src/, e.g. `cli/main.js`) loads statically: paths relative to src/, packages by name. */
export function loadedWith(entry: string): string[] {
  return [...closure(join(distSrc, entry))].map((f) => (f.startsWith('/') ? relative(distSrc, f) : f));
}
