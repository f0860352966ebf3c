import { rm, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { mkdir } from 'node:fs/promises';
import { compareRuns, conditions, describe, diffoscope, runBuild } from '../release/reproduce.js';
import { formatReport } from '../release/reproduce-report.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata reproduce <image|recipe> [--work DIR] [--keep] [--umask OCTAL] [--machine M] [--set VAR=VALUE]… [--project DIR]';

// Proves (or disproves) that a target is reproducible: fetch once, build
// twice from scratch under varied conditions, compare every captured task
// output. Exit 0 identical, 1 different or a build failed. The report goes
// to build/reproduce/<target>/report.txt (and report.json).

export async function reproduceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, work: { type: 'string' }, keep: { type: 'boolean' }, umask: { type: 'string' } }, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const target = positionals[0];
  const umask = values.umask ?? '077';
  if (!/^0?[0-7]{3}$/.test(umask)) throw new UserError(diag('usage', `--umask needs an octal mask like 077, not '${umask}'`));
  const session = sessionFrom(values);
  const { project, layout } = session;
  const services = await session.services();
  await services.fetch(session.plan(target));
  const work = values.work ? resolve(values.work) : mkdtempSync(join(tmpdir(), 'strata-reproduce-'));
  await mkdir(work, { recursive: true });
  const cli = fileURLToPath(new URL('./main.js', import.meta.url));
  const runs = [];
  for (const c of conditions(project.jobs, umask)) {
    process.stdout.write(`building ${target}: ${describe(c)}\n`);
    const run = await runBuild(cli, target, project, work, c, (values.set as string[] | undefined) ?? []);
    if (run.code !== 0) {
      process.stderr.write(`error: the ${c.name} build of ${target} failed (exit ${run.code}); its log is ${run.log}\n`);
      return 1;
    }
    runs.push(run);
  }
  const comparison = await compareRuns(target, runs[0], runs[1], services.context.writers);
  const reportDir = layout.reproduceDir(target);
  await mkdir(reportDir, { recursive: true });
  const extra: string[] = [];
  for (const d of comparison.differences.filter((x) => x.first)) {
    for (const o of d.outputs) {
      const file = join(reportDir, `diffoscope-${d.task.replace(/[^A-Za-z0-9.-]+/g, '_')}-${o.name}.txt`);
      if (await diffoscope(o.a, o.b, file)) extra.push(`diffoscope report for ${d.task} ${o.name}: ${file}`);
    }
  }
  const text = formatReport(
    target,
    runs,
    comparison,
    extra.length ? ['', ...extra] : ['', 'diffoscope is not installed (apt-get install diffoscope): members are compared by type, mode and sha256 only.'],
  );
  await writeFile(join(reportDir, 'report.txt'), text);
  await writeFile(
    join(reportDir, 'report.json'),
    JSON.stringify({ target, runs: runs.map((r) => ({ ...r, condition: r.condition })), ...comparison }, null, 1) + '\n',
  );
  const same = comparison.differences.length === 0 && comparison.signatureOnly.length === 0;
  if (same) {
    process.stdout.write(`${target} is reproducible: ${comparison.compared} task outputs identical in both builds. Report: ${join(reportDir, 'report.txt')}\n`);
    if (!values.keep) await rm(work, { recursive: true, force: true });
    return 0;
  }
  const first = comparison.differences.find((d) => d.first);
  const files = first?.outputs.flatMap((o) => o.members.map((m) => `${o.name}/${m.path}`)) ?? [];
  process.stderr.write(
    `${target} is NOT reproducible: ${comparison.differences.length} of ${comparison.compared} task outputs differ.\n` +
      (first ? `First difference: ${first.task}${files.length ? `, in ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}` : ''}\n` : '') +
      `Report: ${join(reportDir, 'report.txt')}; both build folders are kept in ${work}\n`,
  );
  return 1;
}
