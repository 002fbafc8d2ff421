/** Printing the parts of the names a translation writes (translate.ts). */
import { printSegment, printValue } from '../../namespace/index.js';

/** A string as a name's value, quoted where it must be. */
export const str = (s: string) => printValue({ kind: 'String', value: s });

/** A list of strings as a name's value. */
export const list = (items: readonly string[]) => `[${items.map(str).join(', ')}]`;

/** An absolute path as the segments of a projection (`$tc` + this names the toolchain's file there). */
export const segments = (path: string) => path.split('/').map((c) => (c ? printSegment(c) : '')).join('/');
