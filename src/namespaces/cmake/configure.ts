/**
 * `cmake:configure?args=[…](src: TREE, toolchain: TREE)`: CMake's configure
 * step as a build (docs/namespaces/cmake.md). In the sandbox, with the
 * toolchain tree as `/` and no network, it runs
 * `cmake -S /src -B /build -G Ninja ARGS…` with the source tree read-only at
 * `/src`; the result is the build directory, `build.ninja` and all. Every
 * path CMake writes is `/src/…` or `/build/…`, so the tree does not depend
 * on where the sources lie, and `ninja:build` reads it as it is.
 *
 * CMake's compiler checks build small projects with the generator's tool,
 * so the toolchain needs `ninja` (Debian's `ninja-build`) as well as
 * `cmake` and the compilers.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addPath, type AtomRequest, objectResource, onlyParams, type RealizeContext, type Resource, usage, withWorkDir } from '../../namespace/index.js';
import { runTool } from '../cc/toolchain-run.js';

const CMAKE = '/usr/bin/cmake';
const TOOLCHAIN_EXAMPLE = 'toolchain: deb:closure?packages=[cmake, gcc, libc6-dev, ninja-build]';

/**
 * Options a configure may take: cache entries and warnings. Others choose
 * the directories or the generator, which this name fixes, or do something
 * else than configuring (`--build`, `-P`, `-E`).
 */
const ARG = /^(-D.+|-U.+|-W[a-z-]+|--log-level=[a-zA-Z]+|--no-warn-unused-cli|--warn-uninitialized|--fresh)$/;

/** `args=[-DX=1, …]`, checked. */
export function configureArgs(req: AtomRequest): string[] {
  const p = req.params.find((x) => x.key === 'args');
  if (!p) return [];
  if (p.value.kind !== 'List' || p.value.items.some((v) => v.kind !== 'String')) throw usage(req, 'takes a list of options in `args`', 'args=[-DCMAKE_BUILD_TYPE=Release]');
  const args = p.value.items.map((v) => (v.kind === 'String' ? v.value : ''));
  for (const a of args) {
    if (!ARG.test(a)) throw usage(req, `cannot take ${JSON.stringify(a)} in \`args\`: it takes cache entries (-D, -U) and warning options; the source, build directory and generator are its own`, 'args=[-DCMAKE_BUILD_TYPE=Release, -DBUILD_TESTING=OFF]');
  }
  return args;
}

/** A directory tree input that has `needs` (paths inside it), checked. */
export function treeInput(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, port: string, example: string, needs: readonly string[] = []): Extract<Resource, { kind: 'object' }> {
  const t = inputs[port];
  if (!t || t.kind !== 'object' || t.type !== 'dir') throw usage(req, `needs a directory tree as \`${port}\``, `e.g. ${example}`);
  for (const n of needs) {
    try {
      statSync(join(t.path, n));
    } catch {
      throw usage(req, `needs ${n} in its \`${port}\`, but ${t.name} has none`, `e.g. ${example}`);
    }
  }
  return t;
}

/** Realize a configure. */
export async function configure(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['args']);
  const args = configureArgs(req);
  const src = treeInput(req, inputs, 'src', 'src: deb:source?package=json-c', ['CMakeLists.txt']);
  const toolchain = treeInput(req, inputs, 'toolchain', TOOLCHAIN_EXAMPLE, ['usr/bin/cmake', 'usr/bin/ninja']);
  if (Object.keys(inputs).some((k) => k !== 'src' && k !== 'toolchain')) throw usage(req, 'takes the inputs `src` and `toolchain` only');
  return withWorkDir(ctx.store, async (work) => {
    const build = join(work, 'build');
    mkdirSync(build);
    await runTool(ctx, {
      toolchain: toolchain.path, program: CMAKE, placed: [{ host: src.path, at: '/src' }], out: build, outAt: '/build', cwd: '/build', work,
      argv: ['cmake', '-S', '/src', '-B', '/build', '-G', 'Ninja', ...args],
    });
    const { object } = await addPath(ctx.store, build, { name: 'cmake-build' });
    return { out: objectResource(ctx.store, object) };
  });
}
