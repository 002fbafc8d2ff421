/** Reading gcc's dependency files and mapping them back to include trees (src/namespaces/cc/depfile.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { depfilePrerequisites, treeHeaders } from '../../src/namespaces/cc/depfile.js';

test('prerequisites of the first rule, over continued lines, with escaped spaces and $$', () => {
  const d = 'out/f.o: /src/f.c /include/0/a.h \\\n /include/1/my\\ dir/b.h /usr/include/stdio.h \\\n  /include/0/c$$.h\n\n/include/0/a.h:\n';
  assert.deepEqual(depfilePrerequisites(d), ['/src/f.c', '/include/0/a.h', '/include/1/my dir/b.h', '/usr/include/stdio.h', '/include/0/c$.h']);
  assert.deepEqual(depfilePrerequisites(''), []);
});

test('headers in the include trees, sorted and without repeats; the toolchain\'s are left out; others are stray', () => {
  const { headers, stray } = treeHeaders(['/src/f.c', '/include/1/z.h', '/include/0/sub/../a.h', '/include/0/a.h', '/usr/include/stdio.h', '/src/other.h'], '/src/f.c');
  assert.deepEqual(headers, [{ tree: 0, path: 'a.h' }, { tree: 1, path: 'z.h' }]);
  assert.deepEqual(stray, ['/src/other.h']);
  // `..` out of the trees lands in the toolchain's root (part of the spelling); a relative path is stray.
  assert.deepEqual(treeHeaders(['/include/../x.h', 'rel.h'], '/src/f.c'), { headers: [], stray: ['rel.h'] });
});
