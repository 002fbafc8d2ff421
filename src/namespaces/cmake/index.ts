/**
 * The `cmake` namespace: CMake's configure step as a sandboxed build
 * (docs/namespaces/cmake.md).
 *
 * - `configure?args=[…](src: TREE, toolchain: TREE)`: the configured build
 *   directory (configure.ts), which `ninja:build` builds.
 */
import { type AtomRequest, type Namespace, type Signature, unknownName } from '../../namespace/index.js';
import { configure } from './configure.js';

const NAMES = ['configure?args=[…](src: TREE, toolchain: TREE)'];

function signature(req: AtomRequest): Signature {
  if (req.nameId !== 'configure') throw unknownName(req, NAMES);
  return { inputs: { src: { type: 'fs-object' }, toolchain: { type: 'fs-object' } }, outputs: { out: { type: 'fs-object' } }, defaultOutput: 'out', contextual: false };
}

export const cmakeNamespace: Namespace = {
  id: 'cmake',
  spelling: 'builtin:cmake@1',
  describe: signature,
  async realize(req, inputs, ctx) {
    signature(req);
    return configure(req, inputs, ctx);
  },
};
