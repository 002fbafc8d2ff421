/** The name of a store object, `filesystem:by-content?name=N&sha256=<hex>`: what add prints and what builds reduce to. */
import { printValue } from '../../name/print.js';
import type { ObjectRow } from '../../store/database.js';

export function byContentName(o: Pick<ObjectRow, 'hash' | 'name'>): string {
  return `filesystem:by-content?name=${printValue({ kind: 'String', value: o.name })}&sha256=${o.hash}`;
}
