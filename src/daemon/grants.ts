/** Which namespaces a daemon client may use: checked on the name before anything is realized. */
import { NomiaError } from '../errors.js';
import { flatten } from '../graph/flatten.js';
import { parseName } from '../name/parse.js';

/** The namespace ids a name uses; a named namespace `(x):y` counts as `nomia` (it is realized through it). */
export function namespacesOf(text: string): Set<string> {
  const ids = new Set<string>();
  for (const n of flatten(parseName(text), text).nodes) {
    if (n.kind !== 'atomic') continue;
    ids.add(n.namespace.kind === 'builtin' ? n.namespace.id : n.namespace.kind === 'named' ? 'nomia' : '(default)');
  }
  return ids;
}

/** Throw `daemon/denied` unless every namespace of `text` is granted (`'all'` grants everything). */
export function checkGrant(text: string, granted: readonly string[] | 'all'): void {
  if (granted === 'all') {
    namespacesOf(text); // still a syntax check
    return;
  }
  const refused = [...namespacesOf(text)].filter((id) => !granted.includes(id));
  if (refused.length) {
    throw new NomiaError('daemon/denied', `this client may not realize names in ${refused.map((i) => `\`${i}\``).join(', ')} (granted: ${granted.join(', ') || 'nothing'})`);
  }
}
