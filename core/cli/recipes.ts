import { relative } from 'node:path';
import { compareVersions } from '../model/version.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata recipes [NAME…] [--json] [--machine M] [--distro D] [--project DIR]';

// Every recipe the layers offer: all its versions and where they are, the
// version this configuration builds and why (preferred or highest), and the
// appends and classes that shape it. The JSON form is documented in
// docs/metadata.md and stable.

export async function recipesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, json: { type: 'boolean' } }, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const cfg = sessionFrom(values).cfg;
  const names = positionals.length ? positionals : [...cfg.catalog.recipes.keys()].sort();
  const rows = names.map((name) => {
    const r = cfg.recipe(name);
    const files = [...cfg.catalog.recipes.get(name)!].sort((a, b) => compareVersions(b.version, a.version) || b.layer.priority - a.layer.priority);
    const preferred = cfg.preferredVersion(name);
    return {
      name,
      chosen: {
        version: r.version,
        layer: r.layer.name,
        file: r.file,
        reason: preferred ? `preferred ${preferred.pattern}` : files.length > 1 ? 'highest version' : 'only version',
      },
      versions: files.map((f) => ({ version: f.version, layer: f.layer.name, file: f.file })),
      appends: r.appends.map((a) => ({ layer: a.layer.name, file: a.file })),
      classes: r.classes.map((c) => c.name),
      provides: r.provides,
      depends: r.depends,
    };
  });
  if (values.json) {
    process.stdout.write(JSON.stringify({ machine: cfg.machine.name, distro: cfg.distro.name, recipes: rows }, null, 2) + '\n');
    return 0;
  }
  const nameWidth = Math.max(6, ...rows.map((r) => r.name.length));
  const versionWidth = Math.max(7, ...rows.map((r) => r.chosen.version.length));
  process.stdout.write(`${'recipe'.padEnd(nameWidth)}  ${'version'.padEnd(versionWidth)}  layer / other versions / appends\n`);
  for (const r of rows) {
    const others = r.versions.filter((v) => v.file !== r.chosen.file).map((v) => `${v.version} (${v.layer})`);
    const extra = [
      r.chosen.layer,
      others.length ? `also ${others.join(', ')}` : '',
      r.chosen.reason.startsWith('preferred') ? r.chosen.reason : '',
      r.appends.length ? `appends: ${r.appends.map((a) => relative(process.cwd(), a.file)).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    process.stdout.write(`${r.name.padEnd(nameWidth)}  ${r.chosen.version.padEnd(versionWidth)}  ${extra}\n`);
  }
  return 0;
}
