import { topologicalOrder } from '../graph/task-graph.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata graph <image|recipe> [--format dot|json] [--machine M] [--distro D] [--project DIR]';

// The task graph of a target, exactly as `strata build` would run it:
// Graphviz dot (one cluster per recipe; `dot -Tsvg` draws it) or JSON, with
// tasks in a valid run order.

function dotId(s: string): string {
  return JSON.stringify(s);
}

export async function graphCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, format: { type: 'string' } }, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const format = values.format ?? 'dot';
  if (format !== 'dot' && format !== 'json')
    throw new UserError(diag('usage', `unknown graph format '${format}'`, undefined, { hint: 'use --format dot or --format json' }));
  const target = positionals[0];
  const { graph } = sessionFrom(values).plan(target);
  const order = topologicalOrder(graph);
  if (format === 'json') {
    const tasks = order.map((key) => {
      const n = graph.get(key);
      return { id: key, recipe: n.id.recipe, task: n.id.task, deps: [...n.deps].sort() };
    });
    process.stdout.write(JSON.stringify({ target, tasks }, null, 2) + '\n');
    return 0;
  }
  const byRecipe = new Map<string, string[]>();
  for (const key of order) {
    const r = graph.get(key).id.recipe;
    byRecipe.set(r, [...(byRecipe.get(r) ?? []), key]);
  }
  const out = [`digraph ${dotId(target)} {`, '  rankdir=LR;', '  node [shape=box, fontsize=10];'];
  let i = 0;
  for (const [recipe, keys] of [...byRecipe].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`  subgraph cluster_${i++} {`, `    label=${dotId(recipe)};`);
    for (const k of keys) out.push(`    ${dotId(k)} [label=${dotId(graph.get(k).id.task)}];`);
    out.push('  }');
  }
  for (const key of order) for (const d of [...graph.get(key).deps].sort()) out.push(`  ${dotId(d)} -> ${dotId(key)};`);
  out.push('}');
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
