/**
 * Archive and link edges (recognise.ts, recognise-link.ts) as `cc:archive`
 * and `cc:link` names, each file by the name `nameOf` gives it.
 */
import { posix } from 'node:path';
import type { Edge } from './manifest.js';
import { list, str } from './print.js';
import type { Recognised } from './recognise.js';

/** `cc:archive?name=OUT&members=[…](objects…, toolchain: $tc)`; `ref` names a member's files. */
export function archiveName(e: Edge, r: Extract<Recognised, { kind: 'archive' }>, ref: (p: string) => string[]): string {
  return `cc:archive?name=${str(posix.basename(e.outputs[0]!))}&members=${list(r.members.map((m) => posix.basename(m)))}(${[...r.members.flatMap(ref), 'toolchain: $tc'].join(', ')})`;
}

/** `cc:link?args=[…]&name=OUT[&driver=g++](files…, toolchain: $tc)`; `nameOf` names a file of the link. */
export function linkName(e: Edge, r: Extract<Recognised, { kind: 'link' }>, nameOf: (p: string) => string): string {
  const driver = r.driver === 'g++' ? '&driver=g++' : '';
  return `cc:link?args=${list(r.args)}${driver}&name=${str(posix.basename(e.outputs[0]!))}(${[...r.files.map(nameOf), 'toolchain: $tc'].join(', ')})`;
}
