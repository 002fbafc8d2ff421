/**
 * The `gcc` namespace: `cc` with the default toolchain (docs/namespaces/cc.md).
 * `gcc:compile?args=[…](FILE)` is `cc:compile?args=[…](src: FILE,
 * toolchain: <default>)` with the file as its positional input, as the seed
 * spells it: `gcc:compile(filesystem:by-content?sha256=…)`. Contextual: the
 * default toolchain is the host's (toolchain.ts: its packages, or without a
 * package database its files), so the name is realized each time, as a
 * reduction to the `cc` name, which is a lookup once built; its log says
 * which toolchain it took and why.
 */
import { type AtomRequest, makesObject, type Namespace, namespaceOfNames, NomiaError, printValue, type RealizeContext, type Resource, usage } from '../../namespace/index.js';
import { defaultToolchain } from './toolchain.js';

/** `gcc:compile(FILE)`: the `cc:compile` of FILE with the default toolchain, realized through it. */
async function compile(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Record<string, Resource>> {
  const ports = Object.keys(inputs);
  const src = inputs['0'];
  if (!src || ports.some((p) => p !== '0' && p !== 'include' && !/^include\d+$/.test(p))) {
    throw usage(req, 'takes the source file as its one positional input (and include trees: `include:` or `include0:`, …)', 'e.g. gcc:compile?args=[-O2](filesystem:import?path=./a.c)');
  }
  const params = req.params.map((p) => {
    if (p.key !== 'args' || p.value.kind !== 'List') throw usage(req, 'takes only `args=[…]`');
    return `args=[${p.value.items.map((v) => (v.kind === 'String' ? printValue(v) : '')).join(', ')}]`;
  });
  const includes = ports.filter((p) => p !== '0').sort().map((p) => `${p}: (${inputs[p]!.name})`);
  const toolchain = defaultToolchain(ctx.context);
  ctx.log(`toolchain ${toolchain.name}: ${toolchain.why}`);
  const name = `cc:compile${params.length ? `?${params.join('&')}` : ''}(src: (${src.name}), ${[...includes, `toolchain: ${toolchain.name}`].join(', ')})`;
  ctx.emitReduction(name);
  if (!ctx.resolve) throw new NomiaError('namespace/contract', 'gcc:compile needs a realize context that can resolve names');
  const [object] = await ctx.resolve(name, { signal: ctx.signal });
  if (!object) throw new NomiaError('namespace/contract', `${name} gave no output`);
  return { out: object };
}

export const gccNamespace: Namespace = namespaceOfNames('gcc', 1, {
  compile: { form: 'compile?args=[…](FILE)', signature: makesObject({ contextual: true }), realize: compile },
});
