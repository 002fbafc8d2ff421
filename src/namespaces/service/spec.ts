/**
 * What a running service is: the `ServiceSpec` the namespace derives from a
 * `service:process` request and its realized inputs, and the supervisor runs.
 * Its `id` is the hash of everything else in it, so two realizes of one name
 * (with the same inputs, dependencies and PATH) ask for the same service and
 * share it, as two realizes share one build.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type AtomRequest, closure, entryOf, printValue, type Resource, type Store, stringParam, usage, type Value } from '../../namespace/index.js';
import { parseProbe, type Probe } from './probe.js';
import { ROOT_PATH } from '../package/root-binds.js';
import { servicesDir } from './protocol.js';
import type { ServiceSandbox } from './sandbox.js';

/** What to do when the process ends by itself after it was ready. */
export type RestartPolicy = 'no' | 'on-failure' | 'always';

/** A service this one needs: its id, and its label for errors. */
export interface ServiceDep {
  readonly id: string;
  readonly label: string;
  /** The input port it is bound to (`db` in `(db: service:process…)`). */
  readonly port: string;
}

export interface ServiceSpec {
  /** Hash of every other field (`specId`): the service's identity. */
  readonly id: string;
  /** For people: `name=`, else `args[0]`. */
  readonly label: string;
  /** The executable's path (in the store; with a root, it may be a path or a name inside the root). */
  readonly program: string;
  /** With a `root:` input: the sandbox it runs in (sandbox.ts). */
  readonly sandbox: ServiceSandbox | undefined;
  /** argv, argv[0] included (`args[0]`). */
  readonly argv: readonly string[];
  /** The whole environment: PATH, HOME, one variable per input. */
  readonly env: Readonly<Record<string, string>>;
  readonly ready: Probe;
  readonly readyTimeoutMs: number;
  readonly restart: RestartPolicy;
  /** The anomic name given out once ready: `host:port` or a Unix socket's path (from `endpoint=` or the probe), or ''. */
  readonly endpoint: string;
  readonly deps: readonly ServiceDep[];
  /** The store entries the process uses (exe and every object input): rooted while it runs; gc keeps their references too. */
  readonly keep: readonly string[];
  /** The path `$socket` stands for (the service's own socket, in its directory), or '' when it is not used. */
  readonly socket: string;
}

/** The parameters `service:process` takes. */
export const PROCESS_PARAMS = ['args', 'ready', 'restart', 'ready-timeout', 'endpoint', 'name'] as const;

/** The refined name of a running service: what its resource is called and how dependents recognize one. */
export function runningName(id: string): string {
  return `service:running?id=${id}`;
}

/** The id of a running service from its resource name, or undefined if the resource is no service. */
export function runningId(r: Resource): string | undefined {
  return r.type === 'service' ? /^service:running\?id=([0-9a-f]{32})$/.exec(r.name)?.[1] : undefined;
}

/**
 * `$socket`, when no input is called so: a Unix socket path of the service's
 * own (`services/<id>/socket`). The id hashes the spec, so the spec is
 * hashed with this mark in the path's place and the path put in after.
 */
const SOCKET_PORT = 'socket';
const SOCKET_MARK = '/\u0001nomia-socket\u0001';
/** The longest path a Unix socket address holds (sun_path, less its NUL). */
const SUN_PATH_MAX = 107;

function inputText(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, port: string, where: string): string {
  const r = inputs[port];
  if (!r && port === SOCKET_PORT) return SOCKET_MARK;
  if (!r) throw usage(req, `refers to \`$${port}\` in ${where} but no input \`${port}\` is given`, `pass it: service:process?…(${port}: NAME)`);
  return r.kind === 'object' ? r.path : r.value;
}

