/**
 * The default toolchain of the `gcc` namespace: the host's own compiler,
 * as the Debian packages that provide it (`dpkg -S` of `/usr/bin/gcc` and
 * of the file it links to), plus `libc6-dev`, as one `deb:closure`, so the
 * compiler the user has becomes a content-addressed sandbox root. The
 * environment variable `NOMIA_TOOLCHAIN` (a name, read from the run's
 * context) picks another.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { NomiaError, printValue, type RunContext } from '../../namespace/index.js';

const HINT = 'set NOMIA_TOOLCHAIN to a root tree with gcc, e.g. NOMIA_TOOLCHAIN="deb:closure?packages=[gcc, libc6-dev]"';

/** The Debian packages owning `paths`, as `dpkg -S` reports them (sorted, no repeats). */
function owners(paths: readonly string[]): string[] {
  const out = execFileSync('dpkg', ['-S', ...paths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const pkgs = out.split('\n').filter((l) => l.includes(': ')).flatMap((l) => l.slice(0, l.indexOf(': ')).split(', ')).map((p) => p.replace(/:[a-z0-9]+$/, ''));
  return [...new Set(pkgs)].sort();
}

/** The toolchain name `gcc:` names compile with. */
export function defaultToolchain(context: RunContext): string {
  const chosen = context.env['NOMIA_TOOLCHAIN'];
  if (chosen) return chosen;
  let packages: string[];
  try {
    packages = owners(['/usr/bin/gcc', realpathSync('/usr/bin/gcc')]);
  } catch (e) {
    throw new NomiaError('cc/no-toolchain', `no toolchain is configured and the host's gcc cannot be found in a Debian package database (${(e as Error).message.split('\n')[0]})`, { hint: HINT });
  }
  const all = [...new Set([...packages, 'libc6-dev'])].sort();
  return `deb:closure?packages=[${all.map((p) => printValue({ kind: 'String', value: p })).join(', ')}]`;
}
