/**
 * The host's installed packages, read from dpkg's database
 * (`/var/lib/dpkg/status`), and the closure of some of them at their
 * installed versions: what `deb:host` makes exact (host.ts).
 *
 * The status file is a list of stanzas (`Field: value`, continuation lines
 * start with a space, stanzas are separated by blank lines). A package
 * counts when its `Status` ends in `installed`; half-installed or
 * config-files-only ones are not on the disk as a whole.
 */

/**
 * dpkg's status file: in `DPKG_ADMINDIR` (dpkg's own variable for where its
 * database is) when set, else `/var/lib/dpkg`. Absent: this host has no
 * package database (`nomia ninja` then falls back to `deb:host-files`).
 */
export function dpkgStatusPath(env: Readonly<Record<string, string | undefined>>): string {
  return `${(env['DPKG_ADMINDIR'] || '/var/lib/dpkg').replace(/\/+$/, '')}/status`;
}

/** One installed package, as dpkg lists it. */
export interface Installed {
  readonly package: string;
  /** `amd64`, …, or `all`. */
  readonly arch: string;
  /** With its epoch, as the archive's index writes it. */
  readonly version: string;
  /** Depends and Pre-Depends, each an alternative list (`a | b`) of package names with an optional arch qualifier. */
  readonly depends: readonly (readonly Atom[])[];
  /** Virtual packages it provides. */
  readonly provides: readonly string[];
  readonly essential: boolean;
  /** `foreign` packages satisfy a dependency of any architecture. */
  readonly multiArch: string;
}

/** One alternative of a dependency: `name[:arch]`; the version constraint is dpkg's to have checked. */
export interface Atom {
  readonly name: string;
  readonly arch?: string;
}

function fields(stanza: string): Map<string, string> {
  const out = new Map<string, string>();
  let key = '';
  for (const line of stanza.split('\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && key) {
      out.set(key, `${out.get(key)}\n${line}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    key = line.slice(0, colon);
    out.set(key, line.slice(colon + 1).trim());
  }
  return out;
}

/** `a (>= 1) | b:any, c` → `[[a, b:any], [c]]`. */
export function parseDepends(text: string | undefined): Atom[][] {
  if (!text) return [];
  return text.split(',').map((group) => group.split('|').map((alt): Atom => {
    const word = alt.trim().split(/[\s(]/)[0]!;
    const colon = word.indexOf(':');
    return colon < 0 ? { name: word } : { name: word.slice(0, colon), arch: word.slice(colon + 1) };
  }).filter((a) => a.name !== '')).filter((g) => g.length > 0);
}

/** The installed packages of a dpkg status file's text. */
export function readStatus(text: string): Installed[] {
  const out: Installed[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const f = fields(stanza);
    const name = f.get('Package');
    if (!name || !/ installed$/.test(f.get('Status') ?? '')) continue;
    out.push({
      package: name,
      arch: f.get('Architecture') ?? 'all',
      version: f.get('Version') ?? '',
      depends: [...parseDepends(f.get('Pre-Depends')), ...parseDepends(f.get('Depends'))],
      provides: (f.get('Provides') ?? '').split(',').map((p) => p.trim().split(/[\s(:]/)[0]!).filter(Boolean),
      essential: f.get('Essential') === 'yes',
      multiArch: f.get('Multi-Arch') ?? 'no',
    });
  }
  return out;
}

/** `name:arch`, how dpkg tells co-installed architectures apart. */
export const keyOf = (p: Pick<Installed, 'package' | 'arch'>): string => `${p.package}:${p.arch}`;

/** The installed packages by name and by what they provide. */
export class InstalledSet {
  private readonly byName = new Map<string, Installed[]>();
  private readonly byProvides = new Map<string, Installed[]>();

  constructor(readonly all: readonly Installed[]) {
    const add = (m: Map<string, Installed[]>, k: string, p: Installed) => m.set(k, [...(m.get(k) ?? []), p]);
    for (const p of all) {
      add(this.byName, p.package, p);
      for (const v of p.provides) add(this.byProvides, v, p);
    }
  }

  /** The installed package `name` (`name:arch` picks the architecture; else `native`'s first, then any). */
  find(name: string, native: string): Installed | undefined {
    const colon = name.indexOf(':');
    const [n, arch] = colon < 0 ? [name, undefined] : [name.slice(0, colon), name.slice(colon + 1)];
    const found = this.byName.get(n) ?? [];
    return arch !== undefined ? found.find((p) => p.arch === arch) : found.find((p) => p.arch === native || p.arch === 'all') ?? found[0];
  }

  /**
   * What satisfies `atom` for a package of architecture `from`: the
   * package itself if installed, else one that provides it. Multi-Arch as
   * dpkg reads it: no qualifier means the same architecture (or `all`, or a
   * `foreign` package), `:any` any architecture.
   */
  satisfier(atom: Atom, from: string): Installed | undefined {
    const fits = (p: Installed) => atom.arch === 'any' || (atom.arch !== undefined ? p.arch === atom.arch
      : p.arch === from || p.arch === 'all' || from === 'all' || p.multiArch === 'foreign');
    return (this.byName.get(atom.name) ?? []).find(fits) ?? (this.byProvides.get(atom.name) ?? []).find(fits);
  }
}

/** A closure at installed versions: the packages, and which of them it was asked for. */
export interface HostClosure {
  readonly packages: readonly Installed[];
  /** Keys (`name:arch`) of the packages asked for (the roots), as opposed to what they need. */
  readonly roots: ReadonlySet<string>;
  /** Dependencies nothing installed satisfies (a broken install), as dpkg wrote them. */
  readonly unsatisfied: readonly string[];
}

/**
 * Everything `roots` need at their installed versions (Depends and
 * Pre-Depends, the first satisfied alternative), plus, when `essential`,
 * the installed Essential set and what it needs.
 */
export function hostClosure(set: InstalledSet, roots: readonly Installed[], essential: boolean): HostClosure {
  const seen = new Map<string, Installed>();
  const unsatisfied: string[] = [];
  const walk = (start: readonly Installed[]) => {
    const stack = [...start];
    while (stack.length) {
      const p = stack.pop()!;
      if (seen.has(keyOf(p))) continue;
      seen.set(keyOf(p), p);
      for (const group of p.depends) {
        const hit = group.map((a) => set.satisfier(a, p.arch)).find((x) => x !== undefined);
        if (hit) stack.push(hit);
        else unsatisfied.push(`${p.package}: ${group.map((a) => a.name).join(' | ')}`);
      }
    }
  };
  walk(roots);
  if (essential) walk(set.all.filter((p) => p.essential));
  return { packages: [...seen.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b))), roots: new Set(roots.map(keyOf)), unsatisfied };
}
