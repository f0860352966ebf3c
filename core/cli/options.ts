import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadProject, type Project } from '../config/project.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { assignment, Level, type Assignment } from '../metadata/assignment.js';
import { Session } from '../session/session.js';

// Options every command shares: where the project is and what the command
// line says about machine, distro, mirrors, offline and parallelism.

export const COMMON_OPTIONS = {
  project: { type: 'string' },
  machine: { type: 'string' },
  distro: { type: 'string' },
  mirror: { type: 'string', multiple: true },
  offline: { type: 'boolean' },
  jobs: { type: 'string', short: 'j' },
  set: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(diag('usage', (e as Error).message, undefined, { hint: `usage: ${usage}` }));
  }
}

/** `--set NAME[:op][:ovr]=VALUE`, the strongest level of all. */
function commandLineVars(settings: readonly string[]): Assignment[] {
  return settings.map((text, i) => {
    const eq = text.indexOf('=');
    const loc = { file: '<command line>', line: 0, column: i + 1 };
    if (eq <= 0) throw new UserError(diag('usage', `--set '${text}' is not NAME=VALUE`, undefined, { hint: "write --set 'CFLAGS:append= -g'" }));
    return assignment(text.slice(0, eq), text.slice(eq + 1), Level.CommandLine, loc);
  });
}

export function projectFrom(values: Record<string, unknown>): Project {
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0)) throw new UserError(diag('usage', `-j needs a positive whole number, not '${values.jobs}'`));
  return loadProject(resolve((values.project as string) ?? process.cwd()), {
    machine: values.machine as string | undefined,
    distro: values.distro as string | undefined,
    mirrors: values.mirror as string[] | undefined,
    offline: values.offline as boolean | undefined,
    jobs,
    vars: commandLineVars((values.set as string[] | undefined) ?? []),
  });
}

/** The session of a command: its project from the common options; everything else is made by the session when asked for. */
export function sessionFrom(values: Record<string, unknown>): Session {
  return new Session(projectFrom(values));
}
