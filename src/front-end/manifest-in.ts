/** The `build.ninja` of a build directory, read and parsed: for `nomia ninja`'s builds and its tools alike. */
import { join, resolve } from 'node:path';
import { NomiaError } from '../errors.js';
import { parseManifest, type Manifest } from '../namespaces/ninja/manifest.js';

/**
 * Parse `build.ninja` in `dir` (absolute) and what it includes, each file read by `read` (absolute path).
 * @throws NomiaError `ninja/no-manifest` when there is none, naming how to configure; `ninja/syntax` from the parser.
 */
export function manifestIn(dir: string, read: (path: string) => string): Manifest {
  const file = join(dir, 'build.ninja');
  let text: string;
  try {
    text = read(file);
  } catch {
    throw new NomiaError('ninja/no-manifest', `no build.ninja in ${dir}`, { hint: 'configure first: cmake -S SRC -B BUILD -G Ninja, then nomia ninja -C BUILD' });
  }
  return parseManifest(text, file, (p) => read(resolve(dir, p)));
}
