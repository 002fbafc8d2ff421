/**
 * Better hints for errors, from what only the CLI knows: the name as the
 * user typed it, and the commands there are. The library's hint stays the
 * fallback; these replace it when they apply.
 */
import { existsSync } from 'node:fs';
import { NomiaError } from '../errors.js';

/** `text` as one shell word (single-quoted unless it is plainly safe). */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The name text a command ran on, for hints that repeat it; long or multi-line names are abbreviated. */
function nameWord(name: string | undefined): string {
  if (name === undefined) return 'NAME';
  const oneLine = name.trim();
  return oneLine.length > 300 || oneLine.includes('\n') ? '- < NAME-FILE' : shellQuote(oneLine);
}

/**
 * The hint to show for `e`, or undefined to keep its own.
 * @param name the name text the command was given, if any.
 * @param command the command word (`gc`), if the command gave it.
 */
export function betterHint(e: unknown, name?: string, command?: string): string | undefined {
  if (!(e instanceof NomiaError)) return undefined;
  const hint = e.hint ?? '';
  // The store's hint offers `nomia gc` to free space; when gc is what failed, it needs a little space of its own first.
  if (e.code === 'store/no-space' && command === 'gc') {
    return 'gc itself needs a little free space to record what it deletes: free some on that file system by other means (delete or move files outside the store), then run `nomia gc` again; nothing needs restoring';
  }
  // A missing bootstrap-tools object is made by a command, not added by hand.
  if (e.code === 'store/not-found' && /name bootstrap-tools\b|name=bootstrap-tools\b/.test(e.message)) {
    return 'make it with `nomia bootstrap-tools` (the same tools give the same hash), then realize again';
  }
  // A script without its x bit: the kernel refuses to execute it and the shell exits 126.
  if (e.code === 'build/failed' && /exit status 126/.test(e.message) && /Permission denied/i.test(e.message)) {
    return 'the script is not executable: `chmod +x` it before adding it to the store, or run it through its interpreter (args=[bash, $script])';
  }
  // `site/index.html` parses as the name `site` projected: when the whole text is a path here, the user meant the file.
  const typed = name?.trim();
  if (e.code === 'graph/invalid' && / has no namespace$/.test(e.message) && typed && /^[^\s:()?&=$]+$/.test(typed) && existsSync(typed)) {
    return `\`${typed}\` is a path here, and a path is a value, not a name: import it with ${shellQuote(`filesystem:import?path=./${typed}`)}`;
  }
  if (hint.includes('nomia log NAME')) return hint.replace('nomia log NAME', `nomia log ${nameWord(name)}`);
  return undefined;
}
