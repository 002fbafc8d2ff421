/**
 * The head of an answer as the cache's own HTTP clients read it: the
 * status, the body's length from Content-Length (any case, spaces around
 * the value), whether the server closes after it, and -1 for a body this
 * client does not frame (chunked, none, a length that is not a number).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHead } from '../../src/cache/http-head.js';

const head = (text: string) => {
  const b = Buffer.from(`${text}\r\n\r\n`);
  return parseHead(b, b.indexOf('\r\n\r\n'));
};

test('nginx\'s head of a file: status, length, kept alive', () => {
  const h = head('HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sat, 28 Nov 2026 03:20:00 GMT\r\nContent-Type: application/octet-stream\r\nContent-Length: 512\r\nLast-Modified: Sat, 28 Nov 2026 03:19:00 GMT\r\nConnection: keep-alive\r\nETag: "6566-200"\r\nAccept-Ranges: bytes');
  assert.deepEqual(h, { status: 200, length: 512, close: false });
});

test('names in any case, values with spaces around, HTTP/1.0, a closing server', () => {
  assert.deepEqual(head('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nCONNECTION: Close'), { status: 404, length: 0, close: true });
  assert.deepEqual(head('HTTP/1.0 200 OK\r\nContent-Length:7'), { status: 200, length: 7, close: false });
  assert.deepEqual(head('HTTP/1.1 200 OK\r\nX-A: b:c\r\nContent-Length :  9 '), { status: 200, length: 9, close: false });
});

test('a body not framed by a Content-Length is -1: chunked (even with a length), none, not a number', () => {
  assert.equal(head('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5')?.length, -1);
  assert.equal(head('HTTP/1.1 200 OK\r\nServer: x')?.length, -1);
  assert.equal(head('HTTP/1.1 200 OK')?.length, -1);
  assert.equal(head('HTTP/1.1 200 OK\r\nContent-Length: 1x')?.length, -1);
  assert.equal(head('HTTP/1.1 200 OK\r\nContent-Length: -1')?.length, -1);
});

test('what is no HTTP/1.x status line is undefined', () => {
  assert.equal(head('HTTP/2 200'), undefined);
  assert.equal(head('SSH-2.0-OpenSSH_9.2'), undefined);
  assert.equal(head('HTTP/1.1 2000 OK'), undefined);
});
