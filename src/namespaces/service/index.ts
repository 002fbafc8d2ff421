/**
 * The `service` namespace (DESIGN.md §4, §6, §8): long-running processes
 * as resources.
 *
 * - `process?args=[argv0, …]&ready=…&restart=…&ready-timeout=…(exe: …, inputs…)`
 *   runs `exe` with `args` (`args[0]` is its argv[0], as in package
 *   builds) under the store's supervisor, and gives a `service` resource
 *   once the readiness probe passes: its value is the endpoint. Inputs are
 *   bound like a build's (`$x` in args, and `x` in the environment); an
 *   input that is itself a service is a dependency: `$db` is its endpoint,
 *   it was started (and is ready) before, and it stays up while this one
 *   runs. `$socket` is a Unix socket path of the service's own
 *   (`ready=$socket` probes it; the path is the endpoint). With a `root:`
 *   input (a tree such as a `deb:closure`) it runs in bubblewrap with the
 *   tree as `/` (sandbox.ts).
 * - `running?id=…` is what a started service reduces to: the running
 *   service itself, while it runs.
 *
 * Within `nomia up` of an exact name the starts are gathered and made by one
 * question to the supervisor after the realize (gather.ts).
 *
 * Both are contextual: whether a process runs is a fact of the moment, so
 * they are realized every time, and the supervisor makes two realizes of
 * one name share one service.
 */
import { type Namespace, NomiaError, onlyParams, registerType, requireParam, type Resource, unknownName } from '../../namespace/index.js';
import { ask, askIfRunning } from './client.js';
import { gathered, gatheredLine } from './gather.js';
import { processHolder, type ServiceInfo } from './protocol.js';
import { PROCESS_PARAMS, processSpec, runningName } from './spec.js';
import { trace } from './trace.js';

registerType('service');

const NAMES = ['process?args=[…]&ready=…&restart=…&ready-timeout=…(exe: …, inputs…)', 'running?id=…'];

/** The resource of a running service: named by its id, valued by its endpoint. */
export function serviceResource(info: Pick<ServiceInfo, 'id' | 'endpoint'>): Resource {
  return { kind: 'value', type: 'service', name: runningName(info.id), value: info.endpoint };
}

export const serviceNamespace: Namespace = {
  id: 'service',
  spelling: 'builtin:service@1',
  describe(req) {
    switch (req.nameId) {
      case 'process':
        onlyParams(req, PROCESS_PARAMS);
        return { inputs: 'any', outputs: { out: { type: 'service' } }, defaultOutput: 'out', contextual: true };
      case 'running':
        onlyParams(req, ['id']);
        return { inputs: {}, outputs: { out: { type: 'service' } }, defaultOutput: 'out', contextual: true };
      default: throw unknownName(req, NAMES);
    }
  },
  async realize(req, inputs, ctx) {
    const home = ctx.store.layout.home;
    if (req.nameId === 'running') {
      const id = requireParam(req, 'id', 'service:running?id=<id from nomia status --json>');
      const found = (await askIfRunning(home, { op: 'status' }))?.services?.find((s) => s.id === id);
      if (!found) throw new NomiaError('service/not-found', `no service ${id} is running`, { hint: 'start it: nomia up --root R NAME' });
      return { out: serviceResource(found) };
    }
    if (req.nameId !== 'process') throw unknownName(req, NAMES);
    const spec = processSpec(req, inputs, ctx.store, ctx.context.env['PATH']);
    if (gathered(home, spec)) {
      trace(`namespace: ${spec.label} gathered`);
      ctx.log(gatheredLine(spec.label, spec.id));
      return { out: serviceResource(spec) };
    }
    trace(`namespace: ${spec.label} starting`);
    ctx.log(`service ${spec.label}: starting (id ${spec.id})`);
    const { service } = await ask(home, { op: 'start', spec, holder: processHolder(process.pid) });
    trace(`namespace: ${spec.label} ready`);
    ctx.log(`service ${spec.label}: ready${service!.endpoint ? ` at ${service!.endpoint}` : ''} (pid ${service!.pid})`);
    return { out: serviceResource(service!) };
  },
};
