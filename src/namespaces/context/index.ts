/**
 * The `context` namespace: names for the caller's context. `env?var=…`,
 * `cwd` and `time?granularity=day|hour|second` are contextual: they reduce
 * at once to `value?v=…`, a plain value that is not, so everything
 * downstream is spelled from the value actually seen (STYLE rule 9).
 */
import {
  type AtomRequest, leaf, type Namespace, onlyParams, type RealizeContext, requireParam, type Resource, stringParam, unknownName, usage,
  valueResource,
} from '../../namespace/index.js';

const NAMES = ['env?var=…', 'cwd', 'time?granularity=day|hour|second', 'value?v=…'];

function timeValue(req: AtomRequest, now: number): string {
  const g = stringParam(req, 'granularity') ?? 'second';
  const iso = new Date(now).toISOString();
  if (g === 'day') return iso.slice(0, 10);
  if (g === 'hour') return `${iso.slice(0, 13)}:00Z`;
  if (g === 'second') return `${iso.slice(0, 19)}Z`;
  throw usage(req, `does not know the granularity \`${g}\``, 'use day, hour or second');
}

export const contextNamespace: Namespace = {
  id: 'context',
  spelling: 'builtin:context@1',
  describe(req) {
    switch (req.nameId) {
      case 'env': onlyParams(req, ['var']); return leaf('value', true);
      case 'cwd': onlyParams(req, []); return leaf('value', true);
      case 'time': onlyParams(req, ['granularity']); return leaf('value', true);
      case 'value': onlyParams(req, ['v']); return leaf('value', false);
      default: throw unknownName(req, NAMES);
    }
  },
  terminal(req, projection) {
    const v = req.nameId === 'value' && !projection.length ? req.params.find((p) => p.key === 'v')?.value : undefined;
    return v?.kind === 'String' ? valueResource(v.value) : undefined;
  },
  async realize(req, _inputs, ctx: RealizeContext): Promise<Record<string, Resource>> {
    const c = ctx.context;
    switch (req.nameId) {
      case 'env': {
        const name = requireParam(req, 'var', 'context:env?var=HOME');
        const v = c.env[name];
        if (v === undefined) throw usage(req, `cannot read ${name}: the environment variable is not set`, `set it, e.g. ${name}=… nomia realize …`);
        return { out: valueResource(v) };
      }
      case 'cwd': return { out: valueResource(c.cwd) };
      case 'time': return { out: valueResource(timeValue(req, c.now)) };
      case 'value': return { out: valueResource(requireParam(req, 'v', 'context:value?v=hello')) };
      default: throw unknownName(req, NAMES);
    }
  },
};
