/** Starting the real `nomia ui` on a temporary store and reading the URL it prints. */
import type { ChildProcess } from 'node:child_process';
import type { UiMessage } from '../../src/cli/ui/runs.js';
import { nomiaAsync } from './cli.js';

export interface RunningUi {
  readonly url: URL;
  readonly process: ChildProcess;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then its exit status. */
  stop(): Promise<number | null>;
}

export async function startUi(store: string, args: string[] = []): Promise<RunningUi> {
  const child = nomiaAsync(store, ['ui', '--port', '0', ...args]);
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const line = await new Promise<string>((found, failed) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) found(out.split('\n')[0]!);
    });
    void exited.then((code) => failed(new Error(`nomia ui exited (${code}) before printing its URL: ${err}`)));
  });
  return {
    url: new URL(line),
    process: child,
    stderr: () => err,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** What `GET /api/events` of a running `nomia ui` sent so far, as parsed messages. */
export interface EventStream {
  readonly messages: readonly UiMessage[];
  /** The first message (seen or to come) for which `test` holds; rejects after `ms`. */
  waitFor(test: (m: UiMessage) => boolean, ms?: number): Promise<UiMessage>;
  close(): void;
}

/** Read the Server-Sent Events of `ui` as they come. */
export async function eventStream(ui: RunningUi): Promise<EventStream> {
  const url = new URL('/api/events', ui.url);
  url.searchParams.set('token', ui.url.searchParams.get('token')!);
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  const messages: UiMessage[] = [];
  const waiting = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const frame = text.slice(0, end);
          text = text.slice(end + 2);
          if (frame.startsWith('data: ')) messages.push(JSON.parse(frame.slice(6)) as UiMessage);
        }
        for (const w of waiting) w();
      }
    } catch {
      // Closed.
    }
  })();
  return {
    messages,
    waitFor: (test, ms = 30_000) => new Promise((found, failed) => {
      const check = () => {
        const m = messages.find(test);
        if (!m) return;
        waiting.delete(check);
        clearTimeout(timer);
        found(m);
      };
      const timer = setTimeout(() => {
        waiting.delete(check);
        failed(new Error(`no such message in ${ms} ms; seen: ${messages.map((m) => JSON.stringify(m).slice(0, 200)).join('\n')}`));
      }, ms);
      waiting.add(check);
      check();
    }),
    close: () => abort.abort(),
  };
}

/** `nomia ARGS` started on `store` without waiting: the process, and its exit status and output once it exits. */
export function startNomia(store: string, args: string[]): { readonly process: ChildProcess; readonly exited: Promise<{ code: number | null; out: string; err: string }> } {
  const child = nomiaAsync(store, args);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return { process: child, exited: new Promise((done) => child.once('close', (code) => done({ code, out, err }))) };
}
