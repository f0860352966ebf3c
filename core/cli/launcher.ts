#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './code-cache.js';

// What `strata` runs (dist/core/cli/main.js after `npm run build`): the
// whole command line, main.ts and everything it imports, is one CommonJS
// bundle beside this file (scripts/bundle.mjs), run through V8's code cache
// (code-cache.ts). This file is bundled on its own and stays small.
runWithCodeCache(fileURLToPath(new URL('./strata.cjs', import.meta.url)), process.argv[2]);
