/** The wiring graph: flattening, spelling, rendering. */
export * from './types.js';
export { flatten } from './flatten.js';
export { spell, parseSpelling, sourceSpelling, toSpelling, SPELLING_PREFIX, type Spelling, type Spellings, type SpellOptions } from './spell.js';
export { renderText, renderDot, nodeLabel, sourceLabel } from './render.js';
export { stronglyConnected } from './scc.js';
