/** Unix users, as the private stores need them: who owns a store, who is asking. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

export interface UnixUser {
  readonly name: string;
  readonly uid: number;
  /** The primary group, given to directories root creates for the user. */
  readonly gid: number;
}

function parsePasswdLine(line: string): UnixUser | undefined {
  const f = line.split(':');
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (f.length < 4 || !f[0] || !Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
  return { name: f[0], uid, gid };
}

/**
 * The user with login name or numeric id `key`, or undefined. Asks the
 * system's user database through `getent` (so LDAP and other NSS sources
 * count); without getent, reads /etc/passwd.
 */
export function lookupUser(key: string): UnixUser | undefined {
  const r = spawnSync('getent', ['passwd', key], { encoding: 'utf8' });
  if (!r.error) return r.status === 0 ? parsePasswdLine(r.stdout.split('\n')[0] ?? '') : undefined;
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  const numeric = /^\d+$/.test(key);
  for (const line of passwd.split('\n')) {
    const u = parsePasswdLine(line);
    if (u && (numeric ? u.uid === Number(key) : u.name === key)) return u;
  }
  return undefined;
}

/** The effective user of this process, with a name when the user database has one. */
export function effectiveUser(): { readonly uid: number; readonly name: string } {
  const uid = process.geteuid?.() ?? -1;
  try {
    return { uid, name: userInfo().username };
  } catch {
    return { uid, name: `uid ${uid}` };
  }
}
