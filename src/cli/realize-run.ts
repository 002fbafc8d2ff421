/**
 * The full path of `nomia realize`: the registry of namespaces, the binary
 * caches, the engine. Loaded only when the memo cannot answer (cmd-realize.ts).
 */
import { NomiaError } from '../errors.js';
import { bindResolved } from '../engine/bind.js';
import type { MemoKey, MemoMiss } from '../engine/memo.js';
import { realize } from '../engine/realize.js';
import type { Name } from '../name/ast.js';
import { parseName } from '../name/parse.js';
import { print } from '../name/print.js';
import type { SandboxMode } from '../namespaces/package/sandbox.js';
import { registry, runContext } from '../setup.js';
import type { EventListener } from '../engine/events.js';
import type { Resource } from '../resource/types.js';
import type { Store } from '../store/store.js';
import { cacheSettings } from '../cache/config.js';
import type { CacheSettings, Substituters } from '../cache/substituters.js';
import { configFiles } from '../namespace/registry.js';

export interface FullOptions {
  readonly jobs: number; readonly sandbox: SandboxMode; readonly check?: boolean; readonly rebuild?: boolean;
  readonly substituter?: string[]; readonly trustedKey?: string[]; readonly offline?: boolean;
  /** The directory the realize runs as if in (its nomia.json, its relative paths); default the process's. */
  readonly cwd?: string;
}

/** The name with each `@var` replaced by the name bound to it (`--bind var=name`). */
export function bound(text: string, flags: readonly string[]): string {
  const bindings: Record<string, Name> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    const key = eq > 0 ? f.slice(0, eq).replace(/^@/, '') : '';
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) throw new NomiaError('usage', `--bind ${JSON.stringify(f)} is not \`var=name\``, { hint: "e.g. --bind src='filesystem:import?path=./src'" });
    bindings[key] = parseName(f.slice(eq + 1));
  }
  return print(bindResolved(parseName(text), bindings, text));
}

/** What a run of the engine needs from the CLI's set-up: the registry, the binary caches (none configured: undefined), and a cancel signal. */
export interface EngineSetup {
  readonly registry: ReturnType<typeof registry>;
  readonly substituters: Substituters | undefined;
  readonly signal: AbortSignal;
}

/**
 * The binary caches `settings` lists, or undefined when it lists none: then the cache clients (HTTP,
 * signature checks, NAR restore: some twenty modules) are not even loaded, which every run of a
 * short-lived command without caches (each CMake check through `nomia ninja`) would otherwise pay for.
 * (A malformed trusted key is refused either way, by the registry's trust.)
 */
async function openSubstituters(settings: CacheSettings): Promise<Substituters | undefined> {
  if (settings.substituters.length === 0) return undefined;
  return new (await import('../cache/substituters.js')).Substituters(settings);
}

/**
 * Run `f` with the registry for this directory, the binary caches it
 * configures, and a signal that ^C or SIGTERM aborts: running namespaces
 * see it (builds are killed), nothing new starts, and the store is left
 * consistent. A second ^C kills at once (the default handler is back).
 * Everything is released after `f`, however it ends.
 */
export async function withEngine<T>(opts: Omit<FullOptions, 'jobs'>, f: (setup: EngineSetup) => Promise<T>): Promise<T> {
  const cwd = opts.cwd ?? process.cwd();
  const reg = registry(cwd, { sandbox: opts.sandbox, ...(opts.trustedKey ? { trustedKeys: opts.trustedKey } : {}) });
  let substituters: Substituters | undefined;
  try {
    substituters = await openSubstituters(cacheSettings(configFiles(cwd), reg.trust, {
      ...(opts.substituter ? { substituters: opts.substituter } : {}), ...(opts.offline ? { offline: true } : {}),
    }));
  } catch (e) {
    await reg.close();
    throw e;
  }
  const interrupt = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => interrupt.abort(new NomiaError('realize/failed', `interrupted by ${sig}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await f({ registry: reg, substituters, signal: interrupt.signal });
    if (interrupt.signal.aborted) throw interrupt.signal.reason;
    return result;
  } catch (e) {
    // What a cancelled namespace throws (an AbortError) is not the story: the interruption is.
    throw interrupt.signal.aborted ? interrupt.signal.reason : e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    substituters?.close();
    await reg.close();
  }
}

/**
 * Realize `text` with the engine (keeping a memo under `memo`; `missed`: that memo as this process
 * already checked it, not checked again); cancelled by ^C or SIGTERM.
 */
export async function realizeFully(store: Store, text: string, opts: FullOptions, onEvent: EventListener, memo: MemoKey | undefined, missed?: MemoMiss): Promise<readonly Resource[]> {
  return withEngine(opts, async ({ registry: reg, substituters, signal }) => (await realize(text, {
    store, registry: reg, context: runContext(opts.cwd), jobs: opts.jobs, onEvent, source: text, signal, substituters,
    ...(opts.check ? { redo: 'check' as const } : opts.rebuild ? { redo: 'rebuild' as const } : {}),
    ...(memo ? { memo } : {}), ...(missed ? { memoMissed: missed } : {}),
  })).roots);
}

/** Every namespace id a name may use here: the built-in ones and those configured in nomia.json. */
export function namespacesHelp(): string {
  try {
    const reg = registry(process.cwd());
    const ids = reg.ids().sort();
    void reg.close();
    return `Namespaces (built in and from nomia.json): ${ids.join(', ')}`;
  } catch (e) {
    return `Namespaces: (cannot be listed here: ${(e as Error).message})`;
  }
}
