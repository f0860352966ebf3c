import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { FragmentSyntaxError, KconfigRequest } from './kconfig-file.js';

// After merge_config.sh has merged the fragments into the base config and
// Kconfig has resolved dependencies, every option a fragment asked for is
// checked against the final .config. Kconfig silently drops a value whose
// dependencies are not met (and merge_config.sh, like Yocto's
// kernel_configcheck, only warns), so a board would quietly lose its
// console or root filesystem driver; here it is an error at the fragment
// line that asked for it.
//
// When several fragments set one option, the last one (in merge order)
// is what merge_config.sh used, so only that one is checked.

export type KconfigProblemKind = 'dropped' | 'changed';

export interface KconfigProblem {
  readonly kind: KconfigProblemKind;
  readonly request: KconfigRequest;
  /** The value in .config; undefined when .config does not mention the option at all. */
  readonly actual?: string;
}

/** `n` is also what an option the .config does not mention amounts to. */
const effective = (v: string | undefined): string => v ?? 'n';

export function checkFragments(requests: readonly KconfigRequest[], config: ReadonlyMap<string, string>): KconfigProblem[] {
  const last = new Map<string, KconfigRequest>();
  for (const r of requests) last.set(r.option, r);
  const problems: KconfigProblem[] = [];
  for (const r of last.values()) {
    const actual = config.get(r.option);
    if (effective(actual) === r.value) continue;
    // Asked on, and .config has no line for it: the option does not exist in
    // this kernel, or a dependency is off so Kconfig never offered it.
    const kind: KconfigProblemKind = actual === undefined || actual === 'n' ? 'dropped' : 'changed';
    problems.push({ kind, request: r, actual });
  }
  return problems.sort((a, b) => a.request.file.localeCompare(b.request.file) || a.request.line - b.request.line);
}

const show = (option: string, value: string): string => (value === 'n' ? `# ${option} is not set` : `${option}=${value}`);

/** One diagnostic per problem, at the fragment line; `tool` names the menuconfig command to explore with. */
export function kconfigDiagnostics(problems: readonly KconfigProblem[], recipe: string): Diagnostic[] {
  return problems.map(({ kind, request: r, actual }) => {
    const loc = { file: r.file, line: r.line, column: 1 };
    const symbol = r.option.replace(/^CONFIG_/, '');
    const explore = `run \`strata menuconfig ${recipe}\` and search (/) for ${symbol} to see what it depends on`;
    if (kind === 'dropped') {
      return diag(
        'kconfig-dropped',
        `${recipe}: ${show(r.option, r.value)} was dropped: the final .config ${actual === undefined ? 'does not have this option' : 'has it off'}`,
        loc,
        {
          hint:
            actual === undefined
              ? `the option does not exist in this source tree, or an option it depends on is off; ${explore}`
              : `something else turns it off, or a choice it belongs to picked another entry; ${explore}`,
        },
      );
    }
    return diag('kconfig-changed', `${recipe}: ${show(r.option, r.value)} became ${show(r.option, actual!)} in the final .config`, loc, {
      hint:
        r.value === 'm' && actual === 'y'
          ? `a module needs CONFIG_MODULES=y, or another option forces it built in; ${explore}`
          : `another option selects or limits it; ${explore}`,
    });
  });
}

export function fragmentSyntaxDiagnostics(errors: readonly FragmentSyntaxError[], recipe: string): Diagnostic[] {
  return errors.map((e) =>
    diag(
      'kconfig-fragment-syntax',
      `${recipe}: not a Kconfig line: ${JSON.stringify(e.text.trim())}`,
      { file: e.file, line: e.line, column: 1 },
      {
        hint: 'write CONFIG_NAME=value or "# CONFIG_NAME is not set"; other lines must start with #',
      },
    ),
  );
}
