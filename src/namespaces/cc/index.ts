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
 *   toolchain)` (link.ts); a link against shared libraries reduces to
 *   `link-interface?…&shared=[…](…)`, each library replaced by its
 *   interface (shared-interfaces.ts).
 */
import { makesObject, namespaceOfNames, type Namespace } from '../../namespace/index.js';
import { compile, compileExact } from './compile.js';
import { archive, link, linkInterface } from './link.js';

const names = namespaceOfNames('cc', 1, {
  compile: { form: 'compile?args=[…](src: FILE, include: TREE, toolchain: TREE)', signature: makesObject(), realize: compile },
  'compile-exact': { form: 'compile-exact?…', signature: makesObject(), realize: compileExact },
  archive: { form: 'archive?name=…(objects…, toolchain: TREE)', signature: makesObject(), realize: archive },
  link: { form: 'link?args=[…]&name=…(objects…, toolchain: TREE)', signature: makesObject(), realize: link },
  'link-interface': { form: 'link-interface?…&shared=[…]', signature: makesObject(), realize: linkInterface },
});

export const ccNamespace: Namespace = {
  ...names,
  // Loaded by gc only: the compile hints of toolchains no longer in the store (hints-gc.ts).
  async collectGarbage(store, action, swept) {
    const { gcHints } = await import('./hints-gc.js');
    return gcHints(store, action, swept);
  },
};
