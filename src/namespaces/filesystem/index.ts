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
import { createWriteStream } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AtomRequest, Namespace, RealizeContext, Resource } from '../../namespace/types.js';
import { addPath } from '../../store/add.js';
import { tryParseContentHash } from '../../store/hash.js';
import { withWorkDir } from '../../store/commit.js';
import { importPath } from '../../store/import-path.js';
import { defaultObjectName, checkObjectName } from '../../store/store-path.js';
import { realPath, requireObject } from '../../store/store.js';
import type { ObjectRow } from '../../store/database.js';
import { fsType, leaf, onlyParams, requireParam, stringParam, unknownName, usage } from '../util.js';
import { byContentName } from './names.js';

const NAMES = ['by-content?sha256=…[&name=…]', 'import?path=…[&name=…]', 'stdin[?name=…]'];

function objectResource(ctx: RealizeContext, o: ObjectRow): Resource {
  const path = realPath(ctx.store, o);
  return { kind: 'object', type: fsType(path), name: byContentName(o), path };
}

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
  async realize(req: AtomRequest, _inputs, ctx) {
    switch (req.nameId) {
      case 'by-content': {
        const text = requireParam(req, 'sha256', 'filesystem:by-content?sha256=<hex>');
        const hash = tryParseContentHash(text);
        if (!hash) throw usage(req, `has an invalid sha256 ${JSON.stringify(text)}`, 'give 64 hex digits, Nix base32 or sha256-<base64>');
        return { out: objectResource(ctx, requireObject(ctx.store, hash, stringParam(req, 'name'))) };
      }
      case 'import': {
        const path = resolve(ctx.context.cwd, requireParam(req, 'path', 'filesystem:import?path="./src"'));
        const name = stringParam(req, 'name') !== undefined ? checkObjectName(stringParam(req, 'name')!) : defaultObjectName(basename(path)) ?? 'source';
        // The stat cache answers an unchanged path without reading it (store/import-path.ts).
        const { object, added } = await importPath(ctx.store, path, {
          name, onProgress: (p) => ctx.events.emit({ kind: 'progress', done: p.bytes, unit: 'bytes' }),
        });
        ctx.log(added ? `added ${path}` : `unchanged: ${path} is already in the store`);
        return { out: objectResource(ctx, object) };
      }
      case 'stdin': {
        const name = checkObjectName(stringParam(req, 'name') ?? 'stdin');
        // Standard input goes to a file in a work directory (streamed, not held in memory), then is added like any file.
        const object = await withWorkDir(ctx.store, async (work) => {
          const file = join(work, 'stdin');
          await pipeline(Readable.from(ctx.context.stdin()), createWriteStream(file));
          return (await addPath(ctx.store, file, { name })).object;
        });
        return { out: objectResource(ctx, object) };
      }
      default: throw unknownName(req, NAMES);
    }
  },
};
