/** Which namespaces a daemon client may use: checked on the name before anything is realized. */
import { NomiaError } from '../errors.js';
import { flatten } from '../graph/flatten.js';
import { parseName } from '../name/parse.js';

/**
 * What a name asks for: the namespace ids it uses (a named namespace `(x):y`
 * counts as `nomia`, through which it is realized) and the grants the builds
 * in it ask for (`package:build-in-sandbox?recursive=[…]`).
 */
export function demandsOf(text: string): { namespaces: Set<string>; grants: Set<string> } {
  const namespaces = new Set<string>();
  const grants = new Set<string>();
  for (const n of flatten(parseName(text), text).nodes) {
    if (n.kind !== 'atomic') continue;
    namespaces.add(n.namespace.kind === 'builtin' ? n.namespace.id : n.namespace.kind === 'named' ? 'nomia' : '(default)');
    for (const p of n.params) {
      if (p.key !== 'recursive') continue;
      if (p.value.kind === 'List') for (const v of p.value.items) grants.add(v.kind === 'String' ? v.value : '(not a plain id)');
      else grants.add('(not a list)');
    }
  }
  return { namespaces, grants };
}

/**
 * Throw `daemon/denied` unless every namespace of `text` is granted (`'all'`
 * grants everything), and every build in it asks for no more than that: a
 * grant cannot be widened by asking for a build that is granted more.
 */
export function checkGrant(text: string, granted: readonly string[] | 'all'): void {
  // Everything granted: nothing to check (the realize reports a syntax error itself), and a large name
  // answered by a warm daemon is not parsed at all.
  if (granted === 'all') return;
  const { namespaces, grants } = demandsOf(text);
  const list = (ids: readonly string[]) => ids.map((i) => `\`${i}\``).join(', ');
  const wider = [...grants].filter((id) => !granted.includes(id));
  if (wider.length) {
    throw new NomiaError('daemon/denied', `this client may not ask for a build granted ${list(wider)} (granted: ${granted.join(', ') || 'nothing'})`);
  }
  const refused = [...namespaces].filter((id) => !granted.includes(id));
  if (refused.length) {
    throw new NomiaError('daemon/denied', `this client may not realize names in ${list(refused)} (granted: ${granted.join(', ') || 'nothing'})`);
  }
}
