/**
 * The built-in namespaces as the CLI's registry holds them: each module is
 * loaded when a name of it is first described, not at start-up. A
 * `nomia up` of a web server needs `filesystem` and `service`, not the
 * hundred modules of `ninja`, `cc`, `deb` and `git`; loading them all was
 * about a third of the command's CPU time (docs/namespaces/service.md).
 *
 * `filesystem` and `context` stay loaded: their `terminal` must answer
 * synchronously (a namespace cannot be loaded inside it), and nearly every
 * name uses them. Each other entry states its id, spelling and which
 * optional methods it has, so the engine takes the same path as with the
 * loaded namespace (test/namespaces/lazy.test.ts checks each against it).
 * The order is `builtinNamespaces`' order: the registry's fingerprint, and
 * with it every text memo, hashes the ids in order.
 */
import { type DeferredCapabilities, deferredNamespace } from '../namespace/deferred.js';
import type { Namespace } from '../namespace/types.js';
import { registerType } from '../resource/types.js';
import { contextNamespace } from './context/index.js';
import { filesystemNamespace } from './filesystem/index.js';
import type { SandboxMode } from './package/sandbox.js';

// The type a not-yet-loaded namespace gives must be known as soon as the registry is.
registerType('service');

interface LazyEntry {
  readonly id: string;
  readonly spelling: string;
  readonly has: DeferredCapabilities;
  readonly load: () => Promise<Namespace>;
}

const lazy = (id: string, has: DeferredCapabilities, load: () => Promise<Namespace>): LazyEntry => ({ id, spelling: `builtin:${id}@1`, has, load });

/** The built-ins in `builtinNamespaces`' order; `package` builds in the sandbox `sandbox` (`--sandbox`). */
export function lazyBuiltinNamespaces(sandbox: SandboxMode = 'bubblewrap'): Namespace[] {
  const entries: readonly (Namespace | LazyEntry)[] = [
    filesystemNamespace,
    contextNamespace,
    lazy('exec', { spell: true }, async () => (await import('./exec/index.js')).execNamespace),
    lazy('text', {}, async () => (await import('./text/index.js')).textNamespace),
    lazy('nomia', {}, async () => (await import('./nomia/index.js')).nomiaNamespace),
    // Unsandboxed results are spelled apart (package/index.ts says why).
    { ...lazy('package', {}, async () => (await import('./package/index.js')).createPackageNamespace({ sandbox })), spelling: sandbox === 'bubblewrap' ? 'builtin:package@1' : 'unsandboxed:package@1' },
    lazy('git', { reduce: true }, async () => (await import('./git/index.js')).gitNamespace),
    lazy('fetch', {}, async () => (await import('./fetch/index.js')).fetchNamespace),
    lazy('unpack', {}, async () => (await import('./unpack/index.js')).unpackNamespace),
    lazy('filter-source', {}, async () => (await import('./filter-source/index.js')).filterSourceNamespace),
    lazy('private-filesystem', {}, async () => (await import('./private-filesystem/index.js')).privateFilesystemNamespace),
    lazy('deb', {}, async () => (await import('./deb/index.js')).debNamespace),
    lazy('cc', {}, async () => (await import('./cc/index.js')).ccNamespace),
    lazy('gcc', {}, async () => (await import('./gcc/index.js')).gccNamespace),
    lazy('service', {}, async () => (await import('./service/index.js')).serviceNamespace),
    lazy('ninja', {}, async () => (await import('./ninja/index.js')).ninjaNamespace),
    lazy('cmake', {}, async () => (await import('./cmake/index.js')).cmakeNamespace),
  ];
  return entries.map((e) => ('load' in e ? deferredNamespace(e.id, e.spelling, e.load, e.has) : e));
}
