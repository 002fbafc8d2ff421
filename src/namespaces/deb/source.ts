/**
 * Debian source packages: the `.dsc` and the tarballs it lists, each checked
 * against the `.dsc`'s `Checksums-Sha256` (the `.dsc` itself against the
 * name's `sha256`, or the signed index's), unpacked into one source tree as
 * `dpkg-source -x` lays it out: the upstream tarball's top directory is the
 * tree, extra upstream components (`orig-NAME.tar.*`) go to `NAME/`, and the
 * `debian/` directory comes from the Debian tarball.
 *
 * Formats `3.0 (quilt)` and `3.0 (native)` are read. The patches in
 * `debian/patches` are not applied (the tree is the upstream source as
 * released, plus `debian/`); format `1.0` with a `.diff.gz` is refused.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NomiaError } from '../../namespace/index.js';
import { unpackArchive } from '../unpack/archive.js';
import type { UriLine } from './apt.js';
import { sha256File } from './deb-file.js';

/** What a `.dsc` says about itself. */
export interface Dsc {
  readonly source: string;
  /** With its epoch. */
  readonly version: string;
  readonly format: string;
  /** File name → SHA-256 (hex), from `Checksums-Sha256`. */
  readonly files: ReadonlyMap<string, string>;
}

/** Parse a `.dsc` (deb822, possibly inside a PGP clear-signature). */
export function parseDsc(text: string, label: string): Dsc {
  const body = text.replace(/^-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash:[^\n]*\n)*\n/, '').replace(/\n-----BEGIN PGP SIGNATURE-----[\s\S]*$/, '\n');
  const fields = new Map<string, string>();
  let key = '';
  for (const line of body.split('\n')) {
    if (/^\s/.test(line) && key !== '') fields.set(key, `${fields.get(key)}\n${line.trim()}`);
    else {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((key = m[1]!.toLowerCase()), m[2]!);
    }
  }
  const need = (k: string) => {
    const v = fields.get(k);
    if (v === undefined) throw new NomiaError('deb/format', `${label}: the .dsc has no ${k} field`, { hint: 'the file is not a Debian source control file' });
    return v;
  };
  const files = new Map<string, string>();
  for (const line of need('checksums-sha256').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\d+\s+(\S+)$/.exec(line.trim());
    if (m) files.set(m[2]!, m[1]!);
  }
  return { source: need('source'), version: need('version'), format: need('format').trim(), files };
}

/**
 * Check every file the `.dsc` lists against its checksum, then unpack them
 * into `dest` (which must not exist yet). `downloaded` maps the index's
 * lines to the files downloaded for them.
 */
export async function unpackSource(dsc: Dsc, downloaded: ReadonlyMap<UriLine, string>, dest: string, work: string, label: string, signal?: AbortSignal): Promise<void> {
  const byName = new Map([...downloaded].map(([l, f]) => [l.file, f]));
  for (const [name, sha] of dsc.files) {
    const file = byName.get(name);
    if (file === undefined) throw new NomiaError('deb/format', `${label}: the .dsc lists ${name}, which the archive's index does not`, { hint: 'the index and the .dsc disagree; try again later' });
    const got = await sha256File(file);
    if (got !== sha) {
      throw new NomiaError('deb/hash-mismatch', `${label}: ${name} has SHA-256 ${got}, but the .dsc says ${sha}; nothing was stored`, { hint: 'the download was damaged or tampered with' });
    }
  }
  const names = [...dsc.files.keys()];
  const tarOf = (pattern: RegExp) => names.filter((n) => pattern.test(n));
  const unpack = (name: string, to: string, strip: number) => unpackArchive(byName.get(name)!, to, { format: 'tar', strip, label: `${label}: ${name}`, ...(signal ? { signal } : {}) });
  if (dsc.format === '3.0 (native)') {
    const [tar] = tarOf(/\.tar\.[a-z0-9]+$/);
    if (!tar) throw new NomiaError('deb/format', `${label}: a native source package without a tarball`);
    await unpack(tar, dest, 1);
    return;
  }
  if (dsc.format !== '3.0 (quilt)') {
    throw new NomiaError('deb/format', `${label}: the source format ${JSON.stringify(dsc.format)} is not unpacked by Nomia`, { hint: 'formats 3.0 (quilt) and 3.0 (native) are; apt-get source unpacks the others' });
  }
  const [orig] = tarOf(/\.orig\.tar\.[a-z0-9]+$/);
  const [debian] = tarOf(/\.debian\.tar\.[a-z0-9]+$/);
  if (!orig || !debian) throw new NomiaError('deb/format', `${label}: a 3.0 (quilt) source package needs an .orig and a .debian tarball`);
  await unpack(orig, dest, 1);
  for (const component of tarOf(/\.orig-[A-Za-z0-9-]+\.tar\.[a-z0-9]+$/)) {
    const sub = /\.orig-([A-Za-z0-9-]+)\.tar\./.exec(component)![1]!;
    rmSync(join(dest, sub), { recursive: true, force: true });
    await unpack(component, join(dest, sub), 1);
  }
  // The Debian tarball's debian/ replaces any the upstream one ships, as dpkg-source does.
  const side = join(work, 'debian-tarball');
  await unpack(debian, side, 0);
  rmSync(join(dest, 'debian'), { recursive: true, force: true });
  renameSync(join(side, 'debian'), join(dest, 'debian'));
}

/** The `.dsc` among a source package's files, read and parsed. */
export function readDsc(downloaded: ReadonlyMap<UriLine, string>, label: string): { readonly line: UriLine; readonly dsc: Dsc } {
  const entry = [...downloaded].find(([l]) => l.file.endsWith('.dsc'));
  if (!entry) throw new NomiaError('deb/format', `${label}: the archive lists no .dsc for it`);
  return { line: entry[0], dsc: parseDsc(readFileSync(entry[1], 'utf8'), label) };
}
