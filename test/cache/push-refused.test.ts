/**
 * `nomia push` to an nginx that refuses the upload, through the real CLI:
 * each refusal's hint names what to change. The docs' nginx lines with a
 * root master and workers of another user answer 500 (the workers may not
 * write the directory); the hint used to name only the dav lines the
 * configuration already had. A server that is not running hinted
 * `--offline`, which push does not take.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { freePort, haveNginx, startNginx, type Nginx } from '../support/nginx.js';

const root = process.getuid?.() === 0;
const skip = !root ? 'needs root (nginx\'s workers as another user)' : !haveNginx() && process.env['CI'] !== 'true' ? 'nginx is not installed' : false;
const dir = tempDir('push-refused');
const env = { XDG_CONFIG_HOME: join(dir, 'config') };
const name = 'exec:run?args=[sh, -c, "echo refused > $out"]';

describe('a cache server that refuses uploads', { skip }, () => {
  let server: Nginx;
  before(async () => {
    server = await startNginx(join(dir, 'nginx'), join(dir, 'www'), undefined, 'nobody nogroup');
    assert.equal(nomia(join(dir, 'a'), ['key', 'generate', 'refused-1'], { env }).code, 0);
  });
  after(() => server?.stop());

  test('workers that may not write the directory: the hint says so, not only the dav lines', () => {
    const p = nomia(join(dir, 'a'), ['push', `${server.url}/cache`, name], { env });
    assert.equal(p.code, 1, p.err);
    assert.match(p.err, /error\[cache\/io\]: .*PUT nix-cache-info answered (500|403)/);
    assert.match(p.err, /hint: .*must be able to write the cache's directory/);
  });
});

test('push to a server that is not running: the hint is to start it (--offline is realize\'s, not push\'s)', async () => {
  const port = await freePort();
  const a = join(dir, 'a-down');
  assert.equal(nomia(a, ['key', 'generate', 'down-1'], { env: { XDG_CONFIG_HOME: join(dir, 'config-down') } }).code, 0);
  const p = nomia(a, ['push', `http://127.0.0.1:${port}/cache`, name], { env: { XDG_CONFIG_HOME: join(dir, 'config-down') } });
  assert.equal(p.code, 1, p.err);
  assert.match(p.err, /error\[cache\/io\]: the cache http:\/\/127\.0\.0\.1:\d+\/cache is down: connect ECONNREFUSED/);
  assert.match(p.err, /hint: start the cache server, or check its URL/);
  assert.doesNotMatch(p.err, /--offline/);
});
