/**
 * The memo of `nomia up` (docs/namespaces/service.md, "The second up"):
 * which service a name text started, so that a second `nomia up` of the
 * same text, while that service runs, is one question to the supervisor,
 * without the engine, the store's database or any namespace (the lean path
 * of cmd-up.ts).
 *
 * A text is memoized only when its meaning cannot change while the service
 * runs: every atom is `service:process` or `filesystem:by-content` (so every
 * input is an object named by its content, and the services that need
 * them), and neither namespace is configured away from the built-in. The
 * key covers the rest of what the service's identity depends on: the store
 * (paths), PATH (its environment), the working directory and the config
 * files (which could configure those ids), and nomia's version. A memo is
 * only ever a guess checked by the supervisor: it answers from it only when
 * the service it names runs and is ready; else `up` takes the full path.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFiles, loadExternalSpecs } from '../namespace/config.js';
import type { Name } from '../name/ast.js';
import { version } from './version.js';

/** The atoms whose names are exact by construction: (namespace id, name id). */
const EXACT = new Set(['service:process', 'filesystem:by-content']);
const FORMAT = 'nomia-up-memo-1';

/** Where the memo of `up` is kept: one file per key, holding the id of the service it started. */
export const memoDir = (home: string) => join(home, 'services', 'up-memo');

/** The memo key of `text` for a caller in `cwd` with `env`; undefined when the configuration cannot be read. */
export function upMemoKey(text: string, home: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let configured, files;
  try {
    configured = loadExternalSpecs(cwd, env).map((s) => s.id);
    files = configFiles(cwd, env).map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : null));
  } catch {
    return undefined;
  }
  // A configured `service` or `filesystem` is another namespace: nothing of this text is known then.
  if (configured.includes('service') || configured.includes('filesystem')) return undefined;
  const h = createHash('sha256');
  for (const part of [FORMAT, version(), home, cwd, env['PATH'] ?? '', JSON.stringify(files), text]) h.update(`${Buffer.byteLength(part)}:`).update(part);
  return h.digest('hex');
}

/** Whether every atom of `name` is exact by construction (see above): a nested, named or resolved (`@x`) part is not. */
export function exactServiceName(name: Name): boolean {
  const ok = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.every(ok);
    if (node === null || typeof node !== 'object') return true;
    const n = node as { kind?: string; namespace?: { kind: string; id: { id: { name: string }; params?: unknown } }; id?: { id: { name: string } } };
    if (n.kind === 'Resolved' || n.kind === 'NamedNamespace') return false;
    if (n.kind === 'AtomicName') {
      const ns = n.namespace;
      if (ns?.kind !== 'BuiltinNamespace' || ns.id.params !== undefined) return false;
      if (!EXACT.has(`${ns.id.id.name}:${n.id!.id.name}`)) return false;
    }
    return Object.entries(node).every(([k, v]) => k === 'span' || ok(v));
  };
  return ok(name);
}

/** The service id memoized under `key`, if any. */
export function readUpMemo(home: string, key: string): string | undefined {
  try {
    const id = readFileSync(join(memoDir(home), key), 'utf8');
    return /^[0-9a-f]{32}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Memoize `id` under `key` (a temporary file renamed into place: a reader sees a whole id or none). */
export function writeUpMemo(home: string, key: string, id: string): void {
  const dir = memoDir(home);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${key}.${process.pid}.tmp`);
  writeFileSync(tmp, id);
  renameSync(tmp, join(dir, key));
}
