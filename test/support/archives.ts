/**
 * Crafting archives for tests, including the malicious entries no honest
 * tool writes (`../x`, absolute names, links out, devices): python3's
 * tarfile and zipfile write whatever they are given.
 */
import { spawnSync } from 'node:child_process';

export type CraftedType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'chr' | 'fifo';

export interface CraftedEntry {
  readonly name: string;
  readonly type?: CraftedType;
  /** File contents (UTF-8). */
  readonly data?: string;
  /** Target of a symlink or hard link. */
  readonly link?: string;
  /** Permission bits; default 0644 for files, 0755 for directories. */
  readonly mode?: number;
}

const SCRIPT = String.raw`
import io, json, sys, tarfile, zipfile
spec = json.load(sys.stdin)
entries = spec['entries']
if spec['kind'] == 'tar':
    fmt = {'gnu': tarfile.GNU_FORMAT, 'pax': tarfile.PAX_FORMAT, 'ustar': tarfile.USTAR_FORMAT}[spec['format']]
    with tarfile.open(spec['path'], 'w:' + spec['compression'], format=fmt) as t:
        for e in entries:
            ti = tarfile.TarInfo(e['name'])
            ti.mtime = 0
            typ = e.get('type', 'file')
            ti.mode = e.get('mode', 0o755 if typ == 'dir' else 0o644)
            data = None
            if typ == 'file':
                data = e.get('data', '').encode()
                ti.size = len(data)
            elif typ == 'dir':
                ti.type = tarfile.DIRTYPE
            elif typ == 'symlink':
                ti.type = tarfile.SYMTYPE
                ti.linkname = e['link']
            elif typ == 'hardlink':
                ti.type = tarfile.LNKTYPE
                ti.linkname = e['link']
            elif typ == 'chr':
                ti.type = tarfile.CHRTYPE
                ti.devmajor, ti.devminor = 1, 3
            elif typ == 'fifo':
                ti.type = tarfile.FIFOTYPE
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
else:
    with zipfile.ZipFile(spec['path'], 'w', zipfile.ZIP_DEFLATED) as z:
        for e in entries:
            typ = e.get('type', 'file')
            zi = zipfile.ZipInfo(e['name'], (1980, 1, 1, 0, 0, 0))
            zi.create_system = 3
            zi.compress_type = zipfile.ZIP_DEFLATED
            if typ == 'file':
                zi.external_attr = (0o100000 | e.get('mode', 0o644)) << 16
                z.writestr(zi, e.get('data', ''))
            elif typ == 'dir':
                zi.external_attr = ((0o040000 | e.get('mode', 0o755)) << 16) | 0x10
                z.writestr(zi, '')
            elif typ == 'symlink':
                zi.external_attr = 0o120777 << 16
                z.writestr(zi, e['link'])
            elif typ == 'fifo':
                zi.external_attr = (0o010644) << 16
                z.writestr(zi, '')
            else:
                raise SystemExit('zip cannot hold ' + typ)
`;

function python(spec: unknown): void {
  const r = spawnSync('python3', ['-c', SCRIPT], { input: JSON.stringify(spec) });
  if (r.status !== 0) throw new Error(`python3 failed to craft an archive: ${r.stderr.toString()}`);
}

/** Write a tar (`compression` '' for plain, or 'gz', 'bz2', 'xz') holding exactly `entries`, in order. */
export function craftTar(path: string, entries: readonly CraftedEntry[], options: { compression?: '' | 'gz' | 'bz2' | 'xz'; format?: 'gnu' | 'pax' | 'ustar' } = {}): string {
  python({ kind: 'tar', path, entries, compression: options.compression ?? '', format: options.format ?? 'gnu' });
  return path;
}

/** Write a zip holding exactly `entries`, made "on Unix" so modes and symlinks count. */
export function craftZip(path: string, entries: readonly CraftedEntry[]): string {
  python({ kind: 'zip', path, entries });
  return path;
}
