/**
 * The `fetch` namespace: `url?url=…&sha256=…[&unpack=true][&name=…]`, a
 * fixed-output download. The hash is checked before anything is stored; a
 * mismatch stores nothing.
 *
 * As with Nix, what `sha256` covers depends on `unpack`:
 * - without it (Nix's fetchurl), the SHA-256 of the file's bytes, what
 *   `sha256sum`, `nix-prefetch-url URL` and `nomia hash file` print;
 * - with `unpack=true` (Nix's fetchzip), the NAR hash of the unpacked tree,
 *   after a lone top-level directory is made the root; what
 *   `nix-prefetch-url --unpack URL` and `nomia hash file --unpack` print.
 *
 * Either way the result is a store object whose refined name is its
 * `filesystem:by-content?name=…&sha256=<NAR hash>`, and the name is not
 * contextual (the hash pins the content), so the next realize is a lookup
 * with no network. `NOMIA_FETCH_TIMEOUT` (seconds without progress, default
 * 300) bounds a stalled download.
 */
import { join } from 'node:path';
import {
  addPath, type AtomRequest, byContentName, checkObjectName, type ContentHash, findObject, hashPath, isValidObjectName, type Namespace,
  NomiaError, type ObjectRow, onlyParams, type RealizeContext, realPath, requireParam, type Resource, stringParam, unknownName, usage,
  withWorkDir,
} from '../../namespace/index.js';
import { archiveBaseName, singleRoot, unpackArchive } from '../unpack/archive.js';
import { describeStats } from '../unpack/safe-tree.js';
import { formatLike, parseSha256 } from './hash-text.js';

const NAMES = ['url?url=…&sha256=…[&unpack=true][&name=…]'];
/** Nix's stalled-download-timeout. */
const DEFAULT_TIMEOUT_S = 300;

interface FetchSpec {
  readonly url: URL;
  /** As written, for messages. */
  readonly written: string;
  readonly sha256: string;
  readonly unpack: boolean;
  readonly name: string;
}

function spec(req: AtomRequest): FetchSpec {
  if (req.nameId !== 'url') throw unknownName(req, NAMES);
  onlyParams(req, ['url', 'sha256', 'unpack', 'name']);
  const text = requireParam(req, 'url', 'fetch:url?url=https://example.org/x.tar.gz&sha256=…');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(req, `has url=${text}, which is not a URL`, 'give an absolute http:// or https:// URL; quote it if it has & or spaces');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(req, `has url=${text}: only http and https URLs are fetched`);
  const written = requireParam(req, 'sha256', 'fetch:url?url=…&sha256=<hex, Nix base32 or "sha256-…">');
  const sha256 = parseSha256(written);
  if (sha256 === undefined) {
    throw usage(req, `has an invalid sha256 ${JSON.stringify(written)}`, 'give 64 hex digits, 52 Nix base32 characters or "sha256-<base64>" (quoted); `nomia hash file FILE` computes it');
  }
  const unpackText = stringParam(req, 'unpack') ?? 'false';
  if (unpackText !== 'true' && unpackText !== 'false') throw usage(req, `has unpack=${unpackText}`, 'write unpack=true or unpack=false');
  const unpack = unpackText === 'true';
  const given = stringParam(req, 'name');
  return { url, written, sha256, unpack, name: given !== undefined ? checkObjectName(given) : defaultName(url, unpack) };
}

/** The URL's last path segment, as Nix names a fetchurl; without its archive extension when unpacked. */
function defaultName(url: URL, unpack: boolean): string {
  let last = url.pathname.split('/').filter((s) => s !== '').pop() ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // Keep it encoded; the validity check below decides.
  }
  const candidate = unpack ? archiveBaseName(last) : last;
  return isValidObjectName(candidate) ? candidate : unpack ? 'source' : 'download';
}

function stallMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env['NOMIA_FETCH_TIMEOUT'];
  if (text === undefined || text === '') return DEFAULT_TIMEOUT_S * 1000;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) {
    throw new NomiaError('usage', `NOMIA_FETCH_TIMEOUT=${text} is not a positive number of seconds`, { hint: `e.g. NOMIA_FETCH_TIMEOUT=60; unset, it is ${DEFAULT_TIMEOUT_S}` });
  }
  return Math.round(Number(text) * 1000);
}

function mismatch(s: FetchSpec, actual: string): NomiaError {
  const what = s.unpack ? 'the NAR hash of the unpacked tree' : 'the SHA-256 of the downloaded file';
  return new NomiaError('fetch/hash-mismatch', `fetch of ${s.url.href}: hash mismatch (${what}):\n  expected sha256=${s.written}\n  got      sha256=${formatLike(s.written, actual)}\nnothing was stored`, {
    hint: `if you trust what the server sends now, write sha256=${formatLike(s.written, actual)}`,
  });
}

function resource(ctx: RealizeContext, o: ObjectRow, type: string): Resource {
  return { kind: 'object', type, name: byContentName(o), path: realPath(ctx.store, o) };
}

export const fetchNamespace: Namespace = {
  id: 'fetch',
  spelling: 'builtin:fetch@1',
  describe(req) {
    const s = spec(req);
    return { inputs: {}, outputs: { out: { type: s.unpack ? 'dir' : 'file' } }, defaultOutput: 'out', contextual: false };
  },
  async realize(req, _inputs, ctx) {
    const s = spec(req);
    const type = s.unpack ? 'dir' : 'file';
    if (s.unpack) {
      // The expected hash is the object's own: if some other name produced it, no download is needed.
      const known = findObject(ctx.store, s.sha256 as ContentHash, s.name);
      if (known) {
        ctx.log(`already in the store: ${known.path}`);
        return { out: resource(ctx, known, type) };
      }
    }
    const timeout = stallMs(ctx.context.env);
    return withWorkDir(ctx.store, async (work) => {
      const file = join(work, 'download');
      ctx.log(`downloading ${s.url.href}`);
      // http, https and tls load on first use, not with every CLI start.
      const { download } = await import('./download.js');
      const got = await download(s.url.href, file, {
        stallMs: timeout, env: ctx.context.env, signal: ctx.signal, log: (l) => ctx.log(l),
        onProgress: (done, total) => ctx.events.emit({ kind: 'progress', done, ...(total === undefined ? {} : { total }), unit: 'bytes' }),
      });
      ctx.log(`received ${got.size} bytes`);
      if (!s.unpack) {
        if (got.sha256 !== s.sha256) throw mismatch(s, got.sha256);
        const { object } = await addPath(ctx.store, file, { name: s.name });
        return { out: resource(ctx, object, type) };
      }
      const out = join(work, 'unpacked');
      const stats = await unpackArchive(file, out, { format: 'auto', label: `fetch of ${s.url.href}`, signal: ctx.signal });
      ctx.log(`unpacked ${describeStats(stats)}`);
      const root = singleRoot(out);
      const { hash } = await hashPath(root);
      if (hash !== s.sha256) throw mismatch(s, hash);
      const { object } = await addPath(ctx.store, root, { name: s.name });
      return { out: resource(ctx, object, type) };
    });
  },
};
