/**
 * why-depends over the store database (store/queries/why-depends.ts): the search from both ends
 * checked against a plain breadth-first search on random reference graphs, self-references and cycles
 * included.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { contentHashFromDigest } from '../../../src/store/hash.js';
import { allPathsGraph, whyDepends } from '../../../src/store/queries/why-depends.js';
import { objectPath } from '../../../src/store/store-path.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { tempDir } from '../../support/cli.js';

const dir = tempDir('why-depends');
const stores: Store[] = [];
after(() => stores.forEach((s) => s.close()));

/** A fresh store holding `edges[i]` as the references of object i; the objects' paths. */
function storeOf(edges: readonly (readonly number[])[]): { store: Store; paths: string[] } {
  const store = openStore({ dir: join(dir, `s${stores.length}`), fsync: false });
  stores.push(store);
  const paths = edges.map((_, i) => objectPath(contentHashFromDigest(createHash('sha256').update(String(i)).digest()), `o${i}`));
  store.db.immediate(() => edges.forEach((refs, i) => {
    store.db.insertObject({ path: paths[i]!, hash: contentHashFromDigest(createHash('sha256').update(String(i)).digest()), name: `o${i}`, narSize: 1, addedAt: 0 }, refs.map((r) => paths[r]!));
  }));
  return { store, paths };
}

/** Distances from `from` by plain breadth-first search over `edges`. */
function distances(edges: readonly (readonly number[])[], from: number): Map<number, number> {
  const dist = new Map([[from, 0]]);
  let frontier = [from];
  while (frontier.length) {
    const next: number[] = [];
    for (const p of frontier) for (const r of edges[p]!) if (!dist.has(r)) { dist.set(r, dist.get(p)! + 1); next.push(r); }
    frontier = next;
  }
  return dist;
}

const graphs = fc.integer({ min: 1, max: 14 }).chain((n) => fc.array(fc.uniqueArray(fc.nat(n - 1), { maxLength: 4 }), { minLength: n, maxLength: n }));

describe('whyDepends', () => {
  test('finds a shortest chain exactly when the closure holds the target', () => {
    fc.assert(fc.property(graphs, fc.nat(), fc.nat(), (edges, a, b) => {
      const from = a % edges.length;
      const to = b % edges.length;
      const { store, paths } = storeOf(edges);
      const { path } = whyDepends(store, [paths[from]!], paths[to]!);
      const dist = distances(edges, from);
      if (!dist.has(to)) return assert.equal(path, undefined);
      assert.ok(path, 'a chain is found');
      assert.equal(path.length - 1, dist.get(to), 'of the shortest length');
      assert.equal(path[0], paths[from]);
      assert.equal(path.at(-1), paths[to]);
      for (let i = 0; i + 1 < path.length; i++) assert.ok(store.db.references(path[i]!).includes(path[i + 1]!), 'each step is a reference');
    }), { numRuns: 60 });
  });

  test('every object of the all-paths graph lies on a chain from the start to the target', () => {
    fc.assert(fc.property(graphs, fc.nat(), fc.nat(), (edges, a, b) => {
      const from = a % edges.length;
      const to = b % edges.length;
      const { store, paths } = storeOf(edges);
      const graph = allPathsGraph(store, [paths[from]!], paths[to]!);
      const reachable = distances(edges, from);
      const expected = paths.filter((_, i) => reachable.has(i) && distances(edges, i).has(to)).sort();
      assert.deepEqual([...graph.keys()], reachable.has(to) ? expected : []);
    }), { numRuns: 40 });
  });
});
