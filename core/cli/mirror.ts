import { resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { mirrorCreate, mirrorImport } from '../fetch/mirror/commands.js';
import { verifyMirror } from '../fetch/mirror/verify.js';
import { fetchReporter } from '../report/fetch-progress.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = [
  'strata mirror create <folder> <image|recipe>… [--offline] [--machine M] [--project DIR]',
  'strata mirror verify <folder>',
  'strata mirror import <folder> <file>…',
].join('\n       ');

// Source mirrors for rebuilding years later (docs/mirrors.md): create,
// verify and import live in core/fetch/mirror/; this parses and prints.

export async function mirrorCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, USAGE);
  const [sub, folder, ...rest] = positionals;
  if (values.help || !sub || !folder) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const mirror = resolve(folder);
  if (sub === 'import') {
    if (!rest.length) throw new UserError(diag('usage', 'mirror import needs files to import', undefined, { hint: USAGE }));
    for (const i of await mirrorImport(mirror, rest)) process.stdout.write(`${i.file} -> ${i.path} (sha256 ${i.sha256})\n`);
    return 0;
  }
  if (sub === 'create') {
    if (!rest.length) throw new UserError(diag('usage', 'mirror create needs at least one image or recipe', undefined, { hint: USAGE }));
    const session = sessionFrom(values);
    const files = await mirrorCreate(mirror, rest, session.cfg, (await session.services()).fetcher, fetchReporter());
    const bytes = files.reduce((n, f) => n + f.size, 0);
    process.stdout.write(
      `${mirror}: ${files.length} files (${(bytes / 1048576).toFixed(1)} MiB) for ${rest.join(', ')}, listed in index.json; check it any time with \`strata mirror verify ${folder}\`\n`,
    );
    return 0;
  }
  if (sub === 'verify') {
    const { checked, problems } = await verifyMirror(mirror);
    for (const p of problems) process.stderr.write(`${p.kind.padEnd(8)} ${p.path}${p.detail ? `: ${p.detail}` : ''}\n`);
    const counts = (['missing', 'corrupt', 'extra'] as const).map((k) => `${problems.filter((p) => p.kind === k).length} ${k}`).join(', ');
    process.stdout.write(`${mirror}: ${checked} files checked; ${counts}${problems.some((p) => p.kind === 'no-index') ? '; no index' : ''}\n`);
    return problems.length ? 1 : 0;
  }
  throw new UserError(diag('usage', `unknown mirror command '${sub}'`, undefined, { hint: USAGE }));
}
