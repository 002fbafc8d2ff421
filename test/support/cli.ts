/** Spawning the real CLI on a temporary store, with a pinned environment. */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../../bin/nomia.js', import.meta.url));
export const distSrc = fileURLToPath(new URL('../../src/', import.meta.url));

export interface Run { code: number | null; out: string; err: string }

export function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), LANG: 'C', ...extra };
}

export function nomia(store: string, args: string[], options: { input?: string | Buffer; env?: Record<string, string>; encoding?: 'utf8' | 'buffer' } & Partial<SpawnSyncOptions> = {}): Run {
  const r = spawnSync(process.execPath, [bin, '--store', store, ...args], {
    input: options.input ?? '', env: env(options.env), maxBuffer: 1 << 30, ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

/** Start the CLI without waiting, e.g. to kill it. */
export function nomiaAsync(store: string, args: string[], extraEnv: Record<string, string> = {}) {
  return spawn(process.execPath, [bin, '--store', store, ...args], { env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Temporary directories made by this test process, removed when it exits. */
const made: string[] = [];
let removing = false;

/**
 * A fresh temporary directory, removed when the test process exits (a
 * json-c build leaves 600 MB; thousands of runs filled the disk). Set
 * NOMIA_TEST_KEEP=1 to keep them for a post-mortem.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nomia-${prefix}-`));
  made.push(dir);
  if (!removing && process.env['NOMIA_TEST_KEEP'] !== '1') {
    removing = true;
    process.on('exit', () => {
      for (const d of made) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {
          // Read-only store directories (as a non-root user) or a mount still in use: make them writable, try once more.
          spawnSync('chmod', ['-R', 'u+w', d]);
          try {
            rmSync(d, { recursive: true, force: true });
          } catch {
            // Left for the system's tmp cleaning; never fail a test run over it.
          }
        }
      }
    });
  }
  return dir;
}

/** A tree of `dirs` × `files` small files plus, optionally, one big file of `bigMiB`. */
export function makeTree(root: string, dirs: number, files: number, bigMiB = 0): string {
  mkdirSync(root, { recursive: true });
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(root, `d${d}`), { recursive: true });
    for (let f = 0; f < files; f++) writeFileSync(join(root, `d${d}`, `f${f}`), `file ${d}/${f}\n`.repeat(1 + (f % 7)));
  }
  if (bigMiB > 0) {
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
    const parts = Array.from({ length: bigMiB }, () => block);
    writeFileSync(join(root, 'big.bin'), Buffer.concat(parts));
  }
  return root;
}
