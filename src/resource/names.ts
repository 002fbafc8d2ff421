/**
 * The names of resources that stand for themselves: a store object by its
 * content (`filesystem:by-content?name=N&sha256=<hex>`) and a plain value
 * (`context:value?v=…`). Every namespace that adds to the store or gives a
 * value names its result with these; the engine only ever sees the text.
 */
import { lstatSync } from 'node:fs';
import { printValue } from '../name/print.js';
import type { ObjectRow } from '../store/database.js';
import type { Resource } from './types.js';

/** The name of a store object, `filesystem:by-content?name=N&sha256=<hex>`: what add prints and what builds reduce to. */
export function byContentName(o: Pick<ObjectRow, 'hash' | 'name'>): string {
  return `filesystem:by-content?name=${printValue({ kind: 'String', value: o.name })}&sha256=${o.hash}`;
}

/** The name of a value resource: `context:value?v=…`. */
export function valueName(value: string): string {
  return `context:value?v=${printValue({ kind: 'String', value })}`;
}

export function valueResource(value: string): Resource {
  return { kind: 'value', type: 'value', value, name: valueName(value) };
}

/** The resource type of a path in the store. */
export function fsType(path: string): string {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  return st.mode & 0o100 ? 'exe' : 'file';
}
