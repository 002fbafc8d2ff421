/**
 * A small in-process namespace, `tsupper` (`text`, `file`, `count?n=…` which
 * reports progress, `fail`), and (with `--serve`) a process that
 * serves it over the protocol on stdin/stdout: the TypeScript server the
 * protocol tests run the client against. Without `--serve` it only exports.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NomiaError } from '../../src/errors.js';
import { printValue } from '../../src/name/print.js';
import { serveNamespace } from '../../src/namespace/protocol/server.js';
import type { AtomRequest, Namespace, Resource, Signature } from '../../src/namespace/types.js';
import { addPath } from '../../src/store/add.js';
import { realPath } from '../../src/store/store.js';

function text(req: AtomRequest): string {
  const p = req.params.find((x) => x.key === 's');
  if (p?.value.kind !== 'String') throw new NomiaError('usage', 'tsupper:text needs the parameter `s`', { hint: 'e.g. tsupper:text?s=hello' });
  return p.value.value;
}

const valueName = (v: string): string => `context:value?v=${printValue({ kind: 'String', value: v })}`;

export const tsUpper: Namespace = {
  id: 'tsupper',
  spelling: 'test:tsupper',
  describe(req): Signature {
    switch (req.nameId) {
      case 'text': return { inputs: {}, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false };
      case 'file': return { inputs: { in: { type: 'file' } }, outputs: { out: { type: 'file' } }, defaultOutput: 'out', contextual: false };
      case 'fail': return { inputs: {}, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false };
      case 'count': return { inputs: {}, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false };
      default: throw new NomiaError('usage', `tsupper:${req.nameId} is not a name of this namespace`, { hint: 'tsupper has text, file, count and fail' });
    }
  },
  async reduce(req) {
    return req.nameId === 'text' ? valueName(text(req).toUpperCase()) : undefined;
  },
  async realize(req, inputs, ctx): Promise<Record<string, Resource>> {
    switch (req.nameId) {
      case 'text': {
        const v = text(req).toUpperCase();
        ctx.log(`upper-casing ${v.length} characters`);
        ctx.emitReduction(valueName(v));
        return { out: { type: 'value', kind: 'value', value: v, name: valueName(v) } };
      }
      case 'file': {
        const input = inputs['in'];
        if (input?.kind !== 'object') throw new NomiaError('usage', 'tsupper:file needs a file as its input `in`');
        const work = mkdtempSync(join(tmpdir(), 'tsupper-'));
        try {
          const file = join(work, 'shout');
          writeFileSync(file, readFileSync(input.path, 'utf8').toUpperCase());
          const { object } = await addPath(ctx.store, file, { name: 'shout' });
          return { out: { type: 'file', kind: 'object', name: `filesystem:by-content?name=shout&sha256=${object.hash}`, path: realPath(ctx.store, object) } };
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      }
      case 'count': {
        // Typed events: progress in steps, and a log line through the same sink.
        const p = req.params.find((x) => x.key === 'n');
        const n = p?.value.kind === 'String' ? Number(p.value.value) : 3;
        for (let i = 1; i <= n; i++) {
          ctx.events.emit({ kind: 'progress', done: i, total: n, unit: 'steps' });
          await new Promise((r) => setTimeout(r, 5));
        }
        ctx.events.emit({ kind: 'log', line: `counted to ${n}` });
        return { out: { type: 'value', kind: 'value', value: String(n), name: valueName(String(n)) } };
      }
      default: throw new NomiaError('realize/failed', 'tsupper:fail fails on purpose', { hint: 'do not call it' });
    }
  },
};

if (process.argv[2] === '--serve') {
  await serveNamespace(tsUpper, { input: process.stdin, output: process.stdout, version: '0.0.1' });
}
