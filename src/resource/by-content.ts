/**
 * The one reader of by-content names, `filesystem:by-content?sha256=…[&name=…][/path]`:
 * the filesystem namespace reads its requests with it, the store commands
 * their arguments, and the engine (through the filesystem namespace) the
 * names it finds present in the store.
 */
import { NomiaError } from '../errors.js';
import { singleAtom } from '../graph/atom.js';
import { flatten } from '../graph/flatten.js';
import type { GraphParam } from '../graph/types.js';
import { parseName } from '../name/parse.js';
import { tryParseContentHash, type ContentHash } from '../store/hash.js';

/** The namespace and name id of by-content names. */
export const BY_CONTENT = { namespace: 'filesystem', nameId: 'by-content' } as const;

/** A store object named by content. */
export interface ByContent {
  readonly hash: ContentHash;
  /** The object's name; absent: any object with that hash. */
  readonly name?: string;
}

/** A by-content name with the path inside the object it selects. */
export interface ByContentRef extends ByContent {
  /** Path segments inside the object; empty for the object itself. */
  readonly projection: readonly string[];
}

function usage(what: string, hint: string, code: 'usage' | 'hash/invalid' = 'usage'): NomiaError {
  return new NomiaError(code, `${BY_CONTENT.namespace}:${BY_CONTENT.nameId} ${what}`, { hint });
}

/** The object a by-content name's parameters name. Throws `usage` for wrong parameters, `hash/invalid` for a hash that is none. */
export function byContentOf(params: readonly GraphParam[]): ByContent {
  let sha256: string | undefined;
  let name: string | undefined;
  for (const p of params) {
    if (p.key !== 'sha256' && p.key !== 'name') throw usage(`does not take the parameter \`${p.key}\``, 'its parameters: sha256, name');
    if (p.value.kind !== 'String') throw usage(`parameter \`${p.key}\` must be a plain value`, 'e.g. filesystem:by-content?sha256=<hex>');
    if (p.key === 'sha256') sha256 = p.value.value;
    else name = p.value.value;
  }
  if (sha256 === undefined) throw usage('needs the parameter `sha256`', 'e.g. filesystem:by-content?sha256=<hex>');
  const hash = tryParseContentHash(sha256);
  if (!hash) throw usage(`has an invalid sha256 ${JSON.stringify(sha256)}`, 'give 64 hex digits, Nix base32 or sha256-<base64>', 'hash/invalid');
  return { hash, ...(name === undefined ? {} : { name }) };
}

/**
 * Read `text` as a by-content name: undefined when it is another name; a
 * `usage` error when it is one with bad parameters; parse errors as thrown
 * by the name parser.
 */
export function parseByContentName(text: string): ByContentRef | undefined {
  const atom = singleAtom(flatten(parseName(text), text));
  if (!atom || atom.namespace.id !== BY_CONTENT.namespace || atom.namespace.params.length || atom.nameId !== BY_CONTENT.nameId) return undefined;
  return { ...byContentOf(atom.params), projection: atom.projection };
}
