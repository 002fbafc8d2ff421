/** The names of the deb namespace: their parameters, checked, and the exact names the contextual ones reduce to. */
import { type AtomRequest, onlyParams, printValue, requireParam, stringParam, unknownName, usage } from '../../namespace/index.js';
import type { DebRef } from './apt.js';

export const NAMES = [
  'exact?package=…&version=…&arch=…&sha256=…',
  'latest?package=…[&arch=…]',
  'closure?packages=[…][&arch=…][&essential=false]',
  'root(deb:exact?…, …)',
  'source?package=…[&version=…[&sha256=…]]',
  'host?paths=[/usr/bin/gcc, …][&packages=[…]][&uses=[/usr/include/libpng16, …]][&essential=false][&strict=true]',
  'host-files?paths=[/usr/bin/gcc, …]',
];

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^(\d+:)?[A-Za-z0-9][A-Za-z0-9.+~-]*$/;
const ARCH = /^[a-z0-9][a-z0-9-]*$/;
const SHA256 = /^[0-9a-f]{64}$/;

function checked(req: AtomRequest, key: string, value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw usage(req, `has ${key}=${JSON.stringify(value)}, which is not ${what}`);
  return value;
}

function packageName(req: AtomRequest, value: string): string {
  return checked(req, 'package', value, PACKAGE, 'a Debian package name (lowercase letters, digits, + - .)');
}

function archParam(req: AtomRequest): string | undefined {
  const arch = stringParam(req, 'arch');
  return arch === undefined ? undefined : checked(req, 'arch', arch, ARCH, 'a Debian architecture (amd64, arm64, all, …)');
}

/** deb:exact's parameters. */
export function exactParams(req: AtomRequest): DebRef & { readonly uri: '' } {
  onlyParams(req, ['package', 'version', 'arch', 'sha256']);
  const example = 'deb:exact?package=hello&version=2.10-3&arch=amd64&sha256=<hex>';
  return {
    package: packageName(req, requireParam(req, 'package', example)),
    version: checked(req, 'version', requireParam(req, 'version', example), VERSION, 'a Debian version'),
    arch: checked(req, 'arch', requireParam(req, 'arch', example), ARCH, 'a Debian architecture'),
    sha256: checked(req, 'sha256', requireParam(req, 'sha256', example), SHA256, 'a SHA-256 in lowercase hex (64 digits)'),
    uri: '', size: 0,
  };
}

/** deb:latest's parameters: the package, and its architecture if given (apt's own default otherwise). */
export function latestParams(req: AtomRequest): { readonly package: string; readonly arch?: string } {
  onlyParams(req, ['package', 'arch']);
  const pkg = packageName(req, requireParam(req, 'package', 'deb:latest?package=hello'));
  const arch = archParam(req);
  return arch === undefined ? { package: pkg } : { package: pkg, arch };
}

export interface ClosureParams {
  readonly packages: readonly string[];
  readonly arch?: string;
  /** With Debian's Essential set (what every Debian system has and no package declares a dependency on). */
  readonly essential: boolean;
}

/** deb:closure's parameters: the packages asked for, sorted and without repeats, the architecture, whether Essential counts. */
export function closureParams(req: AtomRequest): ClosureParams {
  onlyParams(req, ['packages', 'arch', 'essential']);
  const p = req.params.find((x) => x.key === 'packages');
  const example = 'e.g. deb:closure?packages=[gcc, make, libc6-dev]';
  if (!p) throw usage(req, 'needs the parameter `packages`', example);
  const items = p.value.kind === 'List' ? p.value.items : [p.value];
  const packages = items.map((v) => {
    if (v.kind !== 'String') throw usage(req, 'takes package names in `packages`', example);
    return packageName(req, v.value);
  });
  if (packages.length === 0) throw usage(req, 'needs at least one package in `packages`', example);
  const arch = archParam(req);
  const sorted = [...new Set(packages)].sort();
  return { packages: sorted, essential: flagParam(req, 'essential', true), ...(arch === undefined ? {} : { arch }) };
}

export interface HostParams {
  /** Absolute paths of host tools; their owning packages count. */
  readonly paths: readonly string[];
  /** Installed packages by name (`name` or `name:arch`). */
  readonly packages: readonly string[];
  /**
   * Absolute paths a build reads from the toolchain (its `-I` and `-L` directories, its libraries): their
   * owning packages count too, and a path that is absent or that no package owns adds none (the build
   * then says which directory it lacks), unlike a path of `paths`.
   */
  readonly uses: readonly string[];
  readonly essential: boolean;
  /** Every package of the closure at its installed version (else only those asked for; what they need may be the index's newer version). */
  readonly strict: boolean;
}

function listParam(req: AtomRequest, key: string, example: string): string[] {
  const p = req.params.find((x) => x.key === key);
  if (!p) return [];
  const items = p.value.kind === 'List' ? p.value.items : [p.value];
  return items.map((v) => {
    if (v.kind !== 'String') throw usage(req, `takes strings in \`${key}\``, example);
    return v.value;
  });
}

