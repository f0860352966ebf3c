import { existsSync } from 'node:fs';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Recipe } from '../../resolve/recipe.js';
import { sha256File } from '../checksum.js';
import type { DownloadDir } from '../store/download-dir.js';
import type { GitSource } from '../git/git-source.js';
import { readMirrorIndex, writeMirrorIndex, type MirrorEntry } from './mirror-index.js';
import { redactUrl } from '../../diagnostics/redact.js';
import { recipeSources } from '../source.js';
import { writeAtomically } from '../../fs/atomic-write.js';

// `strata mirror create`: a self-contained mirror of every source of some
// targets' closure, copied from the download folder (the fetch phase has
// just made them present and verified). Downloads go under `sha256/<hex>`;
// git tarballs also under their name, since recipes may pin them by commit
// only. Each copy is hashed again before it gets its final name, so the
// mirror never holds a file under a sum it does not have. The index
// (mirror-index.ts) is merged with what the folder already lists, so one
// mirror can serve several products.

async function place(from: string, to: string, sha256: string): Promise<void> {
  if (existsSync(to) && (await sha256File(to)) === sha256) return;
  await mkdir(dirname(to), { recursive: true });
  await writeAtomically(
    to,
    async (tmp) => {
      await copyFile(from, tmp);
      const actual = await sha256File(tmp);
      if (actual !== sha256) throw new Error(`${from} does not have sha256 ${sha256} (it has ${actual}); run \`strata fetch\` again`);
    },
    { durable: true },
  );
}

export async function createMirror(folder: string, recipes: readonly Recipe[], downloads: DownloadDir): Promise<MirrorEntry[]> {
  const entries = new Map<string, MirrorEntry>();
  for (const e of (await readMirrorIndex(folder))?.files ?? []) entries.set(e.path, e);
  const add = (e: MirrorEntry) => {
    const old = entries.get(e.path);
    entries.set(e.path, old ? { ...e, recipes: [...new Set([...old.recipes, ...e.recipes])].sort() } : e);
  };
  for (const r of recipes) {
    const license = r.data.getOr('LICENSE', 'unknown');
    for (const s of recipeSources(r)) {
      if (s.kind === 'local') continue;
      const from = downloads.finalPath(s.name);
      const sha256 = s.kind === 'remote' ? s.sha256 : (s.sha256 ?? (await sha256File(from)));
      const size = (await stat(from)).size;
      const base = { name: s.name, sha256, size, url: redactUrl(s.url), license, recipes: [r.name] };
      await place(from, join(folder, 'sha256', sha256), sha256);
      add({ ...base, path: `sha256/${sha256}` });
      if (s.kind === 'git') {
        await place(from, join(folder, s.name), sha256);
        add({ ...base, path: s.name, commit: (s as GitSource).rev });
      }
    }
  }
  const files = [...entries.values()];
  await writeMirrorIndex(folder, files);
  return files;
}
