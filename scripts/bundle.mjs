#!/usr/bin/env node
// Bundles the command line after tsc (npm run build): dist/core/cli/main.js
// is replaced by one file per command (esbuild, ESM, code splitting), so a
// command reads a handful of files instead of resolving hundreds of modules
// (rxjs alone is about 300 files as Node loads it); `strata --help` then
// starts in a few milliseconds more than Node itself (npm run
// bench:startup). The chunks sit beside main.js, in dist/core/cli/, so the
// paths the code derives from import.meta.url (STRATA_ROOT in
// core/config/project.ts, reproduce's own main.js) are the same as in the
// unbundled build; the tsc output of every module stays in dist/ for the
// tests and benches that import modules. node-pty is native: it stays
// external, loaded by the chunks that use it.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/core/cli');
const CHUNK = 'strata-chunk-';
for (const f of readdirSync(out)) if (f.startsWith(CHUNK)) rmSync(join(out, f));

// rxjs offers Node its CommonJS build, whose index loads every operator;
// its ES module build lets esbuild keep only what Strata uses.
const rxjsModules = {
  name: 'rxjs-esm',
  setup(b) {
    b.onResolve({ filter: /^rxjs$/ }, () => ({ path: join(root, 'node_modules/rxjs/dist/esm/index.js') }));
  },
};

await build({
  entryPoints: { main: join(root, 'core/cli/main.ts') },
  outdir: out,
  chunkNames: `${CHUNK}[hash]`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['node-pty'],
  allowOverwrite: true,
  logLevel: 'warning',
  plugins: [rxjsModules],
  // CommonJS dependencies (fast-glob, yaml) call require() for Node's own
  // modules; an ES module has no require, so each chunk makes one.
  banner: { js: "import { createRequire as __strataCreateRequire } from 'node:module'; const require = __strataCreateRequire(import.meta.url);" },
});
