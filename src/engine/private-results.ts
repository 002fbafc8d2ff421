/**
 * Results made from private objects stay private (docs/namespaces/
 * private-filesystem.md, "Results made from private objects"). A node is
 * private when one of its inputs lies in a user's private store (a
 * `private-filesystem` object, or the result of another private node):
 * taint propagates through paths, so everything downstream is private too.
 * A private node is realized into the owner's private store: the namespace
 * gets that store as `ctx.store` (its outputs are committed there), the
 * node's reductions and log are recorded in that store's database, never in
 * the shared one, and its outputs are named as private objects
 * (`private-filesystem?user=U:by-content?…`). Nothing of it is in the shared
 * store, so nothing of it can be pushed or exported from there.
 *
 * The private store is opened as the private-filesystem namespace opens it
 * (checked, through a descriptor). Only its owner or root gets this far: the
 * private input was realized, with its permission check, first.
 */
import { NomiaError } from '../errors.js';
import type { Resource } from '../namespace/types.js';
import { printSegment, printValue } from '../name/print.js';
import { openPrivateStore, type PrivateStore } from '../store/private-store.js';
import { lookupUser, type UnixUser } from '../store/users.js';
import type { Store } from '../store/store.js';
import { join, relative, sep } from 'node:path';

/** The private store a node is realized into, and how its results are named. */
export interface PrivateScope {
  readonly owner: UnixUser;
  /** The owner's private store: where the node's outputs, reductions and log go. */
  readonly store: Store;
  /** The resource as a private object (its name, and its path as users see it), for an object of this private store; others unchanged. */
  name(r: Resource): Resource;
}

/** The uid whose private store holds `path` (`<home>/private/<uid>/store/…`), or undefined. */
function privateUid(sharedHome: string, path: string): number | undefined {
  const rel = relative(join(sharedHome, 'private'), path);
  const [uid, store, entry] = rel.split(sep);
  return /^\d+$/.test(uid ?? '') && store === 'store' && entry ? Number(uid) : undefined;
}

/** The private scopes of one realize, opened once per owner and closed when the realize ends. */
export class PrivateScopes {
  private readonly open = new Map<number, { scope: PrivateScope; priv: PrivateStore }>();

  constructor(private readonly store: Store) {}

  /**
   * The scope of a node with these inputs: undefined when none is private.
   * Inputs from the private stores of two users cannot meet in one node.
   */
  of(label: string, inputs: Readonly<Record<string, Resource>>): PrivateScope | undefined {
    const home = this.store.layout.home;
    let uid: number | undefined;
    let prefix: string | undefined;
    for (const r of Object.values(inputs)) {
      const u = r.kind === 'object' ? privateUid(home, r.path) : undefined;
      if (u === undefined) continue;
      if (uid !== undefined && u !== uid) {
        throw new NomiaError('private/permission', `\`${label}\` takes private objects of two users (uids ${uid} and ${u}); its result could be private to neither`, {
          hint: 'give a node the private objects of one user only',
        });
      }
      uid = u;
      // The private namespace as the input was named (its configured id and user), for the results' names.
      const at = r.name.indexOf(':by-content?');
      prefix ??= at > 0 ? r.name.slice(0, at) : undefined;
    }
    return uid === undefined ? undefined : this.scope(uid, prefix);
  }

  private scope(uid: number, prefix: string | undefined): PrivateScope {
    const known = this.open.get(uid);
    if (known) return known.scope;
    const owner = lookupUser(String(uid));
    if (!owner) throw new NomiaError('private/permission', `the private store of uid ${uid} belongs to no user on this machine`, { hint: 'restore the user, or remove the private store' });
    const priv = openPrivateStore(this.store.layout.home, owner, { create: false, fsync: this.store.fsync });
    if (!priv) throw new NomiaError('store/not-found', `the private store of ${owner.name} is gone`, { hint: 'realize the private inputs again' });
    const ns = prefix ?? `private-filesystem?user=${printValue({ kind: 'String', value: owner.name })}`;
    const storeDir = join(priv.home, 'store');
    const scope: PrivateScope = {
      owner, store: priv.store,
      name: (r) => {
        if (r.kind !== 'object') return r;
        // The store is reached through a descriptor (/proc/self/fd/…); paths handed out are the ones users know.
        const rel = [storeDir, priv.store.layout.storeDir].map((d) => relative(d, r.path)).find((x) => x && !x.startsWith('..'));
        if (rel === undefined) return r;
        const [entry, ...inside] = rel.split(sep);
        const o = priv.store.db.object(entry!);
        if (!o) return r;
        const name = `${ns}:by-content?name=${printValue({ kind: 'String', value: o.name })}&sha256=${o.hash}`;
        return { ...r, name: name + inside.map((s) => `/${printSegment(s)}`).join(''), path: join(storeDir, rel) };
      },
    };
    this.open.set(uid, { scope, priv });
    return scope;
  }

  close(): void {
    for (const { priv } of this.open.values()) priv.close();
    this.open.clear();
  }
}
