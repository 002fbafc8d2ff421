/**
 * The public API of Nomia.
 *
 * ```ts
 * import { parseName, print, flatten, spell } from 'nomia';
 * const name = parseName('git:exact-fetch?repo=https://example.org/r&rev=785d2c03a0d');
 * print(name);                 // canonical text
 * spell(flatten(name)).name;   // 'nomia1-…'
 * ```
 */
export * from './errors.js';
export * from './name/index.js';
export * from './graph/index.js';
export { encodeBase32, decodeBase32 } from './store/base32.js';
export * from './resource/types.js';
export { acquire, Handle, ValueHandle, FsHandle, FileHandle, ExeHandle, DirHandle } from './resource/handle.js';
export type {
  Namespace, Signature, AtomRequest, RealizeContext, RunContext, NamespaceEvent, EventSink, NodeSpelling, KnotMember, KnotSource,
} from './namespace/types.js';
export { realize, type RealizeOptions, type Realized } from './engine/realize.js';
export { resolve } from './engine/resolve.js';
export { assertReduction, reductionChain, engineSpelling, materialize, type ChainStep } from './engine/reductions.js';
export { graphStates, type GraphStates } from './engine/graph-states.js';
export { logOf, nameLogs, type StepLog } from './engine/name-log.js';
export { spellName, spellGraph, namespaceSpelling } from './namespace/spelling.js';
export { registry as defaultRegistry, runContext, startExternal, type RegistryOptions } from './setup.js';
export { bindResolved } from './engine/bind.js';
export type { EngineEvent, EventListener } from './engine/events.js';
export { createRegistry, loadExternalSpecs, type Registry, type ExternalFactory, type ExternalSpec } from './namespace/registry.js';
export { builtinNamespaces } from './namespaces/index.js';
export { openStore, type Store, type StoreOptions } from './store/store.js';
export { Substituters, type CacheSettings, type Found, type Offer, type Fetched } from './cache/substituters.js';
export { cacheSettings, signingKeyPath, type CacheFlags } from './cache/config.js';
export { generateSecretKey, parseSecretKey, parsePublicKey, type SecretKey, type PublicKey } from './cache/keys.js';
export { openTransport, type Transport } from './cache/transport.js';
export { pushNames, type PushOptions, type PushNamesResult } from './engine/push.js';
export { whyDepends, allPathsGraph, type WhyDependsResult } from './store/queries/why-depends.js';
export { pathInfo, type PathInfo, type PathInfoOptions } from './store/queries/path-info.js';
export { referrers, type ReferrersOptions } from './store/queries/referrers.js';
export { diffClosures, splitVersion, type ClosureChange } from './store/queries/diff-closures.js';
export { rdeps, type RecordedLead, type RdepsOptions } from './engine/rdeps.js';
export { recordedResults, recordedObjects } from './engine/recorded-results.js';
