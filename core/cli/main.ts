#!/usr/bin/env node
import { UserError } from '../diagnostics/diagnostic.js';
import { printDiagnostics } from '../diagnostics/printer.js';

// Strata's command line. Each command lives in its own file; this one only
// dispatches and turns errors into exit codes: 0 ok, 1 a build or test
// failed, 2 bad input (printed as diagnostics), 130 interrupted.

// Each command's module is loaded only when that command runs, so `strata
// --help` or `strata env` does not pay for the build's dependencies
// (rxjs, node-pty, the task implementations). `npm run build` bundles this
// file and its imports into one file that core/cli/launcher.ts runs through
// V8's code cache (scripts/bundle.mjs); the bundle keeps each module's body
// behind a lazy initialiser, so this rule holds there too. `npm run
// bench:startup` measures it.
type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; summary: string }> = {
  build: { run: () => import('./build.js').then((m) => m.buildCommand), summary: 'fetch, then build an image or recipe offline' },
  cache: { run: () => import('./cache.js').then((m) => m.cacheCommand), summary: 'show the size of the task-output cache, or prune objects not used lately' },
  clean: { run: () => import('./clean.js').then((m) => m.cleanCommand), summary: "forget a recipe's work folder and stamps (not downloads or cache)" },
  fetch: { run: () => import('./fetch.js').then((m) => m.fetchCommand), summary: "download and verify every source of a target's closure" },
  mirror: { run: () => import('./mirror.js').then((m) => m.mirrorCommand), summary: 'file downloaded sources into a mirror folder by checksum' },
  testimage: { run: () => import('./testimage.js').then((m) => m.testimageCommand), summary: 'boot a built image in QEMU and run its checks' },
  runqemu: { run: () => import('./runqemu.js').then((m) => m.runqemuCommand), summary: 'boot a built image in QEMU, interactively (Ctrl-A X quits)' },
  env: { run: () => import('./env.js').then((m) => m.envCommand), summary: 'show variables and the history of every assignment' },
  layers: { run: () => import('./layers.js').then((m) => m.layersCommand), summary: 'list layers: priority, version, path, depends, masks' },
  recipes: { run: () => import('./recipes.js').then((m) => m.recipesCommand), summary: 'list recipes: versions, chosen version, layer, appends' },
  why: { run: () => import('./why.js').then((m) => m.whyCommand), summary: "say what changed since a recipe's tasks last ran" },
  graph: { run: () => import('./graph.js').then((m) => m.graphCommand), summary: 'print the task graph of a target (dot or json)' },
  release: {
    run: () => import('./release.js').then((m) => m.releaseCommand),
    summary: 'write a self-contained folder that rebuilds an image offline, bit for bit',
  },
  reproduce: {
    run: () => import('./reproduce.js').then((m) => m.reproduceCommand),
    summary: 'build a target twice under varied conditions and compare every output',
  },
  'archive-sources': {
    run: () => import('./archive-sources.js').then((m) => m.archiveSourcesCommand),
    summary: 'every source, patch and licence text of an image, with a licence manifest',
  },
  sign: { run: () => import('./sign.js').then((m) => m.signCommand), summary: 'sign a file (a build manifest) with an Ed25519 key, minisign format' },
  verify: { run: () => import('./verify.js').then((m) => m.verifyCommand), summary: 'check that at least T trusted keys signed a file' },
  menuconfig: {
    run: () => import('./kconfig.js').then((m) => m.menuconfigCommand),
    summary: "run a Kconfig recipe's menuconfig (linux, u-boot) in its build folder",
  },
  diffconfig: { run: () => import('./kconfig.js').then((m) => m.diffconfigCommand), summary: 'write what menuconfig changed as a configuration fragment' },
};

const WIDTH = Math.max(...Object.keys(COMMANDS).map((n) => n.length));

function help(): string {
  return [
    'usage: strata <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(WIDTH)} ${c.summary}`),
    '',
    'strata <command> --help shows its options.',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`strata: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  try {
    return await (
      await cmd.run()
    )(rest);
  } catch (e) {
    if (e instanceof UserError) {
      printDiagnostics(e.diagnostics);
      return 2;
    }
    throw e;
  }
}

// `strata why … | head`: once the reader is gone, stop quietly, as cat does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`strata: internal error (a bug in Strata): ${(e as Error).stack ?? e}\n`);
    process.exitCode = 70;
  },
);
