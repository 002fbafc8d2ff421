/**
 * The `unpack` namespace: `tar(src)` and `zip(src)` unpack an archive file
 * into a directory of the store, refusing any entry that would land outside
 * it (see safe-tree.ts). `tar` reads plain, gzip, bzip2, xz and zstd tars
 * (recognized by their first bytes, not their names); `strip=N` drops N
 * leading name components as GNU tar's --strip-components does; `name=`
 * names the result (default: the archive's name without its extension).
 * The result reduces to its by-content name.
 */
import { basename, join } from 'node:path';
import {
  addPath, type AtomRequest, byContentName, checkObjectName, isValidObjectName, type Namespace, onlyParams, parseObjectPath, realPath,
  type Resource, stringParam, unknownName, usage, withWorkDir,
} from '../../namespace/index.js';
import { archiveBaseName, unpackArchive } from './archive.js';
import { describeStats } from './safe-tree.js';

const NAMES = ['tar(archive)[?strip=N&name=…]', 'zip(archive)[?strip=N&name=…]'];

/** `strip=N`: a small non-negative integer. */
function stripParam(req: AtomRequest): number {
  const text = stringParam(req, 'strip');
  if (text === undefined) return 0;
  if (!/^\d{1,3}$/.test(text)) throw usage(req, `has strip=${text}`, 'give the number of leading path components to drop, e.g. strip=1');
  return Number(text);
}

/** The name of the archive a path holds: the object's name for a store object, else the file's own name. */
function archiveName(path: string): string {
  const base = basename(path);
  return parseObjectPath(base)?.name ?? base;
}

export const unpackNamespace: Namespace = {
  id: 'unpack',
  spelling: 'builtin:unpack@1',
  describe(req) {
    if (req.nameId !== 'tar' && req.nameId !== 'zip') throw unknownName(req, NAMES);
    onlyParams(req, ['strip', 'name']);
    stripParam(req);
    const name = stringParam(req, 'name');
    if (name !== undefined) checkObjectName(name);
    return { inputs: { '0': { type: 'file' } }, outputs: { out: { type: 'dir' } }, defaultOutput: 'out', contextual: false };
  },
  async realize(req, inputs, ctx) {
    if (req.nameId !== 'tar' && req.nameId !== 'zip') throw unknownName(req, NAMES);
    const src = inputs['0'];
    if (!src || src.kind !== 'object') throw usage(req, 'takes one archive file', `e.g. unpack:${req.nameId}(filesystem:import?path=./x.${req.nameId === 'tar' ? 'tar.gz' : 'zip'})`);
    const archive = archiveName(src.path);
    const fallback = archiveBaseName(archive);
    const name = stringParam(req, 'name') ?? (isValidObjectName(fallback) ? fallback : 'source');
    const label = `unpack:${req.nameId} of ${archive}`;
    return withWorkDir(ctx.store, async (work) => {
      const out = join(work, 'out');
      const stats = await unpackArchive(src.path, out, { format: req.nameId as 'tar' | 'zip', strip: stripParam(req), label, signal: ctx.signal });
      ctx.log(`unpacked ${describeStats(stats)}`);
      const { object } = await addPath(ctx.store, out, { name });
      const path = realPath(ctx.store, object);
      return { out: { kind: 'object', type: 'dir', name: byContentName(object), path } as Resource };
    });
  },
};
