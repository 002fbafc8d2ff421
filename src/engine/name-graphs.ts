/**
 * The flattened graphs of name texts the engine reads again and again in one
 * process: a node's refined name is parsed when its result is looked up
 * (`materialize`) and again when it feeds the nodes downstream (`respell`).
 * A text always flattens to the same graph, so each is parsed once.
 */
import { flatten } from '../graph/flatten.js';
import type { Graph } from '../graph/types.js';
import { parseName } from '../name/parse.js';

const graphs = new Map<string, Graph>();

/** Bounded: a daemon realizes many names; starting over costs parses, never answers. */
const MAX = 100_000;

/** The flattened graph of `text`. Throws what `parseName` and `flatten` throw (and does not remember it). */
export function graphOfName(text: string): Graph {
  let g = graphs.get(text);
  if (!g) {
    if (graphs.size >= MAX) graphs.clear();
    g = flatten(parseName(text), text);
    graphs.set(text, g);
  }
  return g;
}
