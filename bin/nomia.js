#!/usr/bin/env node
// The CLI entry point: everything lives in the compiled library (dist/), built by `npm ci` (prepare).
import { main } from '../dist/src/cli/main.js';

// A reader that stops early (`nomia … | head`) is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
