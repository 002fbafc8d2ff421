/**
 * The `ninja` namespace: the nodes the ninja front-end (`nomia ninja`,
 * docs/namespaces/ninja.md) builds a manifest's edges from, beside `cc`'s.
 *
 * - `command?command=…[&dir=…][&depfile=…]&inputs=[…]&outputs=[…](i0, …, toolchain: TREE)`:
 *   an edge run as written in the sandbox (command.ts); with a `depfile`, a
 *   compile with the whole source tree that reduces to the files it read
 *   (compile-command.ts);
 * - `headers?path=DIR` (contextual): the headers under DIR as a tree
 *   (headers.ts), a compile's include tree; `headers-of?path=REL(tree:
 *   TREE)` the same for a directory of a tree in the store;
 * - `files?path=DIR` (contextual): every file under DIR as a tree, the
 *   source tree of a compile run as a command;
 * - `build?targets=[…](src: TREE, toolchain: TREE[, build: TREE])`: a
 *   whole CMake project as one name (build.ts).
 *
 * The manifest parser (manifest.ts) and the translation of edges into
 * names (translate.ts) live here too, used by the front-end.
 */
import { makesObject, namespaceOfNames, type Namespace } from '../../namespace/index.js';
import { command } from './command.js';
import { build } from './build.js';
import { headers, headersOf } from './headers.js';

/** `headers` and `files` read a directory of the caller's: contextual, no inputs. */
const READS_DIR = makesObject({ inputs: {}, contextual: true });

const names = namespaceOfNames('ninja', 1, {
  command: { form: 'command?command=…[&dir=…][&depfile=…]&inputs=[…]&outputs=[…](inputs…, toolchain: TREE)', signature: makesObject(), realize: command },
  headers: { form: 'headers?path=DIR', signature: READS_DIR, realize: headers },
  files: { form: 'files?path=DIR', signature: READS_DIR, realize: headers },
  'headers-of': { form: 'headers-of?path=REL(tree: TREE)', signature: makesObject(), realize: headersOf },
  build: { form: 'build?targets=[…](src: TREE, toolchain: TREE[, build: TREE])', signature: makesObject(), realize: build },
});

export const ninjaNamespace: Namespace = {
  ...names,
  // Loaded by gc only: the hints of compiles run as commands whose toolchain is gone (compile-hints.ts).
  async collectGarbage(store, action, swept) {
    const { gcCompileHints } = await import('./compile-hints.js');
    return gcCompileHints(store, action, swept);
  },
};
