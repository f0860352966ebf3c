import { UserError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { formatLocation } from '../diagnostics/printer.js';
import { keyOf, levelName } from '../metadata/assignment.js';
import type { DataStore, Effect } from '../metadata/datastore.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata env [-r RECIPE | -i IMAGE] [VAR…] [--json] [--machine M] [--distro D]';

// Like `bitbake -e`: every variable (or those named) with its final value and
// every assignment that shaped it (key, operator, overrides, level,
// file:line:col) and its effect. A value that cannot be expanded is reported
// as a diagnostic with its location, and the command fails, after printing
// everything else.

/** The shape of `strata env --json`; docs/metadata.md documents it. Bump on any change of meaning. */
export const ENV_FORMAT = 2;

interface HistoryRecord {
  key: string;
  op: string;
  overrides: readonly string[];
  target: readonly string[];
  value: string;
  expanded?: string;
  level: string;
  location: string;
  effect: Effect;
}

interface VariableRecord {
  name: string;
  value?: string;
  error?: { code: string; message: string; location?: string };
  history: HistoryRecord[];
}

function describe(data: DataStore, name: string, problems: Diagnostic[]): VariableRecord {
  const out: VariableRecord = { name, history: [] };
  try {
    if (data.has(name)) out.value = data.get(name);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    const d = e.diagnostics[0];
    out.error = { code: d.code, message: d.message, location: d.location && formatLocation(d.location) };
    problems.push(...e.diagnostics);
  }
  out.history = data.history(name).map(({ assignment: a, effect }) => {
    let expanded: string | undefined;
    if (a.op === 'immediate' && effect !== 'inactive') {
      try {
        expanded = data.immediateValue(a);
      } catch {
        // reported above, through the variable's value
      }
    }
    return {
      key: keyOf(a),
      op: a.op,
      overrides: a.overrides,
      target: a.target,
      value: a.value,
      expanded,
      level: levelName(a.level),
      location: formatLocation(a.loc),
      effect,
    };
  });
  return out;
}

function historyLine(v: string, h: HistoryRecord): string {
  const op = h.op === 'set' ? '=' : `:${h.op}`;
  const setsValue = h.op === 'set' || h.op === 'immediate' || h.op === 'default';
  const conditions = h.overrides.slice(h.target.length);
  const on = h.target.length ? (setsValue ? ` [if ${h.target.join(' and ')}]` : ` [on ${[v, ...h.target].join(':')}]`) : '';
  const cond = conditions.length ? ` [if ${conditions.join(' and ')}]` : '';
  const value = h.op === 'unset' ? '' : ` ${JSON.stringify(h.value)}${h.expanded !== undefined ? ` -> ${JSON.stringify(h.expanded)}` : ''}`;
  return `  ${h.effect.padEnd(10)} ${op}${value}${on}${cond}  (${h.level}, ${h.location})\n`;
}

/** One diagnostic per distinct problem: a bad reference is met again by every variable that uses it. */
function distinct(problems: Diagnostic[]): Diagnostic[] {
  const seen = new Map<string, Diagnostic>();
  for (const d of problems) seen.set(`${d.code}\0${d.message}\0${d.location ? formatLocation(d.location) : ''}`, d);
  return [...seen.values()];
}

export async function envCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...COMMON_OPTIONS, recipe: { type: 'string', short: 'r' }, image: { type: 'string', short: 'i' }, json: { type: 'boolean' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const cfg = sessionFrom(values).cfg;
  const data = values.recipe ? cfg.recipe(values.recipe).data : cfg.imageData(cfg.image(values.image ?? 'minimal'));
  const names = positionals.length ? positionals : data.names().filter((n) => !n.startsWith('do_'));
  const problems: Diagnostic[] = [];
  const vars = names.map((n) => describe(data, n, problems));
  if (values.json) {
    const doc = {
      format: ENV_FORMAT,
      recipe: values.recipe ?? null,
      image: values.recipe ? null : (values.image ?? 'minimal'),
      machine: cfg.machine.name,
      distro: cfg.distro.name,
      overrides: data.overrides,
      variables: vars,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    process.stdout.write(`# OVERRIDES (weakest first): ${data.overrides.join(':')}\n`);
    for (const v of vars) {
      process.stdout.write(`${v.name}=${v.error ? `<error[${v.error.code}]>` : JSON.stringify(v.value ?? null)}\n`);
      for (const h of v.history) process.stdout.write(historyLine(v.name, h));
    }
  }
  if (problems.length) throw new UserError(distinct(problems));
  return 0;
}
