/**
 * Which package provides a path (src/namespaces/deb/provides.ts), for the
 * error of a toolchain that lacks a directory the build names (issue 17):
 * dpkg's database first, then apt's Contents index, else nobody.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { contentsProviders, providersOf } from '../../src/namespaces/deb/provides.js';
import { tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const CONTENTS = [
  'usr/include/libpng16/png.h                              libdevel/libpng-dev',
  'usr/include/libpng16/pngconf.h                          libdevel/libpng-dev,libdevel/libpng-other-dev',
  'usr/include/libpng16x/decoy.h                           libdevel/decoy-dev',
  'usr/share/doc/libpng16/README                           doc/libpng-doc',
].join('\n');

test('apt\'s Contents index names the packages with files at or under a path, compressed or not', (t) => {
  if (!requireTool(t, '/usr/lib/apt/apt-helper', 'apt')) return;
  const lists = tempDir('deb-provides');
  writeFileSync(join(lists, 'deb.example_dists_bookworm_main_Contents-amd64'), `${CONTENTS}\n`);
  assert.deepEqual(contentsProviders('/usr/include/libpng16', lists), ['libpng-dev', 'libpng-other-dev']);
  assert.deepEqual(contentsProviders('/usr/include/libpng16/png.h', lists), ['libpng-dev']);
  assert.deepEqual(contentsProviders('/usr/include/nothing', lists), []);
  const gz = tempDir('deb-provides-gz');
  writeFileSync(join(gz, 'deb.example_dists_bookworm_main_Contents-amd64.gz'), gzipSync(`${CONTENTS}\n`));
  assert.deepEqual(contentsProviders('/usr/include/libpng16/', gz), ['libpng-dev', 'libpng-other-dev']);
  assert.deepEqual(contentsProviders('/usr/include/libpng16', join(gz, 'missing')), []);
});

test('an installed owner comes first (dpkg -S); without one, Contents; without either, nobody', (t) => {
  if (!requireTool(t, 'dpkg-query', 'dpkg') || !requireTool(t, '/usr/lib/apt/apt-helper', 'apt')) return;
  const lists = tempDir('deb-provides-lists');
  writeFileSync(join(lists, 'x_Contents-amd64'), `${CONTENTS}\n`);
  const env = { PATH: process.env['PATH'] };
  const linux = providersOf('/usr/include/linux', env, lists);
  assert.equal(linux?.from, 'installed');
  assert.ok(linux.packages.length > 0);
  // An empty package database owns nothing: apt's index answers, or nobody.
  const empty = tempDir('deb-provides-admin');
  mkdirSync(join(empty, 'info'));
  writeFileSync(join(empty, 'status'), '');
  assert.deepEqual(providersOf('/usr/include/libpng16', { ...env, DPKG_ADMINDIR: empty }, lists), { packages: ['libpng-dev', 'libpng-other-dev'], from: 'contents' });
  assert.equal(providersOf('/usr/include/nothing-here', { ...env, DPKG_ADMINDIR: empty }, lists), undefined);
});
