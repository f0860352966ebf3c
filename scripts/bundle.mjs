#!/usr/bin/env node
// Bundles the command line after tsc (npm run build), so a command reads
// two files instead of resolving hundreds of modules (rxjs alone is about
// 300 files as Node loads it):
// - dist/core/cli/strata.cjs: main.ts and everything it imports, one
//   CommonJS file, which core/cli/code-cache.ts runs through V8's code
//   cache (Node 20 caches no compiled code for ES modules). Each command's
//   modules stay behind esbuild's lazy initialisers, so `strata --help`
//   runs none of the build's code.
// - dist/core/cli/main.js: core/cli/launcher.ts, which runs it.
// Both sit in dist/core/cli/, so the paths the code derives from
// import.meta.url (STRATA_ROOT in core/config/project.ts, reproduce's own
// main.js) are the same as in the unbundled build; the tsc output of every
// module stays in dist/ for the tests and benches that import modules.
// node-pty is native: it stays external, required where it is used.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/core/cli');

// rxjs offers Node its CommonJS build, whose index loads every operator;
// its ES module build lets esbuild keep only what Strata uses.
const rxjsModules = {
  name: 'rxjs-esm',
  setup(b) {
    b.onResolve({ filter: /^rxjs$/ }, () => ({ path: join(root, 'node_modules/rxjs/dist/esm/index.js') }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', allowOverwrite: true, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: [join(root, 'core/cli/main.ts')],
  outfile: join(out, 'strata.cjs'),
  format: 'cjs',
  external: ['node-pty'],
  plugins: [rxjsModules],
  inject: [join(root, 'scripts/import-meta-url.mjs')],
  define: { 'import.meta.url': 'importMetaUrl' },
});
// The code cache's vm.Script has no loader for import(): every module must
// be in the bundle or required.
if (/\bimport\(/.test(readFileSync(join(out, 'strata.cjs'), 'utf8'))) throw new Error('strata.cjs calls import(), which code-cache.ts cannot run');
await build({ ...common, entryPoints: [join(root, 'core/cli/launcher.ts')], outfile: join(out, 'main.js'), format: 'esm' });