/** A list parameter with `$x` expanded: an object input to its path, a service to its endpoint, a value to itself. */
function expandList(req: AtomRequest, key: string, items: readonly Value[], inputs: Readonly<Record<string, Resource>>): string[] {
  return items.map((item, i) => {
    if (item.kind === 'String') return item.value;
    if (item.kind === 'InputRef') return inputText(req, inputs, item.input, `${key}[${i}]`);
    throw usage(req, `takes a flat list in \`${key}\``);
  });
}

function listParam(req: AtomRequest, key: string): readonly Value[] | undefined {
  const p = req.params.find((x) => x.key === key);
  if (!p) return undefined;
  if (p.value.kind !== 'List' || p.value.items.length === 0) throw usage(req, `needs \`${key}=[…]\` to be a non-empty list`);
  return p.value.items;
}

function restartPolicy(req: AtomRequest): RestartPolicy {
  const v = stringParam(req, 'restart') ?? 'on-failure';
  if (v === 'no' || v === 'on-failure' || v === 'always') return v;
  throw usage(req, `has restart=${printValue({ kind: 'String', value: v })}`, 'use restart=no, restart=on-failure or restart=always');
}

function readyTimeout(req: AtomRequest): number {
  const v = stringParam(req, 'ready-timeout') ?? '30';
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw usage(req, `has ready-timeout=${v}`, 'give seconds, e.g. ready-timeout=10');
  return Math.round(Number(v) * 1000);
}

/** The hash of a spec's fields in a fixed order (every field counts: any change is another process). */
function specId(spec: Omit<ServiceSpec, 'id' | 'socket'>): string {
  const canonical = JSON.stringify([spec.label, spec.program, spec.sandbox ?? null, spec.argv, Object.entries(spec.env).sort(([a], [b]) => (a < b ? -1 : 1)), spec.ready,
    spec.readyTimeoutMs, spec.restart, spec.endpoint, spec.deps.map((d) => [d.port, d.id]), spec.keep]);
  return createHash('sha256').update(`nomia-service-1\0${canonical}`).digest('hex').slice(0, 32);
}

/**
 * The spec of `service:process?args=[…]…(exe: …, inputs…)` with its inputs
 * realized: services among them are dependencies, `$x` expands to each
 * input's path, value or endpoint, and each input is also in the
 * environment under its port's name (positional ones as `in0`, …).
 */
export function processSpec(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, store: Store, path: string | undefined): ServiceSpec {
  const marked = markedSpec(req, inputs, store, path);
  const id = specId(marked);
  if (!JSON.stringify(marked).includes(JSON.stringify(SOCKET_MARK).slice(1, -1))) return { id, ...marked, socket: '' };
  const socket = join(servicesDir(store.layout.home), id, 'socket');
  if (Buffer.byteLength(socket) > SUN_PATH_MAX) {
    throw usage(req, `uses $socket, but its path ${socket} is longer than a Unix socket address holds (${SUN_PATH_MAX} bytes)`,
      'use a store whose home has a shorter path (--store), or give the socket path yourself in args and ready=unix:///PATH');
  }
  const put = (text: string) => text.split(SOCKET_MARK).join(socket);
  const ready: Probe = marked.ready.kind === 'unix' ? { kind: 'unix', path: put(marked.ready.path) }
    : marked.ready.kind === 'command' ? { kind: 'command', argv: marked.ready.argv.map(put) } : marked.ready;
  return {
    id, ...marked, argv: marked.argv.map(put), env: { ...Object.fromEntries(Object.entries(marked.env).map(([k, v]) => [k, put(v)])), [SOCKET_PORT]: socket },
    ready, endpoint: put(marked.endpoint), socket,
  };
}

