import { join } from 'node:path';
import { StampStore } from '../build/stamps.js';
import { TASKS } from '../build/tasks/registry.js';
import { buildTasks } from '../build/build-tasks.js';
import { projectCache } from '../cache/project-cache.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { formatLocation } from '../diagnostics/printer.js';
import { planBuild } from '../graph/plan.js';
import { RunQueue } from '../scheduler/run-queue.js';
import { buildRoots } from '../signature/build-roots.js';
import { explainChange } from '../signature/explain.js';
import { Configuration } from '../resolve/configuration.js';
import { plugins } from './container.js';
import { sourceFetcher } from '../fetch/phase.js';
import { COMMON_OPTIONS, parse, projectFrom } from './options.js';

export const USAGE = 'strata why <recipe|image>[:<task>] [--machine M] [--project DIR]';

// Says, in words, why a recipe's tasks would run in the next build: for
// each task, up to date, restorable from the cache, or what changed since
// its last build (which variable, which file, which dependency) by
// comparing the signature record in its stamp with the one it has now.

export async function whyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [recipeName, only] = positionals[0].split(':');
  const project = projectFrom(values);
  const cfg = new Configuration(project);
  // An image name asks about the image's own tasks (rootfs, image).
  const isImage = cfg.catalog.listConfigs('images').includes(recipeName) && !cfg.catalog.recipes.has(recipeName);
  const recipe = isImage ? undefined : cfg.provider(recipeName, 'the command line');
  const name = recipe?.name ?? recipeName;
  const plan = planBuild(cfg, name);
  const { fetchers, writers } = plugins();
  const stamps = new StampStore(join(project.buildDir, 'stamps', cfg.machine.name));
  const queue = new RunQueue(plan.graph, buildTasks(TASKS, { cfg, fetcher: sourceFetcher(project, fetchers), writers, sourceDateEpoch: 1704067200 }), stamps, {
    jobs: 1,
    roots: buildRoots(cfg),
    cache: projectCache(project),
  });
  await queue.plan();
  const keys = [...plan.graph.nodes.values()].filter((n) => n.id.recipe === name && (!only || n.id.task === only)).map((n) => n.key);
  if (!keys.length)
    throw new UserError(
      diag('usage', `${name} has no task '${only}'`, undefined, {
        hint: `tasks: ${[...plan.graph.nodes.values()]
          .filter((n) => n.id.recipe === name)
          .map((n) => n.id.task)
          .join(', ')}`,
      }),
    );

  const reasons = new Map<string, string[]>();
  const explain = async (key: string): Promise<string[]> => {
    const known = reasons.get(key);
    if (known) return known;
    const node = plan.graph.get(key);
    const decided = queue.plans.get(key);
    const signed = queue.signatures.get(key);
    const stamp = await stamps.read(node.id);
    let out: string[];
    if (decided === 'stamped') out = ['up to date'];
    else if (decided === 'restore') out = ['will be restored from the cache (its inputs match a cached output)'];
    else if (!stamp) out = ['has not run in this build folder yet'];
    else if (signed) {
      out = explainChange(stamp.record, signed.record).map((line) => {
        const name = /^variable (\S+) /.exec(line)?.[1];
        const owner = 'recipe' in node.payload ? node.payload.recipe : undefined;
        const final = name && owner ? owner.data.history(name).find((h) => h.effect === 'final') : undefined;
        return final ? `${line} (set at ${formatLocation(final.assignment.loc)})` : line;
      });
      if (!out.length) out = ['must run: its output is not recorded'];
    } else {
      // Its inputs are not known yet: tasks it waits for must run first.
      // Name them, and the tasks where the change really is (the first ones
      // in the chain whose own inputs are known and changed).
      const direct = node.deps.filter((d) => queue.plans.get(d) === 'run');
      const roots = new Set<string>();
      const seen = new Set<string>();
      const walk = async (k: string) => {
        if (seen.has(k)) return;
        seen.add(k);
        const known = queue.signatures.get(k);
        const before = (await stamps.read(plan.graph.get(k).id))?.record;
        if (known && (!before || explainChange(before, known.record).some((l) => !l.startsWith('dependency')))) roots.add(k);
        else for (const d of plan.graph.get(k).deps) if (queue.plans.get(d) === 'run') await walk(d);
      };
      for (const d of direct) await walk(d);
      out = [`waits for ${direct.join(', ')}, which must run again`];
      for (const r of [...roots].sort()) out.push(`because ${r}: ${(await explain(r)).join('; ')}`);
    }
    reasons.set(key, out);
    return out;
  };
  for (const key of keys) {
    const lines = await explain(key);
    const settled = lines.length === 1 && /^(up to date|will be restored|has not run)/.test(lines[0]);
    process.stdout.write(settled ? `${key}: ${lines[0]}\n` : `${key} must run again:\n${lines.map((l) => `  ${l}\n`).join('')}`);
  }
  return 0;
}
