import { formatLocation } from '../diagnostics/printer.js';
import { levelName } from '../metadata/assignment.js';
import type { DataStore } from '../metadata/datastore.js';
import { Configuration } from '../resolve/configuration.js';
import { COMMON_OPTIONS, parse, projectFrom } from './options.js';

export const USAGE = 'strata env [-r RECIPE | -i IMAGE] [VAR…] [--json] [--machine M] [--distro D]';

// Shows final values and, for each variable asked about, every assignment
// that shaped it (operator, overrides, level, file:line) and its effect.

function describe(data: DataStore, name: string): object {
  let value: string | undefined;
  let error: string | undefined;
  try {
    value = data.has(name) ? data.get(name) : undefined;
  } catch (e) {
    error = (e as Error).message;
  }
  return {
    name,
    value,
    error,
    history: data.history(name).map((h) => ({
      op: h.assignment.op,
      overrides: h.assignment.overrides,
      value: h.assignment.value,
      level: levelName(h.assignment.level),
      location: formatLocation(h.assignment.loc),
      effect: h.effect,
    })),
  };
}

export async function envCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, recipe: { type: 'string', short: 'r' }, image: { type: 'string', short: 'i' }, json: { type: 'boolean' } }, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const cfg = new Configuration(projectFrom(values));
  const data = values.recipe ? cfg.recipe(values.recipe).data : cfg.imageData(cfg.image(values.image ?? 'minimal'));
  const names = positionals.length ? positionals : data.names().filter((n) => !n.startsWith('do_'));
  const vars = names.map((n) => describe(data, n)) as { name: string; value?: string; error?: string; history: { op: string; overrides: string[]; level: string; location: string; effect: string; value: string }[] }[];
  if (values.json) {
    process.stdout.write(JSON.stringify({ format: 1, recipe: values.recipe ?? null, image: values.recipe ? null : (values.image ?? 'minimal'), machine: cfg.machine.name, distro: cfg.distro.name, overrides: data.overrides, variables: vars }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(`# OVERRIDES (weakest first): ${data.overrides.join(':')}\n`);
  for (const v of vars) {
    process.stdout.write(`${v.name}=${v.error ? `<error: ${v.error}>` : JSON.stringify(v.value ?? null)}\n`);
    if (positionals.length) {
      for (const h of v.history) {
        const op = h.op === 'set' ? '=' : `:${h.op}`;
        const cond = h.overrides.length ? ` [if ${h.overrides.join(' and ')}]` : '';
        process.stdout.write(`  ${h.effect.padEnd(10)} ${op} ${JSON.stringify(h.value)}${cond}  (${h.level}, ${h.location})\n`);
      }
    }
  }
  return 0;
}
