/**
 * With `--serve <id>`, serves the built-in namespace `<id>` over the protocol
 * on stdin/stdout, so the contract tests can run a built-in behind the
 * JSON-RPC wrapper. Without `--serve` (as `node --test` loads it) it does nothing.
 */
import { serveNamespace } from '../../src/namespace/protocol/server.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';

const at = process.argv.indexOf('--serve');
if (at >= 0) {
  const ns = builtinNamespaces.find((n) => n.id === process.argv[at + 1]);
  if (!ns) {
    process.stderr.write(`no built-in namespace ${process.argv[at + 1]}\n`);
    process.exit(2);
  }
  await serveNamespace(ns, { input: process.stdin, output: process.stdout });
  process.exit(0);
}
