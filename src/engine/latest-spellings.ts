/**
 * The spellings a name's nodes were last looked up by, found from what is
 * recorded, for the commands that answer about a name after the fact
 * (`nomia reductions`). A node whose spelling depends on the caller's
 * context (tainted: contextual, or fed by a contextual input) records
 * nothing under its graph spelling: realize looks it up, and records it,
 * under its spelling from its realized inputs (node.ts). Re-spelling it
 * from its inputs' recorded results gives that spelling as of the inputs'
 * latest run (a contextual node's latest result is recorded under its own
 * spelling), without running anything. `nameChain` shows a name's
 * reductions from there.
 */
import type { Spelling } from '../graph/spell.js';
import { portLabel } from '../graph/types.js';
import { parseName } from '../name/parse.js';
import type { Registry } from '../namespace/registry.js';
import type { Resource } from '../resource/types.js';
import type { Store } from '../store/store.js';
import { fromReductions, pick, type Outputs } from './outputs.js';
import { lookup, ownerOf, reductionChain, type ChainStep } from './reductions.js';
import { resolve, type ResolvedName } from './resolve.js';
import { respell } from './respell.js';

/**
 * Each node's spelling as last looked up (by id): its graph spelling unless it is tainted and has inputs,
 * then its spelling from the recorded results of its inputs. A node is missing when one of its inputs has
 * no result recorded here (or none this run's namespace of namespaces, `registry`, follows).
 */
export async function latestSpellings(store: Store, resolved: ResolvedName, registry: Registry): Promise<Map<number, Spelling>> {
  const spellings = new Map<number, Spelling>();
  const results = new Map<number, Outputs | undefined>();
  const visit = async (id: number): Promise<void> => {
    if (results.has(id)) return;
    results.set(id, undefined);
    const n = resolved.nodes[id]!;
    for (const e of n.inputs) await visit(e.from.node);
    let spelling: Spelling | undefined = n.spelling;
    if (n.tainted && n.inputs.length > 0) {
      const inputs: Record<string, Resource> = {};
      try {
        for (const e of n.inputs) {
          const outs = results.get(e.from.node);
          if (!outs) return;
          inputs[portLabel(e.port)] = pick(resolved.nodes[e.from.node]!, e.from, outs);
        }
        spelling = await respell(n, resolved.graph, inputs, registry, store);
      } catch {
        // An input's recorded result lacks the path a projection takes, or a refined name cannot be spelled.
        spelling = undefined;
      }
    }
    if (spelling === undefined) return;
    spellings.set(id, spelling);
    results.set(id, fromReductions(store, registry, n, spelling));
  };
  for (const r of resolved.graph.roots) await visit(r.node);
  return spellings;
}

/**
 * The spelling the name `text` was last looked up by when its one root is tainted (its graph spelling
 * records nothing), from its inputs as last realized; undefined for any other name.
 */
async function latestRootSpelling(store: Store, text: string, registry: Registry): Promise<Spelling | undefined> {
  let resolved;
  try {
    resolved = await resolve(parseName(text), registry, text);
  } catch {
    return undefined;
  }
  const [root, ...more] = resolved.graph.roots;
  if (!root || more.length > 0 || root.output !== undefined || root.projection?.length || !resolved.nodes[root.node]!.tainted) return undefined;
  return (await latestSpellings(store, resolved, registry)).get(root.node);
}

/**
 * The chain of reductions of the name `text` as `nomia reductions` shows it: `reductionChain`, or, for a
 * name whose one root depends on the caller's context (nothing is recorded under its graph spelling),
 * the chain from its spelling from its inputs as last realized, its first step marked `fromInputs`. That
 * is where a result taken from a binary cache for such a name is recorded, with its signer.
 */
export async function nameChain(store: Store, text: string, registry: Registry): Promise<ChainStep[]> {
  const chain = await reductionChain(store, text, registry);
  if (chain[0]?.row) return chain;
  const latest = await latestRootSpelling(store, text, registry);
  if (latest === undefined || latest === chain[0]?.spelling) return chain;
  const row = lookup(store, latest, ownerOf(text, registry), registry);
  const rest = row ? await reductionChain(store, row.to, registry) : [];
  return [{ name: text, spelling: latest, fromInputs: true, ...(row ? { row } : {}) }, ...rest];
}
