import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ByteReader } from '../../archive/byte-reader.js';
import { launch } from '../../exec/launch.js';
import { describeExit, succeeded } from '../../exec/process-exit.js';
import { paxGlobalHeader, padding, tarEnd, tarHeader } from '../../archive/tar-writer.js';
import type { BodySink } from '../transport/http.js';
import { git, type BareClone } from './git.js';
import type { GitSource } from './git-source.js';

// The tarball of one commit, the same bytes whoever makes it, wherever, with
// whatever git or tar version: we write the tar ourselves from
// `git ls-tree` and `git cat-file`, in git's own tree order, every member
// owned by root (uid/gid 0), mtime the commit's committer time, modes 0644,
// 0755 (executables) or symlinks; then `gzip -n`, which stores no name and
// no time in its header (GNU gzip's output has been stable for years,
// unlike zlib builds, whose bytes vary with version and CPU features).
//
// The raw commit object goes into the archive's pax global header, and each
// submodule (gitlink) is an empty folder whose header carries its commit
// id, so anyone can check a tarball against the commit id alone
// (git-tarball-verify.ts): a mirror needs no trust.

export const COMMIT_RECORD = 'comment';
export const COMMIT_PREFIX = 'strata-git-commit ';
export const GITLINK_PREFIX = 'strata-gitlink ';

/** The committer time of a raw commit object, in seconds. */
export function committerTime(raw: Buffer): number {
  const m = /^committer .* (\d+) [+-]\d{4}$/m.exec(raw.toString('utf8').split('\n\n')[0]);
  if (!m) throw new Error('commit object has no committer line');
  return Number(m[1]);
}

interface TreeEntry {
  readonly mode: string;
  readonly type: string;
  readonly id: string;
  readonly path: Buffer;
}

function parseLsTree(out: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf(0, at);
    const rec = out.subarray(at, end < 0 ? out.length : end);
    at = end < 0 ? out.length : end + 1;
    const tab = rec.indexOf(0x09);
    const [mode, type, id] = rec.subarray(0, tab).toString('ascii').split(' ');
    entries.push({ mode, type, id, path: rec.subarray(tab + 1) });
  }
  return entries;
}

async function write(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Streams blob contents in order from one `git cat-file --batch` process. */
function blobReader(clone: BareClone, ids: readonly string[]) {
  const child = launch({ file: 'git', args: ['--git-dir', clone.path, 'cat-file', '--batch'], input: ids.map((id) => id + '\n').join(''), stdout: 'stream' });
  let stderr = '';
  child.data.subscribe((d) => (stderr += d));
  const reader = new ByteReader(child.stdout!);
  return {
    async next(id: string): Promise<Buffer> {
      const header = (await reader.readUntil(0x0a))?.toString('ascii');
      const [gotId, type, size] = header?.split(' ') ?? [];
      if (gotId !== id || type !== 'blob') throw new Error(`git cat-file: expected blob ${id}, got '${header ?? 'end of output'}' ${stderr}`);
      const data = await reader.read(Number(size) + 1); // content, then a newline
      if (!data) throw new Error(`git cat-file: output ends inside blob ${id} ${stderr}`);
      return data.subarray(0, Number(size));
    },
    close: () => child.kill(),
  };
}

const MODES: Record<string, number> = { '100644': 0o644, '100755': 0o755, '120000': 0o777 };

/** Writes the tarball of `src.rev` from `clone` into `sink` (a partial file the orchestrator verifies and renames). */
export async function writeGitTarball(clone: BareClone, src: GitSource, sink: BodySink): Promise<void> {
  const commit = await git(['cat-file', 'commit', src.rev], clone.path);
  if (commit.code !== 0) throw new Error(`${clone.path}: cannot read commit ${src.rev}: ${commit.stderr}`);
  const mtime = committerTime(commit.stdout);
  const tree = await git(['ls-tree', '-r', '-t', '-z', '--full-tree', src.rev], clone.path);
  if (tree.code !== 0) throw new Error(`${clone.path}: cannot list commit ${src.rev}: ${tree.stderr}`);
  const entries = parseLsTree(tree.stdout);
  const blobs = blobReader(
    clone,
    entries.filter((e) => e.type === 'blob').map((e) => e.id),
  );

  const gzip = launch({ file: 'gzip', args: ['-n', '-6', '-c'], stdin: 'pipe', stdout: 'stream' });
  const gzipIn = gzip.stdin!;
  const gzipOut = gzip.stdout!;
  // gzip's output goes to the sink chunk by chunk, gzip paused while a chunk
  // is written. A sink that fails (a full disk) stops gzip, and its error is
  // the one reported.
  let sinkError: unknown;
  gzipOut.on('data', (chunk: Buffer) => {
    gzipOut.pause();
    sink.write(chunk).then(
      () => gzipOut.resume(),
      (e) => {
        sinkError ??= e;
        gzip.kill();
      },
    );
  });
  const top = Buffer.from(src.checkout + '/');
  const path = (p: Buffer) => Buffer.concat([top, p]);
  try {
    await write(gzipIn, paxGlobalHeader({ [COMMIT_RECORD]: COMMIT_PREFIX + commit.stdout.toString('base64') }, mtime));
    await write(gzipIn, tarHeader({ path: top, type: 'dir', mode: 0o755, mtime }));
    for (const e of entries) {
      if (e.type === 'tree') {
        await write(gzipIn, tarHeader({ path: Buffer.concat([path(e.path), Buffer.from('/')]), type: 'dir', mode: 0o755, mtime }));
      } else if (e.type === 'commit') {
        // A submodule is not fetched; its pinned commit is kept so the tree can be checked.
        await write(
          gzipIn,
          tarHeader({ path: Buffer.concat([path(e.path), Buffer.from('/')]), type: 'dir', mode: 0o755, mtime, pax: { comment: GITLINK_PREFIX + e.id } }),
        );
      } else {
        const data = await blobs.next(e.id);
        if (e.mode === '120000') {
          await write(gzipIn, tarHeader({ path: path(e.path), type: 'symlink', mode: 0o777, mtime, linkname: data }));
        } else {
          const mode = MODES[e.mode];
          if (mode === undefined) throw new Error(`${src.rev}: ${e.path.toString()} has git mode ${e.mode}, which Strata does not know`);
          await write(gzipIn, tarHeader({ path: path(e.path), type: 'file', mode, mtime, size: data.length }));
          await write(gzipIn, data);
          await write(gzipIn, padding(data.length));
        }
      }
    }
    await write(gzipIn, tarEnd());
    gzipIn.end();
    const { exit, stderr } = await gzip.finished;
    if (sinkError) throw sinkError;
    if (!succeeded(exit)) throw new Error(`gzip failed: ${stderr.trim() || describeExit(exit)}`);
  } catch (e) {
    throw sinkError ?? e;
  } finally {
    blobs.close();
    gzip.kill();
  }
}
