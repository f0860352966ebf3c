#!/usr/bin/env node
import { UserError } from '../diagnostics/diagnostic.js';
import { printDiagnostics } from '../diagnostics/printer.js';
import { buildCommand } from './build.js';
import { cacheCommand } from './cache.js';
import { cleanCommand } from './clean.js';
import { envCommand } from './env.js';
import { fetchCommand } from './fetch.js';
import { KCONFIG_COMMANDS } from './kconfig.js';
import { graphCommand } from './graph.js';
import { layersCommand } from './layers.js';
import { mirrorCommand } from './mirror.js';
import { recipesCommand } from './recipes.js';
import { runqemuCommand } from './runqemu.js';
import { testimageCommand } from './testimage.js';
import { whyCommand } from './why.js';

// Strata's command line. Each command lives in its own file; this one only
// dispatches and turns errors into exit codes: 0 ok, 1 a build or test
// failed, 2 bad input (printed as diagnostics), 130 interrupted.

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; summary: string }> = {
  build: { run: buildCommand, summary: 'fetch, then build an image or recipe offline' },
  cache: { run: cacheCommand, summary: 'show the size of the task-output cache, or prune objects not used lately' },
  clean: { run: cleanCommand, summary: "forget a recipe's work folder and stamps (not downloads or cache)" },
  fetch: { run: fetchCommand, summary: "download and verify every source of a target's closure" },
  mirror: { run: mirrorCommand, summary: 'file downloaded sources into a mirror folder by checksum' },
  testimage: { run: testimageCommand, summary: 'boot a built image in QEMU and run its checks' },
  runqemu: { run: runqemuCommand, summary: 'boot a built image in QEMU, interactively (Ctrl-A X quits)' },
  env: { run: envCommand, summary: 'show variables and the history of every assignment' },
  layers: { run: layersCommand, summary: 'list layers: priority, version, path, depends, masks' },
  recipes: { run: recipesCommand, summary: 'list recipes: versions, chosen version, layer, appends' },
  why: { run: whyCommand, summary: "say what changed since a recipe's tasks last ran" },
  graph: { run: graphCommand, summary: 'print the task graph of a target (dot or json)' },
  ...KCONFIG_COMMANDS,
};

function help(): string {
  return ['usage: strata <command> [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`), '', 'strata <command> --help shows its options.', ''].join('\n');
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
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UserError) {
      printDiagnostics(e.diagnostics);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`strata: internal error (a bug in Strata): ${(e as Error).stack ?? e}\n`);
    process.exitCode = 70;
  },
);
