import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/printer.js';
import type { Recipe } from '../resolve/recipe.js';
import { treeHash } from '../signature/tree-hash.js';
import { TaskFailed, type TaskImplementation } from './context.js';
import { checkFragments, fragmentSyntaxDiagnostics, kconfigDiagnostics } from '../kernel/fragment-check.js';
import { parseDotConfig, parseFragment, type KconfigRequest } from '../kernel/kconfig-file.js';
import { checkDefconfig, resolveFragments } from '../kernel/kconfig-inputs.js';

// The configure task of a recipe that sets KCONFIG_DEFCONFIG (linux,
// u-boot, busybox; see layers/core/classes/kconfig.yaml): the recipe's own script,
// with an in-process step on each side.
//
//  before: the base config and every fragment are checked (unknown
//          defconfig, defconfig of another arch, missing fragment, a line
//          that is not Kconfig), so bad input fails before make runs; the
//          fragments are copied in order to ${KCONFIG_FRAGMENT_DIR} as
//          NN-<name>, which the script hands to merge_config.sh.
//  after:  every option the fragments ask for is checked against the final
//          ${B}/.config (fragment-check.ts).

const recipeOf = (p: unknown): Recipe => (p as { recipe: Recipe }).recipe;
const isKconfig = (r: Recipe): boolean => r.data.has('KCONFIG_DEFCONFIG');

function fail(diags: readonly Diagnostic[], log?: string): never {
  throw new TaskFailed(diags.map(formatDiagnostic).join('\n'), log);
}

/** The requests of every fragment, in merge order, or the syntax errors they have. */
function readRequests(r: Recipe): KconfigRequest[] {
  const { fragments, problems } = resolveFragments(r);
  if (problems.length) fail(problems);
  const requests: KconfigRequest[] = [];
  const syntax: Diagnostic[] = [];
  for (const f of fragments) {
    const parsed = parseFragment(readFileSync(f.path, 'utf8'), f.path);
    requests.push(...parsed.requests);
    syntax.push(...fragmentSyntaxDiagnostics(parsed.errors, r.name));
  }
  if (syntax.length) fail(syntax);
  return requests;
}

export function withKconfigChecks(base: TaskImplementation): TaskImplementation {
  return {
    ...base,
    async inputs(node, ctx) {
      const inputs = await base.inputs(node, ctx);
      const r = recipeOf(node.payload);
      if (!isKconfig(r) || typeof inputs === 'string') return inputs;
      // The fragments by content: editing one re-runs configure even though
      // the variable naming it did not change.
      const files: Record<string, string> = { ...inputs.files };
      for (const f of resolveFragments(r).fragments) files[`fragment ${f.name}`] = treeHash(f.path);
      return { ...inputs, files, settings: `${inputs.settings ?? ''}kconfig checks v1: defconfig, fragments, final .config` };
    },
    async run(t) {
      const r = recipeOf(t.node.payload);
      if (!isKconfig(r)) return base.run(t);
      const requests = readRequests(r);
      const defconfig = checkDefconfig(r, (p) => readFileSync(p, 'utf8'));
      if (defconfig.length) fail(defconfig);
      const dir = r.data.get('KCONFIG_FRAGMENT_DIR');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      resolveFragments(r).fragments.forEach((f, i) => copyFileSync(f.path, join(dir, `${String(i + 1).padStart(2, '0')}-${basename(f.path)}`)));
      await base.run(t);
      const dotConfig = join(r.data.get('B'), '.config');
      if (!existsSync(dotConfig)) throw new TaskFailed(`${r.name}:configure: ${dotConfig} was not written`, t.log);
      const problems = checkFragments(requests, parseDotConfig(readFileSync(dotConfig, 'utf8')));
      if (problems.length) fail(kconfigDiagnostics(problems, r.name), t.log);
      const asked = new Set(requests.map((q) => q.option)).size;
      await appendFile(t.log, asked ? `strata: all ${asked} options the fragments ask for hold in ${dotConfig}\n` : 'strata: no configuration fragments\n');
    },
  };
}
