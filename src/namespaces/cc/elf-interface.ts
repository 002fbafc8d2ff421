/**
 * The interface of a shared library: everything of a `.so` that GNU ld's
 * output for a program or library linked against it depends on
 * (docs/namespaces/cc.md, "Linking against a library's interface"), as a
 * text that is equal for two libraries exactly when a dependent links to
 * the same bytes against either. Chromium's `.TOC` files and Bazel's
 * interface shared objects rest on the same observation: a dependent sees
 * a library through its dynamic symbol table, not its code.
 *
 * What ld reads of a shared library, and so what the text holds: the ELF
 * header's identification, machine and flags; the dynamic section's
 * SONAME, NEEDED, RPATH, RUNPATH, FLAGS and FLAGS_1 (ld follows NEEDED
 * through the run paths to check the library's own undefined symbols);
 * the version definitions and needs; every dynamic symbol in table order
 * with its name, version (hidden or not), type, binding, visibility,
 * whether defined, undefined, absolute or common, its size, the value of
 * an absolute one, and for a defined data object (which a program may copy
 * with a copy relocation) the alignment ld derives from its offset in its
 * section and that section's alignment, and whether the section is
 * writable (ld copies a read-only one into `.data.rel.ro`); the GNU
 * property note; and the `.gnu.warning` sections (link-time warnings).
 *
 * Parsed here rather than by readelf in the sandbox: a sandbox run costs
 * more than the link it would save, and the fields are few and fixed.
 * Only ELF64 little-endian is read; anything else (a linker script named
 * `libc.so`, a 32-bit or big-endian library, one without section headers)
 * has no interface, and a link against it simply runs.
 */

const SHT_DYNSYM = 11;
const SHT_DYNAMIC = 6;
const SHT_NOTE = 7;
const SHT_VERSYM = 0x6fffffff;
const SHT_VERDEF = 0x6ffffffd;
const SHT_VERNEED = 0x6ffffffe;
const SHF_WRITE = 1;
const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;
const SHN_COMMON = 0xfff2;
const STT_OBJECT = 1;
const STT_TLS = 6;
const ET_DYN = 3;
/** Dynamic tags the text keeps: NEEDED, SONAME, RPATH, RUNPATH (strings); FLAGS, FLAGS_1 (numbers). */
const DT_STRINGS = new Map([[1, 'needed'], [14, 'soname'], [15, 'rpath'], [29, 'runpath']]);
const DT_NUMBERS = new Map([[30, 'flags'], [0x6ffffffb, 'flags_1']]);

interface Section {
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly align: bigint;
  readonly entsize: number;
}

/** The NUL-terminated string at `at` of the string table `strtab`. */
function cstring(b: Buffer, strtab: { readonly offset: number; readonly size: number }, at: number): string {
  const start = strtab.offset + at;
  const end = b.indexOf(0, start);
  if (at >= strtab.size || end < 0 || end > strtab.offset + strtab.size) throw new RangeError('string out of its table');
  return b.toString('latin1', start, end);
}

function sections(b: Buffer): Section[] {
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const shstrndx = b.readUInt16LE(0x3e);
  if (shoff === 0 || shnum === 0 || shentsize < 64) throw new RangeError('no section headers');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameAt: b.readUInt32LE(at), type: b.readUInt32LE(at + 4), flags: b.readBigUInt64LE(at + 8), addr: b.readBigUInt64LE(at + 16),
      offset: Number(b.readBigUInt64LE(at + 24)), size: Number(b.readBigUInt64LE(at + 32)), link: b.readUInt32LE(at + 40),
      info: b.readUInt32LE(at + 44), align: b.readBigUInt64LE(at + 48), entsize: Number(b.readBigUInt64LE(at + 56)),
    };
  });
  for (const s of raw) if (s.type !== 8 && s.offset + s.size > b.length) throw new RangeError('section out of the file');
  const names = raw[shstrndx];
  return raw.map((s) => ({ ...s, name: names ? cstring(b, names, s.nameAt) : '' }));
}

/** Version index → `name` of the definitions, and `file:name` of the needs, with the lines that describe them. */
function versions(b: Buffer, secs: readonly Section[], lines: string[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const s of secs.filter((x) => x.type === SHT_VERDEF)) {
    const str = secs[s.link]!;
    let at = s.offset;
    for (let n = 0; n < s.info; n++) {
      const flags = b.readUInt16LE(at + 2);
      const ndx = b.readUInt16LE(at + 4);
      const cnt = b.readUInt16LE(at + 6);
      const aux: string[] = [];
      let a = at + b.readUInt32LE(at + 12);
      for (let k = 0; k < cnt; k++) {
        aux.push(cstring(b, str, b.readUInt32LE(a)));
        a += b.readUInt32LE(a + 4);
      }
      names.set(ndx, aux[0] ?? '');
      lines.push(`verdef ${ndx} ${flags} ${aux.join(' ')}`);
      const next = b.readUInt32LE(at + 16);
      if (next === 0) break;
      at += next;
    }
  }
  for (const s of secs.filter((x) => x.type === SHT_VERNEED)) {
    const str = secs[s.link]!;
    let at = s.offset;
    for (let n = 0; n < s.info; n++) {
      const file = cstring(b, str, b.readUInt32LE(at + 4));
      let a = at + b.readUInt32LE(at + 8);
      for (let k = 0; k < b.readUInt16LE(at + 2); k++) {
        const name = `${file}:${cstring(b, str, b.readUInt32LE(a + 8))}`;
        names.set(b.readUInt16LE(a + 6), name);
        lines.push(`verneed ${name} ${b.readUInt16LE(a + 4)}`);
        const next = b.readUInt32LE(a + 12);
        if (next === 0) break;
        a += next;
      }
      const next = b.readUInt32LE(at + 12);
      if (next === 0) break;
      at += next;
    }
  }
  return names;
}

