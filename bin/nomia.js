#!/usr/bin/env node
// The Node CLI: everything lives in the compiled library (dist/), built by `npm ci` (prepare).
// `bin/nomia` (the package's command) runs the native client when it was built, which runs this file
// whenever no daemon's spare process answers for it (docs/engine.md, "Spare CLI processes").
import { runAsProcess } from '../dist/src/cli/main.js';

await runAsProcess(process.argv.slice(2));
