/**
 * The `text` namespace: small pure computations on values.
 * `digest(inputs…)` is the SHA-256 (hex) of its parameters and inputs (values
 * as text, objects by their content name), in port order: a cheap node for
 * fingerprints, checks and benchmarks of the engine itself.
 */
import { createHash } from 'node:crypto';
import { type Namespace, unknownName, valueResource } from '../../namespace/index.js';

export const textNamespace: Namespace = {
  id: 'text',
  spelling: 'builtin:text@1',
  describe(req) {
    if (req.nameId !== 'digest') throw unknownName(req, ['digest(inputs…)']);
    return { inputs: 'any', outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false };
  },
  async realize(req, inputs) {
    if (req.nameId !== 'digest') throw unknownName(req, ['digest']);
    const h = createHash('sha256').update(JSON.stringify(req.params));
    for (const port of Object.keys(inputs).sort()) {
      const r = inputs[port]!;
      h.update(`\0${port}\0${r.kind === 'value' ? r.value : r.name}`);
    }
    return { out: valueResource(h.digest('hex')) };
  },
};
