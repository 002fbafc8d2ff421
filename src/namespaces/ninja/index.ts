/**
 * The `ninja` namespace: the nodes the ninja front-end (`nomia ninja`,
 * docs/namespaces/ninja.md) builds a manifest's edges from, beside `cc`'s.
 *
 * - `command?command=…[&dir=…]&inputs=[…]&outputs=[…](i0, …, toolchain: TREE)`:
 *   an edge run as written in the sandbox (command.ts);
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
import { type AtomRequest, type Namespace, type Signature, unknownName } from '../../namespace/index.js';
import { command } from './command.js';
import { build } from './build.js';
import { headers, headersOf } from './headers.js';

const NAMES = ['command?command=…[&dir=…]&inputs=[…]&outputs=[…](inputs…, toolchain: TREE)', 'headers?path=DIR', 'files?path=DIR', 'headers-of?path=REL(tree: TREE)', 'build?targets=[…](src: TREE, toolchain: TREE[, build: TREE])'];

const REALIZE = { command, headers, files: headers, 'headers-of': headersOf, build } as const;

function signature(req: AtomRequest): Signature {
  if (!(req.nameId in REALIZE)) throw unknownName(req, NAMES);
  if (req.nameId === 'headers' || req.nameId === 'files') return { inputs: {}, outputs: { out: { type: 'fs-object' } }, defaultOutput: 'out', contextual: true };
  return { inputs: 'any', outputs: { out: { type: 'fs-object' } }, defaultOutput: 'out', contextual: false };
}

export const ninjaNamespace: Namespace = {
  id: 'ninja',
  spelling: 'builtin:ninja@1',
  describe: signature,
  async realize(req, inputs, ctx) {
    signature(req);
    return REALIZE[req.nameId as keyof typeof REALIZE](req, inputs, ctx);
  },
};
