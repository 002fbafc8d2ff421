/**
 * The `cmake` namespace: CMake's configure step as a sandboxed build
 * (docs/namespaces/cmake.md).
 *
 * - `configure?args=[…](src: TREE, toolchain: TREE)`: the configured build
 *   directory (configure.ts), which `ninja:build` builds.
 */
import { makesObject, namespaceOfNames, type Namespace } from '../../namespace/index.js';
import { configure } from './configure.js';

export const cmakeNamespace: Namespace = namespaceOfNames('cmake', 1, {
  configure: {
    form: 'configure?args=[…](src: TREE, toolchain: TREE)',
    signature: makesObject({ inputs: { src: { type: 'fs-object' }, toolchain: { type: 'fs-object' } } }),
    realize: configure,
  },
});
