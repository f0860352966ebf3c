import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { runProcess } from '../exec/launch.js';
import { describeExit, succeeded } from '../exec/process-exit.js';
import { sha256File } from '../fetch/checksum.js';
import { tempPathFor, writeAtomically, writeFileAtomically } from '../fs/atomic-write.js';
import type { CachedOutputInfo, SaveRequest, TaskCache } from '../scheduler/task-cache.js';
import { treeHashOf } from '../signature/output-hash.js';
import type { SignatureRecord } from '../signature/signature.js';

// The local cache: task outputs stored by task signature in a folder that
// any number of build folders (and, through the remote cache, machines)
// share. An object is two files:
//
//   <dir>/<sig[0..2]>/<sig>.tar    the output paths, as path 0, 1, … in a tar
//   <dir>/<sig[0..2]>/<sig>.json   its metadata: task, signature record,
//                                  output hash, the tar's sha256 and size
//
// Both are written under temporary names and renamed, the json last, so an
// object is either complete or absent. A restore checks the tar's sha256,
// unpacks beside the outputs (the cache may be on another filesystem),
// checks the unpacked files against the output hash, and only then moves
// them into place; an object failing any check is deleted and the task runs
// instead. Using an object touches its json, which
// `strata cache prune --older-than` goes by.

export interface CacheObjectInfo extends CachedOutputInfo {
  readonly node: string;
  readonly signature: string;
  readonly record: SignatureRecord;
  readonly archive: { readonly sha256: string; readonly size: number };
  readonly created: string;
}

async function tar(args: string[], cwd?: string): Promise<void> {
  const { exit, stderr } = await runProcess('tar', args, { cwd, stdout: 'ignore' });
  if (!succeeded(exit)) throw new Error(`tar ${args[0]} failed: ${stderr.trim() || describeExit(exit)}`);
}

export class LocalCache implements TaskCache {
  constructor(readonly dir: string) {}

  objectPaths(signature: string): { tar: string; json: string } {
    const base = join(this.dir, signature.slice(0, 2), signature);
    return { tar: `${base}.tar`, json: `${base}.json` };
  }

  async info(signature: string): Promise<CacheObjectInfo | undefined> {
    const { tar: tarPath, json } = this.objectPaths(signature);
    try {
      const info = JSON.parse(await readFile(json, 'utf8')) as CacheObjectInfo;
      if (info.signature !== signature || !existsSync(tarPath)) return undefined;
      return info;
    } catch {
      return undefined;
    }
  }

  async lookup(signature: string): Promise<CachedOutputInfo | undefined> {
    const info = await this.info(signature);
    return info && { output: info.output };
  }

  /** Deletes an object (both files); used for corrupt ones and by prune. */
  async discard(signature: string): Promise<void> {
    const { tar: tarPath, json } = this.objectPaths(signature);
    await rm(json, { force: true });
    await rm(tarPath, { force: true });
  }

  async restore(signature: string, paths: readonly string[]): Promise<CachedOutputInfo | undefined> {
    const info = await this.info(signature);
    if (!info) return undefined;
    const { tar: tarPath, json } = this.objectPaths(signature);
    if ((await sha256File(tarPath)) !== info.archive.sha256) {
      await this.discard(signature);
      return undefined;
    }
    // Unpack beside the outputs, not in the cache folder: the cache may be on
    // another filesystem (a shared mount), and the final step is a rename.
    const staging = await mkdirTemp(dirname(paths[0]));
    try {
      try {
        await tar(['-xf', tarPath, '-C', staging, '--no-same-owner']);
      } catch {
        await this.discard(signature);
        return undefined;
      }
      const unpacked = paths.map((_, i) => join(staging, String(i)));
      // Compare by content under the original base names, as the output hash was made.
      const check = await withNames(unpacked, paths);
      if (treeHashOf(check.paths) !== info.output) {
        await this.discard(signature);
        return undefined;
      }
      try {
        for (let i = 0; i < paths.length; i++) {
          await mkdir(dirname(paths[i]), { recursive: true });
          const old = tempPathFor(paths[i]);
          if (existsSync(paths[i])) await rename(paths[i], old);
          if (existsSync(check.paths[i])) await move(check.paths[i], paths[i]);
          await rm(old, { recursive: true, force: true });
        }
      } catch {
        // The object is fine but could not be put in place (permissions, a
        // full disk): keep it, and let the task run instead.
        return undefined;
      }
      const now = new Date();
      await utimes(json, now, now).catch(() => {});
      return { output: info.output };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async save(signature: string, request: SaveRequest): Promise<void> {
    const { tar: tarPath, json } = this.objectPaths(signature);
    if (await this.info(signature)) return;
    await mkdir(dirname(tarPath), { recursive: true });
    // The tar first, then the json that makes the object visible (info() needs both).
    const info = await writeAtomically(tarPath, async (tmpTar) => {
      // Each output path goes in as member `<index>`: tar reads it from its
      // real place and renames it on the way in (not symlink targets: `S`).
      const present = request.paths.map((p, i) => [p, i] as const).filter(([p]) => existsSync(p));
      const transforms = present.flatMap(([p, i]) => ['--transform', `s,^${escapeSed(p.replace(/^\//, ''))}\\(/\\|$\\),${i}\\1,S`]);
      await tar(['-cf', tmpTar, '--numeric-owner', '--owner=0', '--group=0', ...transforms, '-C', '/', ...present.map(([p]) => p.replace(/^\//, ''))]);
      const size = (await stat(tmpTar)).size;
      const archive = { sha256: await sha256File(tmpTar), size };
      const created = new Date().toISOString();
      return { node: request.node, signature, record: request.record, output: request.output, archive, created } satisfies CacheObjectInfo;
    });
    await writeFileAtomically(json, JSON.stringify(info, null, 1) + '\n');
  }
}

/** Renames, or copies then removes when `to` is on another filesystem (outputs spread over mounts). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await writeAtomically(to, (tmp) => cp(from, tmp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true }));
    await rm(from, { recursive: true, force: true });
  }
}

function escapeSed(s: string): string {
  return s.replace(/[.[\]*^$\\,&]/g, '\\$&');
}

async function mkdirTemp(parent: string): Promise<string> {
  await mkdir(parent, { recursive: true });
  const d = join(parent, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(d);
  return d;
}

/** Gives unpacked paths the base names of their targets, so their output hash compares with the stored one. */
async function withNames(unpacked: readonly string[], targets: readonly string[]): Promise<{ paths: string[] }> {
  const paths: string[] = [];
  for (let i = 0; i < unpacked.length; i++) {
    const dir = join(dirname(unpacked[i]), `named-${i}`);
    await mkdir(dir, { recursive: true });
    const named = join(dir, basename(targets[i]));
    if (existsSync(unpacked[i])) await rename(unpacked[i], named);
    paths.push(named);
  }
  return { paths };
}
