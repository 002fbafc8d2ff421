/**
 * What bench/cc builds and with what: the generated 100-module C project
 * (CMake and a hand-written Makefile), and the four builders of one
 * project, each on its own copy of the sources — `nomia ninja` and the real
 * `ninja` on CMake's Ninja build directories, `make -j2` and `make -j2`
 * through `ccache` (a fresh cache of its own) on CMake's Makefiles (json-c)
 * or the project's own Makefile (the generated one).
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How a project is built with make: CMake's Makefiles in a build directory, or its own Makefile in the sources. */
export type MakeStyle = 'cmake' | 'own';

/** One builder on one copy: where its sources are, and how to build (returns the nodes it compiled, when it can tell). */
export interface Peer {
  readonly label: string;
  readonly src: string;
  readonly build: () => number | undefined;
}

/** The environment a benchmark step runs in. */
export interface Bench {
  readonly base: string;
  readonly run: (cmd: string, args: readonly string[], cwd?: string, extra?: Record<string, string>) => string;
  /** `nomia ninja -C DIR` with the toolchain: the compiles that ran. */
  readonly nomiaNinja: (dir: string) => number;
  /** ccache is installed. */
  readonly ccache: boolean;
}

export const MODULES = 100;

/**
 * A C project of `MODULES` modules in a static library and a program that
 * calls them all. Every module includes `common.h` (the widely included
 * header: its `K` is used by each); each also has its own header.
 */
export function generate(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const ids = Array.from({ length: MODULES }, (_, i) => i);
  writeFileSync(join(dir, 'common.h'), `#ifndef COMMON_H\n#define COMMON_H\n#define K 1\n${ids.map((i) => `int mod${i}(int);`).join('\n')}\n#endif\n`);
  for (const i of ids) {
    writeFileSync(join(dir, `mod${i}.h`), `static inline int twice${i}(int x) { return 2 * x + ${i}; }\n`);
    writeFileSync(join(dir, `mod${i}.c`), `#include "common.h"\n#include "mod${i}.h"\n\nint mod${i}(int x) {\n  int s = 0;\n  for (int j = 0; j < x; j++) s += twice${i}(j) * K;\n  return s % ${1009 + i};\n}\n`);
  }
  writeFileSync(join(dir, 'main.c'), `#include <stdio.h>\n#include "common.h"\n\nint main(void) {\n  long s = 0;\n${ids.map((i) => `  s += mod${i}(${i});`).join('\n')}\n  printf("%ld\\n", s);\n  return 0;\n}\n`);
  const sources = ids.map((i) => `mod${i}.c`).join(' ');
  writeFileSync(join(dir, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.10)\nproject(gen C)\nset(CMAKE_C_FLAGS "-O2 -g")\nadd_library(gen STATIC ${sources})\nadd_executable(app main.c)\ntarget_link_libraries(app gen)\n`);
  writeFileSync(join(dir, 'Makefile'), [
    'CC ?= cc', 'CFLAGS = -O2 -g -MMD -MP', `OBJS = ${ids.map((i) => `mod${i}.o`).join(' ')}`, '',
    'app: main.o libgen.a', '\t$(CC) -o $@ main.o libgen.a', 'libgen.a: $(OBJS)', '\trm -f $@ && ar qc $@ $(OBJS) && ranlib $@',
    '%.o: %.c', '\t$(CC) $(CFLAGS) -c $< -o $@', '-include $(OBJS:.o=.d) main.d', '',
  ].join('\n'));
  return dir;
}

/** A copy of `from` at `to`, writable. */
export function copy(b: Bench, from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  b.run('chmod', ['-R', 'u+w', to]);
  return to;
}

/** The ccache counters of `dir`: how many compiles it ran (misses). */
export function ccacheMisses(b: Bench, dir: string): number {
  const stats = b.run('ccache', ['--print-stats'], b.base, { CCACHE_DIR: dir });
  return Number(/^cache_miss\t(\d+)$/m.exec(stats)?.[1] ?? NaN);
}

/**
 * The four builders of the project at `pristine` (named `name`), each on a copy under `b.base`,
 * configured and ready to build: `at` names the copies (a second checkout gets another).
 */
export function peers(b: Bench, name: string, pristine: string, make: MakeStyle, at = ''): Peer[] {
  const dir = (what: string) => join(b.base, `${name}${at}-${what}`);
  const cmake = (src: string, build: string, ...args: string[]) => b.run('cmake', ['-S', src, '-B', build, ...args]);
  const nomiaSrc = copy(b, pristine, dir('nomia'));
  cmake(nomiaSrc, `${nomiaSrc}-build`, '-G', 'Ninja');
  const ninjaSrc = copy(b, pristine, dir('ninja'));
  cmake(ninjaSrc, `${ninjaSrc}-build`, '-G', 'Ninja');
  const list: Peer[] = [
    { label: 'nomia ninja', src: nomiaSrc, build: () => b.nomiaNinja(`${nomiaSrc}-build`) },
    { label: 'ninja', src: ninjaSrc, build: () => { b.run('ninja', ['-C', `${ninjaSrc}-build`, '-j2']); return undefined; } },
  ];
  const ccacheDir = join(b.base, `${name}-ccache`);
  const makePeer = (label: string, src: string, extra: Record<string, string>): Peer => {
    if (make === 'own') return { label, src, build: () => { b.run('make', ['-j2', ...(extra['CC'] ? [`CC=${extra['CC']}`] : [])], src, extra); return undefined; } };
    cmake(src, `${src}-build`, '-G', 'Unix Makefiles', ...(extra['CC'] ? ['-DCMAKE_C_COMPILER_LAUNCHER=ccache'] : []));
    return { label, src, build: () => { b.run('make', ['-j2'], `${src}-build`, extra); return undefined; } };
  };
  list.push(makePeer('make -j2', copy(b, pristine, dir('make')), {}));
  if (b.ccache) {
    const src = copy(b, pristine, dir('ccache'));
    const peer = makePeer('make -j2 + ccache', src, { CC: 'ccache gcc', CCACHE_DIR: ccacheDir });
    list.push({ ...peer, build: () => {
      const before = ccacheMisses(b, ccacheDir);
      peer.build();
      return ccacheMisses(b, ccacheDir) - before;
    } });
  }
  return list;
}
