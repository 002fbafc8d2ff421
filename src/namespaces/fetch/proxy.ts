/**
 * Which proxy a URL goes through, from the environment variables curl (and
 * so Nix) reads: `http_proxy` for http URLs (lowercase only, as curl does,
 * since `HTTP_PROXY` can be set by a CGI request header), `https_proxy` or
 * `HTTPS_PROXY` for https URLs, and `no_proxy` / `NO_PROXY`: a comma-separated
 * list of host names, domain suffixes (`example.org` also covers
 * `a.example.org`; a leading `.` or `*.` is allowed) and IP literals, or `*`
 * for all. Ports and CIDR ranges in `no_proxy` are not understood.
 * Only `http://` proxies are supported (https URLs tunnel through them with
 * CONNECT).
 */
import { NomiaError } from '../../namespace/index.js';

type Env = Readonly<Record<string, string | undefined>>;

function bypassed(host: string, list: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  for (const item of list.split(/[\s,]+/)) {
    if (item === '*') return true;
    const entry = item.toLowerCase().replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (entry !== '' && (h === entry || h.endsWith(`.${entry}`))) return true;
  }
  return false;
}

/** The proxy for `url`, or undefined for a direct connection. */
export function proxyFor(url: URL, env: Env): URL | undefined {
  const noProxy = env['no_proxy'] ?? env['NO_PROXY'];
  if (noProxy && bypassed(url.hostname, noProxy)) return undefined;
  const variable = url.protocol === 'https:' ? (env['https_proxy'] !== undefined ? 'https_proxy' : 'HTTPS_PROXY') : 'http_proxy';
  const raw = env[variable];
  if (!raw) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new NomiaError('usage', `${variable}=${raw} is not a proxy URL`, { hint: `set it to http://HOST:PORT, or unset it` });
  }
  if (proxy.protocol !== 'http:') {
    throw new NomiaError('usage', `${variable}=${raw}: only http:// proxies are supported`, { hint: 'use an http:// proxy (https URLs tunnel through it), or unset the variable' });
  }
  return proxy;
}

/** The `Proxy-Authorization` header for a proxy URL with credentials. */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}