function dynamicTags(b: Buffer, secs: readonly Section[], lines: string[]): void {
  for (const s of secs.filter((x) => x.type === SHT_DYNAMIC)) {
    const str = secs[s.link]!;
    for (let at = s.offset; at + 16 <= s.offset + s.size; at += 16) {
      const tag = Number(b.readBigInt64LE(at));
      if (tag === 0) break;
      const val = b.readBigUInt64LE(at + 8);
      const text = DT_STRINGS.get(tag);
      if (text) lines.push(`${text} ${cstring(b, str, Number(val))}`);
      const num = DT_NUMBERS.get(tag);
      if (num) lines.push(`${num} ${val}`);
    }
  }
}

/** log2 of the alignment ld gives a copy of a data symbol at `offset` in a section aligned to `align`. */
function copyAlignment(offset: bigint, align: bigint): number {
  let power = 0;
  const limit = align > 1n ? align : 1n;
  while ((1n << BigInt(power + 1)) <= limit && (offset & ((1n << BigInt(power + 1)) - 1n)) === 0n) power++;
  return power;
}

function symbols(b: Buffer, secs: readonly Section[], vers: ReadonlyMap<number, string>, lines: string[]): void {
  const dynsym = secs.find((x) => x.type === SHT_DYNSYM);
  if (!dynsym) throw new RangeError('no dynamic symbol table');
  const str = secs[dynsym.link]!;
  const versym = secs.find((x) => x.type === SHT_VERSYM);
  const count = dynsym.size / 24;
  for (let i = 1; i < count; i++) {
    const at = dynsym.offset + i * 24;
    const info = b[at + 4]!;
    const other = b[at + 5]!;
    const shndx = b.readUInt16LE(at + 6);
    const value = b.readBigUInt64LE(at + 8);
    const size = b.readBigUInt64LE(at + 16);
    const v = versym ? b.readUInt16LE(versym.offset + i * 2) : 1;
    const version = `${(v & 0x7fff) <= 1 ? `@${v & 0x7fff}` : `@${vers.get(v & 0x7fff) ?? `?${v & 0x7fff}`}`}${v & 0x8000 ? ' hidden' : ''}`;
    const type = info & 0xf;
    const where = shndx === SHN_UNDEF ? 'undef' : shndx === SHN_ABS ? `abs ${value}` : shndx === SHN_COMMON ? `common ${value}` : 'def';
    let copy = '';
    if (where === 'def' && (type === STT_OBJECT || type === STT_TLS)) {
      const sec = secs[shndx];
      if (!sec) throw new RangeError('symbol in no section');
      copy = ` align ${copyAlignment(value - sec.addr, sec.align)} ${sec.flags & BigInt(SHF_WRITE) ? 'rw' : 'ro'}`;
    }
    lines.push(`sym ${cstring(b, str, b.readUInt32LE(at))} ${version} type ${type} bind ${info >> 4} vis ${other & 3} ${where} size ${size}${copy}`);
  }
}

/**
 * The interface text of the shared library `bytes`, or undefined when it is
 * not one this reads (not ELF64 little-endian, not a shared object, no
 * section headers, a table out of bounds).
 */
export function sharedInterface(bytes: Buffer): string | undefined {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) return undefined;
  if (bytes.readUInt16LE(16) !== ET_DYN) return undefined;
  try {
    const secs = sections(bytes);
    const lines = [
      'nomia cc interface 1',
      `elf ${bytes.toString('hex', 0, 16)} machine ${bytes.readUInt16LE(18)} flags ${bytes.readUInt32LE(0x30)}`,
    ];
    dynamicTags(bytes, secs, lines);
    if (!lines.some((l) => l.startsWith('soname ') || l.startsWith('needed ')) && !secs.some((s) => s.type === SHT_DYNAMIC)) return undefined;
    symbols(bytes, secs, versions(bytes, secs, lines), lines);
    for (const s of secs) {
      if ((s.type === SHT_NOTE && s.name === '.note.gnu.property') || s.name.startsWith('.gnu.warning')) {
        lines.push(`section ${s.name} ${bytes.toString('hex', s.offset, s.offset + s.size)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}
