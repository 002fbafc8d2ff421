/**
 * The web view's HTTP server (`nomia ui`): on 127.0.0.1 only, every request
 * carrying the random token of this run (`?token=`, or the header
 * `x-nomia-token`) or refused with 403, since any local process (or page
 * in the user's browser) can reach a loopback port. Serves the static page
 * under `ui/` of the package and the JSON/SVG/text answers of `api.ts`.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { NomiaError } from '../../errors.js';
import { parseExpression } from '../../name/parse.js';
import { print } from '../../name/print.js';
import type { Registry } from '../../namespace/registry.js';
import type { Store } from '../../store/store.js';
import { chain, log, namePicture, roots } from './api.js';
import { Runs } from './runs.js';

/** The page's files, shipped in the package's `ui/` folder. */
const STATIC: Readonly<Record<string, string>> = { '/': 'index.html', '/app.js': 'app.js', '/style.css': 'style.css' };
const TYPES: Readonly<Record<string, string>> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const uiDir = new URL('../../../../ui/', import.meta.url);

export interface UiOptions {
  readonly store: Store;
  readonly registry: Registry;
  readonly token: string;
  /** Namespaces running at once in a realize started from the page. */
  readonly jobs: number;
}

function tokenOk(req: IncomingMessage, url: URL, token: string): boolean {
  const given = url.searchParams.get('token') ?? req.headers['x-nomia-token'];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > 1 << 20) throw new NomiaError('usage', 'the request body is over 1 MiB');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The `name` query parameter, in canonical text; a `usage` error if it is missing. */
function nameParam(url: URL): string {
  const text = url.searchParams.get('name');
  if (!text) throw new NomiaError('usage', 'give a name: ?name=…');
  return print(parseExpression(text));
}

/**
 * The web view's server, not yet listening; `runs` takes the realizes other processes publish
 * (listen.ts); `close` stops a realize started from the page and the event streams.
 */
export function uiServer(options: UiOptions): { server: Server; runs: Runs; close(): Promise<void> } {
  const { store, registry, token } = options;
  const runs = new Runs(store, registry, options.jobs);
  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const file = STATIC[url.pathname];
    if (file && req.method === 'GET') {
      // The page's own links carry the token, so that every request needs it.
      const text = readFileSync(new URL(file, uiDir), 'utf8').replaceAll('%TOKEN%', encodeURIComponent(token));
      return send(res, 200, TYPES[file.split('.').pop()!]!, text);
    }
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /api/events': return runs.subscribe(res);
      case 'POST /api/realize': {
        const { name } = JSON.parse(await body(req)) as { name?: unknown };
        if (typeof name !== 'string' || !name.trim()) throw new NomiaError('usage', 'give a name: {"name": "…"}');
        return json(res, 202, { run: runs.start(name) });
      }
      case 'GET /api/graph.svg': return send(res, 200, 'image/svg+xml', await namePicture(store, registry, nameParam(url)));
      case 'GET /api/chain': return json(res, 200, await chain(store, registry, nameParam(url)));
      case 'GET /api/roots': return json(res, 200, roots(store));
      case 'GET /api/log': {
        const spelling = url.searchParams.get('spelling');
        const text = await log(store, registry, spelling ? { spelling } : { name: nameParam(url) });
        return text === undefined ? send(res, 404, 'text/plain; charset=utf-8', 'no log is kept (it has not run yet)') : send(res, 200, 'text/plain; charset=utf-8', text);
      }
      default: return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    }
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!tokenOk(req, url, token)) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden: open the URL `nomia ui` printed (it carries the token)');
    route(req, res, url).catch((e: unknown) => {
      const status = e instanceof NomiaError || e instanceof SyntaxError ? 400 : 500;
      if (!res.headersSent) json(res, status, { error: (e as Error).message, ...(e instanceof NomiaError ? { code: e.code } : {}) });
      else res.end();
    });
  });
  return {
    server,
    runs,
    close: async () => {
      await runs.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
