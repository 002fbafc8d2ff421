/**
 * The `filesystem` namespace: content-addressed files and trees.
 *
 * - `by-content?sha256=…[&name=…]`: an object of the store (hex, Nix base32
 *   or SRI); projections (`…/bin/bash`) select a path inside it.
 * - `import?path=…` (contextual): a file or tree from outside the store; it
 *   reduces to by-content. A second import of an unchanged path is answered
 *   by the store's stat cache: an lstat per entry and a lookup, no read.
 * - `stdin` (contextual): standard input, read into the store, reduced to
 *   by-content.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  addStream, type AtomRequest, byContentName, byContentOf, checkObjectName, defaultObjectName, findObject, fsType, leaf,
  importPath, type Namespace, objectResource, onlyParams, printSegment, realPath, requireObject, requireParam, stringParam, unknownName,
} from '../../namespace/index.js';

const NAMES = ['by-content?sha256=…[&name=…]', 'import?path=…[&name=…]', 'stdin[?name=…]'];

export const filesystemNamespace: Namespace = {
  id: 'filesystem',
  spelling: 'builtin:filesystem@1',
  describe(req) {
    switch (req.nameId) {
      case 'by-content': onlyParams(req, ['sha256', 'name']); return leaf('fs-object', false);
      case 'import': onlyParams(req, ['path', 'name']); return leaf('fs-object', true);
      case 'stdin': onlyParams(req, ['name']); return leaf('file', true);
      default: throw unknownName(req, NAMES);
    }
  },
  terminal(req, projection, store) {
    if (req.nameId !== 'by-content') return undefined;
    let ref;
    try {
      ref = byContentOf(req.params);
    } catch {
      return 'absent';
    }
    const object = findObject(store, ref.hash, ref.name);
    if (!object) return 'absent';
    const path = [realPath(store, object), ...projection].join('/');
    if (!existsSync(path)) return 'absent';
    return { kind: 'object', type: fsType(path), name: byContentName(object) + projection.map((s) => `/${printSegment(s)}`).join(''), path };
  },
  async realize(req: AtomRequest, _inputs, ctx) {
    // No name of this namespace runs a command: its job slot goes to the next one at once, so a build's
    // compiles start while the rest of its sources are still imported.
    ctx.commandsDone?.();
    switch (req.nameId) {
      case 'by-content': {
        const { hash, name } = byContentOf(req.params);
        return { out: objectResource(ctx.store, requireObject(ctx.store, hash, name)) };
      }
      case 'import': {
        const path = resolve(ctx.context.cwd, requireParam(req, 'path', 'filesystem:import?path=./src'));
        const name = stringParam(req, 'name') !== undefined ? checkObjectName(stringParam(req, 'name')!) : defaultObjectName(basename(path)) ?? 'source';
        // The stat cache answers an unchanged path without reading it (store/import-path.ts).
        const { object, added, state } = await importPath(ctx.store, path, {
          name, onProgress: (p) => ctx.events.emit({ kind: 'progress', done: p.bytes, unit: 'bytes' }),
        });
        // The path's state before it was read is all of this node's context (the engine's memo checks it).
        if (state) ctx.dependsOn?.(state);
        ctx.log(added ? `added ${path}` : `unchanged: ${path} is already in the store`);
        return { out: objectResource(ctx.store, object) };
      }
      case 'stdin': {
        const name = checkObjectName(stringParam(req, 'name') ?? 'stdin');
        // Streamed into the store through a work directory, not held in memory.
        const object = await addStream(ctx.store, ctx.context.stdin(), name);
        return { out: objectResource(ctx.store, object) };
      }
      default: throw unknownName(req, NAMES);
    }
  },
};