function flagParam(req: AtomRequest, key: string, byDefault: boolean): boolean {
  const value = stringParam(req, key) ?? String(byDefault);
  if (value !== 'true' && value !== 'false') throw usage(req, `takes ${key}=true or ${key}=false, not ${JSON.stringify(value)}`);
  return value === 'true';
}

/** deb:host's parameters: absolute paths and package names, each sorted without repeats (one set, one spelling). */
export function hostParams(req: AtomRequest): HostParams {
  onlyParams(req, ['paths', 'packages', 'uses', 'essential', 'strict']);
  const example = 'e.g. deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]';
  const absolute = (key: string) => listParam(req, key, example).map((p) => {
    if (!p.startsWith('/') || p.split('/').includes('..')) throw usage(req, `takes absolute paths in \`${key}\`, not ${JSON.stringify(p)}`, example);
    return p;
  });
  const paths = absolute('paths');
  const uses = absolute('uses');
  const packages = listParam(req, 'packages', example).map((n) => {
    const [name = '', arch] = n.split(':');
    packageName(req, name);
    if (arch !== undefined) checked(req, 'packages', arch, ARCH, 'a Debian architecture');
    return n;
  });
  if (paths.length + packages.length === 0) throw usage(req, 'needs `paths` or `packages`', example);
  return { paths: [...new Set(paths)].sort(), packages: [...new Set(packages)].sort(), uses: [...new Set(uses)].sort(), essential: flagParam(req, 'essential', true), strict: flagParam(req, 'strict', false) };
}

/** deb:host-files' parameters: absolute paths of the host's tools, sorted without repeats. */
export function hostFilesParams(req: AtomRequest): string[] {
  onlyParams(req, ['paths']);
  const example = 'e.g. deb:host-files?paths=[/usr/bin/gcc, /usr/bin/ar]';
  const paths = listParam(req, 'paths', example);
  if (paths.length === 0) throw usage(req, 'needs `paths`, the tools to copy', example);
  for (const p of paths) if (!p.startsWith('/') || p.split('/').includes('..')) throw usage(req, `takes absolute paths in \`paths\`, not ${JSON.stringify(p)}`, example);
  return [...new Set(paths)].sort();
}

/** `deb:exact?…` for a package file the index lists. */
export function exactName(id: string, ref: DebRef): string {
  const v = (s: string) => printValue({ kind: 'String', value: s });
  return `${id}:exact?package=${v(ref.package)}&version=${v(ref.version)}&arch=${v(ref.arch)}&sha256=${ref.sha256}`;
}

/** The exact name of a closure: the root merged from its packages' exact names, sorted (so one closure has one spelling). */
export function rootName(id: string, refs: readonly DebRef[]): string {
  const exact = [...new Set(refs.map((r) => exactName(id, r)))].sort();
  return `${id}:root(${exact.join(', ')})`;
}

/** The object name of a package's tree: `hello-2.10-3`. */
export function treeName(ref: DebRef): string {
  return objectName(ref.package, ref.version);
}

export interface SourceParams {
  readonly package: string;
  readonly version?: string;
  /** Of the `.dsc`: with it, the name is exact (not contextual). */
  readonly sha256?: string;
}

/** deb:source's parameters; `sha256` needs `version`. */
export function sourceParams(req: AtomRequest): SourceParams {
  onlyParams(req, ['package', 'version', 'sha256']);
  const pkg = packageName(req, requireParam(req, 'package', 'deb:source?package=hello'));
  const version = stringParam(req, 'version');
  const sha256 = stringParam(req, 'sha256');
  if (sha256 !== undefined && version === undefined) throw usage(req, 'takes sha256= (of the .dsc) only with version=');
  return {
    package: pkg,
    ...(version === undefined ? {} : { version: checked(req, 'version', version, VERSION, 'a Debian version') }),
    ...(sha256 === undefined ? {} : { sha256: checked(req, 'sha256', sha256, SHA256, 'a SHA-256 in lowercase hex (64 digits)') }),
  };
}

/** The exact name of a source package: its source name, full version and the `.dsc`'s SHA-256. */
export function sourceName(id: string, source: string, version: string, sha256: string): string {
  const v = (s: string) => printValue({ kind: 'String', value: s });
  return `${id}:source?package=${v(source)}&version=${v(version)}&sha256=${sha256}`;
}

/** An object name from a package (or source) name and version: the epoch left out, `~` and others written `_`. */
export function objectName(name: string, version: string): string {
  return `${name}-${version.replace(/^\d+:/, '').replace(/[^A-Za-z0-9+._-]/g, '_')}`;
}

export function checkNameId(req: AtomRequest): 'exact' | 'latest' | 'closure' | 'root' | 'source' | 'host' | 'host-files' {
  const id = req.nameId;
  if (id === 'exact' || id === 'latest' || id === 'closure' || id === 'root' || id === 'source' || id === 'host' || id === 'host-files') return id;
  throw unknownName(req, NAMES);
}
