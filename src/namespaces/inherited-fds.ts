/**
 * Descriptors a command must not inherit. Node opens every descriptor of its
 * own close-on-exec, so one that is not (above stdio) was inherited from
 * whoever started this process (a shell's `3>file`, a supervisor's pipe)
 * and is never used here; left open, every command and build would get it.
 * Node cannot set close-on-exec on a descriptor, so they are closed, before
 * the first command starts (inherited ones exist from the start). Node's
 * IPC channel (NODE_CHANNEL_FD) is kept.
 */
import { closeSync, readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

let done = false;

/** Close every descriptor above 2 that is not close-on-exec, once per process (Linux; elsewhere nothing happens). */
export function closeInheritedDescriptors(): void {
  if (done) return;
  done = true;
  const channel = Number(process.env['NODE_CHANNEL_FD']);
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return;
  }
  for (const name of names) {
    const fd = Number(name);
    if (fd <= 2 || fd === channel) continue;
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // The descriptor readdir listed its directory with, closed since.
    }
    const flags = /^flags:\s*([0-7]+)/m.exec(info);
    if (!flags || (parseInt(flags[1]!, 8) & O_CLOEXEC) !== 0) continue;
    try {
      closeSync(fd);
    } catch {
      // Closed meanwhile.
    }
  }
}
