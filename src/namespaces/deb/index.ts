/**
 * The `deb` namespace: Debian packages from the archive apt is configured
 * with, as trees in the store (docs/namespaces/deb.md).
 *
 * - `exact?package=…&version=…&arch=…&sha256=…`: one package's files, its
 *   `.deb` checked against `sha256` before anything is stored. Not
 *   contextual: realized once, it is a lookup, offline too.
 * - `latest?package=…[&arch=…]` (contextual): the version the index lists
 *   now; reduces to its exact name.
 * - `closure?packages=[…][&arch=…]` (contextual): everything those packages
 *   need on a clean system, as apt resolves it; reduces to
 *   `root(exact…)`, the lock.
 * - `root(trees…)`: package trees merged into one root (root.ts).
 * - `source?package=…[&version=…]` (contextual): a source package's tree
 *   (source.ts); reduces to `source?package=…&version=…&sha256=<.dsc>`,
 *   which is exact.
 *
 * - `host?paths=[…][&packages=[…]]` (contextual: the host's dpkg database):
 *   the packages that own those paths, at their installed versions, with
 *   their closure (host.ts); reduces to `root(exact…)` like a closure.
 * - `host-files?paths=[…]` (contextual: the host's files): where no package
 *   database exists, the files those tools need copied into a tree, by
 *   content (host-files.ts).
 *
 * Maintainer scripts are never run: a tree is the packages' files only.
 */
import { leaf, type Namespace, usage } from '../../namespace/index.js';
import { checkNameId, closureParams, exactParams, hostFilesParams, hostParams, latestParams, sourceParams } from './names.js';

export const debNamespace: Namespace = {
  id: 'deb',
  spelling: 'builtin:deb@1',
  // Loaded by gc only: every other command starts without it.
  async collectGarbage(store, action, swept) {
    const { gcDebCache } = await import('./cache-gc.js');
    return gcDebCache(store, { action, swept });
  },
  describe(req) {
    switch (checkNameId(req)) {
      case 'exact':
        exactParams(req);
        return leaf('dir', false);
      case 'latest':
        latestParams(req);
        return leaf('dir', true);
      case 'closure':
        closureParams(req);
        return leaf('dir', true);
      case 'root':
        if (req.params.length) throw usage(req, 'takes no parameters');
        return { inputs: 'any', outputs: { out: { type: 'dir' } }, defaultOutput: 'out', contextual: false };
      case 'source':
        return leaf('dir', sourceParams(req).sha256 === undefined);
      case 'host':
        hostParams(req);
        return leaf('dir', true);
      case 'host-files':
        hostFilesParams(req);
        return leaf('dir', true);
    }
  },
  async realize(req, inputs, ctx) {
    return (await import('./realize.js')).realizeDeb(req, inputs, ctx);
  },
};
