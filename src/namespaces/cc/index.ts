/**
 * The `cc` namespace: C and C++ builds per module, in the sandbox with a
 * toolchain tree as `/` (docs/namespaces/cc.md).
 *
 * - `compile?args=[…](src: FILE, include: TREE…, toolchain: TREE)`: one
 *   object file; discovers the headers it reads and reduces to
 *   `compile-exact` (compile.ts).
 * - `compile-exact?args=[…]&includes=N&headers=[…](src, toolchain, h0, …)`:
 *   the compile with exactly those headers, each by content.
 * - `archive?name=…(objects…, toolchain)` and `link?args=[…]&name=…(files…,
 *   toolchain)` (link.ts).
 */
import { type Namespace, unknownName, type AtomRequest, type Signature } from '../../namespace/index.js';
import { compile, compileExact } from './compile.js';
import { archive, link } from './link.js';

const NAMES = ['compile?args=[…](src: FILE, include: TREE, toolchain: TREE)', 'compile-exact?…', 'archive?name=…(objects…, toolchain: TREE)', 'link?args=[…]&name=…(objects…, toolchain: TREE)'];

const REALIZE = { compile, 'compile-exact': compileExact, archive, link } as const;

function signature(req: AtomRequest): Signature {
  if (!(req.nameId in REALIZE)) throw unknownName(req, NAMES);
  return { inputs: 'any', outputs: { out: { type: 'fs-object' } }, defaultOutput: 'out', contextual: false };
}

export const ccNamespace: Namespace = {
  id: 'cc',
  spelling: 'builtin:cc@1',
  describe: signature,
  async realize(req, inputs, ctx) {
    signature(req);
    return REALIZE[req.nameId as keyof typeof REALIZE](req, inputs, ctx);
  },
};
