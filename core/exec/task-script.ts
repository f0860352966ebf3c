import type { DataStore } from '../metadata/datastore.js';
import { sandboxEntry, type SandboxSpec } from './sandbox.js';

// The exact script a task runs, written in full to `run.<task>` so a user can
// read it and re-run it by hand (`sh run.compile`): its first lines enter
// the task sandbox (core/exec/sandbox.ts), so a re-run by hand is as
// confined as the build's run.

/** Variables every task sees in its environment; recipes add names to EXPORT. */
const ALWAYS_EXPORTED = ['PN', 'PV', 'WORKDIR', 'S', 'B', 'D', 'SYSROOT', 'MACHINE', 'DISTRO', 'TARGET_ARCH', 'JOBS', 'SOURCE_DATE_EPOCH'];

export const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The fixed part of every task's environment: nothing from the user's shell leaks in. */
export const BASE_ENV: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
  LC_ALL: 'C',
  TZ: 'UTC',
  TERM: 'dumb',
};

/**
 * What a task script needs of a recipe: core/resolve's Recipe has it. Named
 * here so exec, which the package, rootfs and image writers below the
 * configuration use, never imports resolve (docs/architecture.md, rule 8).
 */
export interface ScriptRecipe {
  readonly name: string;
  readonly version: string;
  readonly file: string;
  readonly data: DataStore;
}

/** Names of the variables exported to every task of the recipe (EXPORT itself among them, when set). */
export function exportedNames(r: ScriptRecipe): string[] {
  const extra = r.data.has('EXPORT') ? ['EXPORT', ...r.data.get('EXPORT').split(/\s+/).filter(Boolean)] : [];
  return [...new Set([...ALWAYS_EXPORTED, ...extra])].filter((n) => r.data.has(n));
}

export function exportedVariables(r: ScriptRecipe): [string, string][] {
  return exportedNames(r)
    .filter((n) => n !== 'EXPORT')
    .map((n) => [n, r.data.get(n)]);
}

export function composeTaskScript(
  r: ScriptRecipe,
  task: string,
  body: string,
  opts: { cwd: string; sandbox: SandboxSpec; scriptPath: string; prelude?: string },
): string {
  const lines = [
    '#!/bin/sh',
    `# Strata task ${r.name}:${task} (${r.name} ${r.version}, from ${r.file})`,
    `# It enters its sandbox first (no network, only the work folder writable: docs/security.md); re-run by hand: sh ./run.${task}`,
    sandboxEntry(opts.sandbox, opts.scriptPath),
    // -u: an unset variable is an error, so `rm -rf "$DEST/usr"` with a typo cannot become `rm -rf /usr`.
    'set -eu',
    ...Object.entries({ ...BASE_ENV, HOME: r.data.get('WORKDIR') }).map(([k, v]) => `export ${k}=${quote(v)}`),
    ...exportedVariables(r).map(([k, v]) => `export ${k}=${quote(v)}`),
    ...(opts.prelude ? [opts.prelude] : []),
    `mkdir -p ${quote(opts.cwd)}`,
    `cd ${quote(opts.cwd)}`,
    '',
    body.trimEnd(),
    '',
  ];
  return lines.join('\n');
}
