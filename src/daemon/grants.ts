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

/** The grants the builds in a name ask for (`package:build-in-sandbox?recursive=[…]`). */
function nestedGrants(text: string): Set<string> {
  const ids = new Set<string>();
  for (const n of flatten(parseName(text), text).nodes) {
    if (n.kind !== 'atomic') continue;
    for (const p of n.params) {
      if (p.key !== 'recursive') continue;
      if (p.value.kind === 'List') for (const v of p.value.items) ids.add(v.kind === 'String' ? v.value : '(not a plain id)');
      else ids.add('(not a list)');
    }
  }
  return ids;
}

/**
 * Throw `daemon/denied` unless every namespace of `text` is granted (`'all'`
 * grants everything), and every build in it asks for no more than that: a
 * grant cannot be widened by asking for a build that is granted more.
 */
export function checkGrant(text: string, granted: readonly string[] | 'all'): void {
  if (granted === 'all') {
    namespacesOf(text); // still a syntax check
    return;
  }
  const wider = [...nestedGrants(text)].filter((id) => !granted.includes(id));
  if (wider.length) {
    throw new NomiaError('daemon/denied', `this client may not ask for a build granted ${wider.map((i) => `\`${i}\``).join(', ')} (granted: ${granted.join(', ') || 'nothing'})`);
  }
  const refused = [...namespacesOf(text)].filter((id) => !granted.includes(id));
  if (refused.length) {
    throw new NomiaError('daemon/denied', `this client may not realize names in ${refused.map((i) => `\`${i}\``).join(', ')} (granted: ${granted.join(', ') || 'nothing'})`);
  }
}
