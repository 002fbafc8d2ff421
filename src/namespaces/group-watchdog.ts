/**
 * The watchdog that ends the process groups of running commands should
 * this process die without ending them itself (SIGKILL, a crash):
 * PR_SET_PDEATHSIG is out of Node's reach, and `setpriv --pdeathsig` would
 * reach only a command, not its children. One `/bin/sh` per process, in a
 * session of its own, reads a pipe only this process holds: `+ G` when
 * group G starts, `- G` when it has ended. At end-of-file (this process is
 * gone, however it went) it kills every group still listed. One shell for
 * all commands: a spawn per command would double the cost of starting one.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const WATCHDOG = `groups=' '
while read -r op g; do
  case "$op$groups" in
    +*) groups="$groups$g " ;;
    -*" $g "*) groups="\${groups%% $g *} \${groups#* $g }" ;;
  esac
done
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done`;

let watchdog: ChildProcess | undefined;

/** Start the watchdog unless it runs: before a command starts, so no moment of its life goes unwatched. */
export function startWatchdog(): void {
  if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null && watchdog.stdin?.writable) return;
  // Not started yet, or someone killed it: start one (it knows nothing of groups that run now).
  watchdog = spawn('/bin/sh', ['-c', WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: {} });
  watchdog.on('error', () => undefined);
  watchdog.stdin!.on('error', () => undefined);
  // Neither it nor its pipe keeps this process alive: this process's exit closes the pipe, which is the point.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
}

/**
 * Have process group `group` killed should this process die before
 * `unwatch` is called. Call `startWatchdog` before starting the group.
 */
export function watchGroup(group: number): { unwatch(): void } {
  startWatchdog();
  watchdog!.stdin!.write(`+ ${group}\n`);
  let watched = true;
  return {
    unwatch() {
      if (!watched) return;
      watched = false;
      if (watchdog?.stdin?.writable) watchdog.stdin.write(`- ${group}\n`);
    },
  };
}
