import type { Comparison } from './compare-builds.js';
import { CONDITIONS_NOTE, describe, type BuildRun } from './reproduce.js';

// The reproducibility report as text: the two conditions, then each task
// whose output differs, first differences first, with the members that
// differ (type, mode, sha256 and size on each side).

export function formatReport(target: string, runs: readonly BuildRun[], c: Comparison, extra: readonly string[] = []): string {
  const lines = [`strata reproduce ${target}`, ''];
  for (const r of runs) lines.push(`${r.condition.name} build: ${describe(r.condition)}`, `  folder ${r.project}`, `  log    ${r.log}`);
  lines.push('', ...CONDITIONS_NOTE);
  lines.push('', `${c.compared} task outputs compared; ${c.differences.length} differ.`);
  const firsts = c.differences.filter((d) => d.first);
  if (firsts.length)
    lines.push(
      `First difference: ${firsts[0].task}${
        firsts.length > 1
          ? ` (and ${firsts
              .slice(1)
              .map((d) => d.task)
              .join(', ')}, independently)`
          : ''
      }`,
    );
  for (const d of [...firsts, ...c.differences.filter((x) => !x.first)]) {
    lines.push(
      '',
      `${d.task}: output differs${d.first ? ' (nothing it waits for differs: this task made the difference)' : ' (follows from a difference before it)'}`,
    );
    for (const o of d.outputs) {
      lines.push(`  ${o.name}: ${o.members.length} member${o.members.length === 1 ? '' : 's'} differ`);
      for (const m of o.members.slice(0, 50)) lines.push(`    ${m.path}`, `      first:  ${m.a ?? '(absent)'}`, `      second: ${m.b ?? '(absent)'}`);
      if (o.members.length > 50) lines.push(`    … and ${o.members.length - 50} more`);
    }
  }
  if (c.signatureOnly.length)
    lines.push('', `Signatures that differ although nothing before them does (a host path or setting reached a task's inputs): ${c.signatureOnly.join(', ')}`);
  lines.push(...extra);
  return lines.join('\n') + '\n';
}