function markedSpec(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, store: Store, path: string | undefined): Omit<ServiceSpec, 'id' | 'socket'> {
  const args = listParam(req, 'args');
  if (!args) throw usage(req, 'needs `args=[argv0, arg, …]`', 'e.g. service:process?args=[httpd, -f, -p, 127.0.0.1:8080]&ready=tcp://127.0.0.1:8080(exe: BUSYBOX)');
  const exe = inputs['exe'];
  const root = inputs['root'];
  if (root !== undefined && root.kind !== 'object') throw usage(req, 'needs its input `root` to be a tree in the store (e.g. deb:closure?packages=[…])');
  if (exe ? exe.kind !== 'object' : root === undefined) {
    throw usage(req, 'needs the input `exe`: the program to run, a store object (or a `root:` tree that holds args[0])', 'e.g. (exe: BOOTSTRAP/bin/busybox)');
  }
  // Caught here, not left to the spawn: its EACCES reaches the log only after the start has failed.
  if (exe?.kind === 'object' && (exe.type === 'file' || exe.type === 'dir')) {
    throw usage(req, `runs its input \`exe\`, but ${exe.name} is ${exe.type === 'file' ? 'a file without its x bit' : 'a directory'}`, exe.type === 'file'
      ? 'a script needs its x bit before it is added (`chmod +x` it, then `nomia add` it again), or run it through its interpreter: args=[sh, $script](exe: BOOTSTRAP/bin/sh, script: …)'
      : 'name the program inside it: (exe: BOOTSTRAP/bin/busybox)');
  }
  const argv = expandList(req, 'args', args, inputs);
  const deps: ServiceDep[] = [];
  // In a root, the host's PATH means nothing: the root's own directories.
  const env: Record<string, string> = { PATH: root ? ROOT_PATH : path ?? '/usr/bin:/bin' };
  const keep = new Set<string>();
  for (const [port, r] of Object.entries(inputs)) {
    env[/^\d+$/.test(port) ? `in${port}` : port] = r.kind === 'object' ? r.path : r.value;
    const id = runningId(r);
    if (id !== undefined) deps.push({ id, port, label: port });
    const entry = r.kind === 'object' ? entryOf(store, r.path) : undefined;
    if (entry !== undefined) keep.add(entry);
  }
  const ready = parseProbe(req, readyParam(req, inputs));
  const endpoint = endpointParam(req, inputs) ?? (ready.kind === 'tcp' || ready.kind === 'http' ? `${ready.host}:${ready.port}` : ready.kind === 'unix' ? ready.path : '');
  return {
    label: stringParam(req, 'name') ?? argv[0]!, program: exe?.kind === 'object' ? exe.path : argv[0]!, sandbox: root && sandboxOf(store, root.path, keep), argv, env, ready, readyTimeoutMs: readyTimeout(req), restart: restartPolicy(req),
    endpoint, deps: deps.sort((a, b) => (a.port < b.port ? -1 : 1)), keep: [...keep].sort(),
  };
}

/** The sandbox of a service with the root `rootPath`: the closure of its other objects is what it sees of the store. */
function sandboxOf(store: Store, rootPath: string, keep: ReadonlySet<string>): ServiceSandbox {
  const rootEntry = entryOf(store, rootPath);
  const storeDir = store.layout.storeDir;
  const visible = closure(store, [...keep].filter((e) => e !== rootEntry)).map((e) => join(storeDir, e)).sort();
  return { root: rootPath, visible, storeDir };
}

/** `ready=`: a list (a command), a text, or `$x`, a socket path (`$socket`) or an input holding one. */
function readyParam(req: AtomRequest, inputs: Readonly<Record<string, Resource>>): string | readonly string[] | undefined {
  const p = req.params.find((x) => x.key === 'ready');
  if (p === undefined) return undefined;
  if (p.value.kind === 'List') return expandList(req, 'ready', p.value.items, inputs);
  if (p.value.kind === 'InputRef') return `unix:${inputText(req, inputs, p.value.input, 'ready')}`;
  return stringParam(req, 'ready');
}

function endpointParam(req: AtomRequest, inputs: Readonly<Record<string, Resource>>): string | undefined {
  const p = req.params.find((x) => x.key === 'endpoint');
  return p?.value.kind === 'InputRef' ? inputText(req, inputs, p.value.input, 'endpoint') : stringParam(req, 'endpoint');
}
