/**
 * Writing a small file of the store's home whole (a build log, a
 * namespace's cache entry): written beside it under a temporary name and
 * renamed into place, so a reader sees the old file or the new one, never
 * a part. Its directory is made only when the write finds none: one made
 * per write (a recursive `mkdir`) was a system call per node of a realize
 * that almost always answers "exists".
 *
 * Crash story: no fsync, on purpose. What is written this way is never
 * needed for the store's consistency (a log, a guess kept in a cache), so a
 * crash may leave the old file, the new one, an empty one after a power
 * loss, or a temporary file beside it; readers take any of them (an
 * unreadable cache entry is a miss), and a leftover temporary file is
 * garbage no reader looks at.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Replace `path` with `data`; `temp` is the temporary name beside it (unique to the writer). */
export function replaceFile(path: string, data: string | Uint8Array, temp: string): void {
  try {
    writeFileSync(temp, data);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, data);
  }
  renameSync(temp, path);
}
