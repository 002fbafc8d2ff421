/**
 * Handles (DESIGN.md §4): typed objects with affordances over a realized
 * resource. `path()` gives the anomic name, the one outside Nomia can use;
 * while a handle is open its object is kept alive through a temporary root
 * of this process, so gc cannot remove it from under the holder. Handles on
 * the same object share one root, which goes with the last release.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { NomiaError } from '../errors.js';
import { fsType } from './names.js';
import type { Resource } from './types.js';
import { entryOf, type Store } from '../store/store.js';
import { holdTempRoot, releaseTempRoots } from '../store/temp-roots.js';

/** The store entry (`<hash>-<name>`) an object path lies in. */
function storeEntry(store: Store, path: string): string {
  const entry = entryOf(store, path);
  if (!entry) throw new NomiaError('usage', `${path} is not inside the store ${store.layout.storeDir}`);
  return entry;
}

export abstract class Handle extends EventEmitter {
  private open = true;

  constructor(protected readonly store: Store, readonly resource: Resource) {
    super();
  }

  /** The resource's refined name. */
  get name(): string {
    return this.resource.name;
  }

  get released(): boolean {
    return !this.open;
  }

  protected check(): void {
    if (!this.open) throw new NomiaError('usage', `the handle on ${this.name} was released`, { hint: 'acquire it again' });
  }

  /** Let go of the resource: gc may take it once nothing else holds it. Emits `released`. */
  release(): void {
    if (!this.open) return;
    this.open = false;
    this.onRelease();
    this.emit('released');
  }

  protected onRelease(): void {}
}

/** A value: nothing to keep alive. */
export class ValueHandle extends Handle {
  value(): string {
    this.check();
    return (this.resource as Extract<Resource, { kind: 'value' }>).value;
  }
}

/** Any file-system object in the store, held by a temporary root while open. */
export class FsHandle extends Handle {
  private readonly entry: string;

  constructor(store: Store, resource: Extract<Resource, { kind: 'object' }>) {
    super(store, resource);
    this.entry = storeEntry(store, resource.path);
    if (!holdTempRoot(store, this.entry)) {
      throw new NomiaError('store/not-found', `${resource.name} is no longer in the store ${store.layout.storeDir}`, { hint: 'realize it again' });
    }
  }

  /** The anomic name: the path, valid while the handle is open. */
  path(): string {
    this.check();
    return (this.resource as Extract<Resource, { kind: 'object' }>).path;
  }

  protected override onRelease(): void {
    releaseTempRoots(this.store, [this.entry]);
  }
}

export class FileHandle extends FsHandle {
  read(): Buffer {
    return readFileSync(this.path());
  }
}

export class ExeHandle extends FileHandle {
  /** Run the executable with `args`; resolves with its status and output. */
  exec(args: readonly string[] = [], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const path = this.path();
    return new Promise((resolve, reject) => {
      const child = spawn(path, [...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
}

export class DirHandle extends FsHandle {
  /** The entries, sorted. */
  list(): string[] {
    return readdirSync(this.path()).sort();
  }

  /** A handle on a path inside the directory (projection), holding the same object. */
  project(sub: string): FsHandle {
    const segs = sub.split('/').filter((s) => s !== '');
    if (segs.some((s) => s === '.' || s === '..')) throw new NomiaError('usage', `cannot project ${sub}: no . or .. segments`);
    const path = [this.path(), ...segs].join('/');
    const r = this.resource as Extract<Resource, { kind: 'object' }>;
    return acquire(this.store, { kind: 'object', type: fsType(path), name: `${r.name}/${segs.join('/')}`, path }) as FsHandle;
  }
}

/** A handle on a realized resource, typed by its resource type. */
export function acquire(store: Store, resource: Resource): Handle {
  if (resource.kind === 'value') return new ValueHandle(store, resource);
  switch (resource.type) {
    case 'exe': return new ExeHandle(store, resource);
    case 'file': return new FileHandle(store, resource);
    case 'dir': return new DirHandle(store, resource);
    default: return new FsHandle(store, resource);
  }
}
