/**
 * Splitting a ninja command (a `/bin/sh -c` line) into the simple commands
 * joined by `&&`, each into words, with POSIX quoting (single quotes,
 * double quotes with `\` escapes, bare `\`). Used only to recognise
 * compiles, archives and links; a command with anything else the shell
 * interprets (`|`, `;`, `>`, `$(`, backquotes, globs) is not split, and the
 * front-end runs it as written.
 */

/** The simple commands of `command` joined by `&&`, as words; undefined when it uses more of the shell than that. */
export function splitCommand(command: string): string[][] | undefined {
  const commands: string[][] = [[]];
  let word: string | undefined;
  const end = () => {
    if (word !== undefined) commands[commands.length - 1]!.push(word);
    word = undefined;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      end();
    } else if (c === "'") {
      const close = command.indexOf("'", i + 1);
      if (close < 0) return undefined;
      word = (word ?? '') + command.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      let s = '';
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        const d = command[j]!;
        if (d === '$' || d === '`') return undefined;
        if (d === '\\' && '"\\$`\n'.includes(command[j + 1] ?? '')) s += command[++j];
        else s += d;
      }
      if (j >= command.length) return undefined;
      word = (word ?? '') + s;
      i = j;
    } else if (c === '\\') {
      word = (word ?? '') + (command[++i] ?? '');
    } else if (c === '&' && command[i + 1] === '&') {
      end();
      commands.push([]);
      i++;
    } else if ('|;<>()`$*?[]{}~#&'.includes(c) && !(c === '#' && word !== undefined) && !(c === '~' && word !== undefined)) {
      return undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  end();
  return commands.some((c) => c.length === 0) ? undefined : commands;
}
