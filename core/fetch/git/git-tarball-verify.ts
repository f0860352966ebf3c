import { createHash } from 'node:crypto';
import { decompressed } from '../../archive/decompress.js';
import { tarEntries, TarFormatError } from '../../archive/tar-reader.js';
import { COMMIT_PREFIX, COMMIT_RECORD, GITLINK_PREFIX } from './git-tarball.js';
import type { GitSource } from './git-source.js';

// Checks a git tarball (from a mirror, from anyone) against the commit id
// the recipe pins, with no clone and no trust in whoever made the file: the
// commit object in the archive must hash to the rev, and the files must
// rebuild exactly the tree that commit names. Git object ids are hashes of
// "<type> <size>\0<content>"; a tree's content is its entries
// "<mode> <name>\0<binary id>", sorted by name with folders compared as
// "<name>/" (git's `base_name_compare`).

interface Node {
  readonly mode: string;
  /** Object id (binary) for blobs and gitlinks; children for folders. */
  readonly id?: Buffer;
  readonly children?: Map<string, Node>;
}

const objectId = (algo: string, type: string, content: Buffer): Buffer => createHash(algo).update(`${type} ${content.length}\0`).update(content).digest();

function treeId(algo: string, dir: Map<string, Node>): Buffer {
  const names = [...dir.keys()].map((n) => Buffer.from(n, 'latin1'));
  const key = (name: Buffer) => (dir.get(name.toString('latin1'))!.children ? Buffer.concat([name, Buffer.from('/')]) : name);
  names.sort((a, b) => Buffer.compare(key(a), key(b)));
  const parts: Buffer[] = [];
  for (const name of names) {
    const n = dir.get(name.toString('latin1'))!;
    parts.push(Buffer.from(`${n.mode} `), name, Buffer.from([0]), n.children ? treeId(algo, n.children) : n.id!);
  }
  return objectId(algo, 'tree', Buffer.concat(parts));
}

/** Why the tarball at `path` is not the tree of `src.rev`, or undefined when it is. */
export async function gitTarballProblem(path: string, src: GitSource): Promise<string | undefined> {
  const algo = src.rev.length === 64 ? 'sha256' : 'sha1';
  const root = new Map<string, Node>();
  const top = src.checkout;
  let commit: Buffer | undefined;
  const folder = (parts: string[]): Map<string, Node> | undefined => {
    let at = root;
    for (const p of parts) {
      const next = at.get(p);
      if (!next?.children) return undefined;
      at = next.children;
    }
    return at;
  };
  try {
    for await (const e of tarEntries(decompressed(path, src.name), (x) => x.type === 'file')) {
      const record = e.pax.get(COMMIT_RECORD)?.toString('latin1');
      if (!commit && record?.startsWith(COMMIT_PREFIX)) commit = Buffer.from(record.slice(COMMIT_PREFIX.length), 'base64');
      // Paths are compared as raw bytes (latin1 keeps every byte as one character).
      const parts = e.pathBytes.toString('latin1').split('/').filter(Boolean);
      if (parts[0] !== top) return `member '${e.path}' is not inside '${top}/'`;
      if (parts.length === 1 && e.type === 'dir') continue;
      const name = parts[parts.length - 1];
      const parent = folder(parts.slice(1, -1));
      if (!parent) return `member '${e.path}' is in a folder the archive does not list first`;
      if (parent.has(name)) return `member '${e.path}' appears twice`;
      const gitlink = e.pax.get('comment')?.toString('latin1');
      if (e.type === 'dir' && gitlink?.startsWith(GITLINK_PREFIX))
        parent.set(name, { mode: '160000', id: Buffer.from(gitlink.slice(GITLINK_PREFIX.length), 'hex') });
      else if (e.type === 'dir') parent.set(name, { mode: '40000', children: new Map() });
      else if (e.type === 'symlink') parent.set(name, { mode: '120000', id: objectId(algo, 'blob', e.linkBytes) });
      else if (e.type === 'file' && (e.mode === 0o644 || e.mode === 0o755))
        parent.set(name, { mode: e.mode === 0o755 ? '100755' : '100644', id: objectId(algo, 'blob', e.data ?? Buffer.alloc(0)) });
      else return `member '${e.path}' is a ${e.type} with mode ${e.mode.toString(8)}, which no git tree holds`;
    }
  } catch (e) {
    if (e instanceof TarFormatError || e instanceof Error) return `not a readable tarball: ${e.message}`;
    throw e;
  }
  if (!commit) return 'it holds no commit object (not made by Strata from a git commit)';
  if (objectId(algo, 'commit', commit).toString('hex') !== src.rev) return `its commit object is not commit ${src.rev}`;
  const tree = /^tree ([0-9a-f]+)$/m.exec(commit.toString('latin1'))?.[1];
  const actual = treeId(algo, root).toString('hex');
  if (tree !== actual) return `its files do not make the tree of commit ${src.rev} (expected tree ${tree}, the files make ${actual})`;
  return undefined;
}
