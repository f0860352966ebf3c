import { gitTarballPresent } from '../../fetch/git/git-fetcher.js';
import { recipeSources } from '../../fetch/source.js';
import { TaskFailed, type TaskImplementation } from '../context.js';
import { writeFile } from 'node:fs/promises';
import { treeHash } from '../../signature/tree-hash.js';

// The fetch task of one recipe. The real downloading happens in the fetch
// phase (all sources at once, before any build task); this task only
// confirms that each verified file is in the download folder.

export const fetchTask: TaskImplementation = {
  // Sources by content: a downloaded one by its declared sha256 (the file is
  // verified against it), a git one by its commit id (which names its whole
  // tree), a local file or folder of the layer by hashing it,
  // so editing a patch re-runs what follows even though its name is the same.
  inputs(node) {
    if (!('recipe' in node.payload)) throw new Error('bug: fetch of an image');
    const files: Record<string, string> = {};
    for (const s of recipeSources(node.payload.recipe)) files[s.name] = s.kind === 'remote' ? s.sha256 : s.kind === 'git' ? `git commit ${s.rev}` : treeHash(s.path);
    return { files };
  },
  async run(t) {
    if (!('recipe' in t.node.payload)) throw new Error('bug: fetch of an image');
    const lines: string[] = [];
    for (const s of recipeSources(t.node.payload.recipe)) {
      if (s.kind === 'local') continue;
      const dir = t.ctx.fetcher.dir;
      const present = s.kind === 'git' ? await gitTarballPresent(dir, s) : await dir.check(s.name, s.sha256);
      if (present !== 'ok') throw new TaskFailed(`${s.recipe}: ${s.name} is not in the download folder; run \`strata fetch\``);
      lines.push(s.kind === 'git' ? `${s.name}: tarball of commit ${s.rev} in ${dir.dir}` : `${s.name}: sha256 ${s.sha256} verified in ${dir.dir}`);
    }
    await writeFile(t.log, lines.join('\n') + '\n');
  },
};
