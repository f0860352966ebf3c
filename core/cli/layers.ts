import { relative } from 'node:path';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata layers [--json] [--project DIR]';

// Lists the project's layers as Strata merges them: highest priority first,
// with version, folder, dependencies and what their masks hide.

export async function layersCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...COMMON_OPTIONS, json: { type: 'boolean' } }, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const cfg = sessionFrom(values).cfg;
  const layers = [...cfg.catalog.layers].sort((a, b) => b.priority - a.priority);
  const rows = layers.map((l) => ({
    name: l.name,
    version: l.version,
    priority: l.priority,
    path: l.dir,
    depends: l.depends.map((d) => d.text),
    series: l.series,
    masks: l.masks.map((m) => m.pattern),
  }));
  if (values.json) {
    process.stdout.write(JSON.stringify({ layers: rows, masked: cfg.catalog.masked }, null, 2) + '\n');
    return 0;
  }
  const width = (pick: (r: (typeof rows)[number]) => string, title: string) => Math.max(title.length, ...rows.map((r) => pick(r).length));
  const w = [width((r) => r.name, 'layer'), width((r) => r.version, 'version'), width((r) => String(r.priority), 'priority')];
  const line = (cols: string[]) =>
    cols
      .map((c, i) => (i < w.length ? c.padEnd(w[i]) : c))
      .join('  ')
      .trimEnd() + '\n';
  process.stdout.write(line(['layer', 'version', 'priority', 'path', 'depends']));
  for (const r of rows) process.stdout.write(line([r.name, r.version, String(r.priority), relative(process.cwd(), r.path) || '.', r.depends.join(', ')]));
  if (cfg.catalog.masked.length) {
    process.stdout.write(`\nmasked (${cfg.catalog.masked.length} files):\n`);
    for (const f of cfg.catalog.masked) process.stdout.write(`  ${relative(process.cwd(), f)}\n`);
  }
  return 0;
}
