/** The wiring graph: flattening, spelling, rendering. */
export * from './types.js';
export { flatten } from './flatten.js';
export { spell, parseSpelling, sourceSpelling, toSpelling, SPELLING_PREFIX, type Spelling, type Spellings, type SpellOptions } from './spell.js';
export { renderText, renderDot, nodeLabel, sourceLabel, knotsOf, STATE_STYLE, type NodeMark, type NodeState } from './render.js';
export { graphSvg, dotToSvg, svgPage, BIG_GRAPH } from './svg.js';
export { layeredSvg } from './layered-svg.js';
export { stronglyConnected } from './scc.js';
