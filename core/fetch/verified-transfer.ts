import { rm } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Sha256 } from '../model/ids.js';
import type { Fetcher, FetchSource, Place, TransferContext } from './fetcher.js';
import type { GitSource } from './git/git-source.js';
import type { FetcherRegistry } from './registry.js';
import type { DownloadDir } from './store/download-dir.js';
import { DownloadError } from './transport/download-error.js';

// One place's try at a source, for the orchestrator (orchestrator.ts): the
// fetcher fills the source's partial file (continuing what an earlier try
// left), the bytes are verified (the recipe's sha256, and the fetcher's own
// check of a copy that did not come from its upstream), and only verified
// bytes are renamed under the final name (DownloadDir.commitVerified: fsync,
// then rename). Anything else removes the partial file, so a mismatch leaves
// nothing behind.

/** A place with who reads it and whether it is upstream. */
export interface Candidate {
  readonly place: Place;
  readonly fetcher: Fetcher;
  readonly upstream: boolean;
}

/** How one place's try ended, when the place answered at all (a place that could not serve throws a DownloadError). */
export type PlaceOutcome =
  /** Verified and stored under the final name. */
  | { readonly kind: 'stored'; readonly size: number }
  /** Upstream says the recipe itself is wrong (a commit not on its branch): no mirror can fix that. */
  | { readonly kind: 'stop'; readonly stop: Diagnostic }
  /** Bytes with another sum than the recipe's. */
  | { readonly kind: 'sum'; readonly sha256: Sha256 }
  /** Bytes the fetcher's check of a copy refused, and why. */
  | { readonly kind: 'refused'; readonly problem: string };

/** What pins a source's content: its sum, or for a git source without one, its commit. */
export const pinOf = (src: FetchSource): string => src.sha256 ?? (src as GitSource).rev;

/** A failure to write (full disk, unwritable folder): every other place would fail the same way. */
export const isWriteFailure = (e: unknown): boolean => e instanceof DownloadError && (e.failure.reason === 'disk-full' || e.failure.reason === 'write');

type Got = { sha256: Sha256; size: number; spliced: boolean } | { stop: Diagnostic };

export async function transferVerified(
  dir: DownloadDir,
  registry: FetcherRegistry,
  src: FetchSource,
  c: Candidate,
  ctx: TransferContext,
): Promise<PlaceOutcome> {
  const partialPath = dir.partialPath(src.name, pinOf(src));
  let got = await attempt(dir, src, c, ctx);
  let problem = 'stop' in got ? undefined : await verify(dir, registry, src, c, got.sha256);
  if (problem && !('stop' in got) && got.spliced) {
    // The part kept from an earlier attempt may be what is wrong:
    // fetch the whole file once more from the same place.
    await rm(partialPath, { force: true });
    got = await attempt(dir, src, c, ctx);
    problem = 'stop' in got ? undefined : await verify(dir, registry, src, c, got.sha256);
  }
  if ('stop' in got) return { kind: 'stop', stop: got.stop };
  if (!problem) {
    await dir.commitVerified(partialPath, src.name, got.sha256);
    return { kind: 'stored', size: got.size };
  }
  await rm(partialPath, { force: true });
  return problem === 'sum' ? { kind: 'sum', sha256: got.sha256 } : { kind: 'refused', problem };
}

/** 'sum' when the sum is not the recipe's, another problem as text, or undefined when the bytes are right. */
async function verify(dir: DownloadDir, registry: FetcherRegistry, src: FetchSource, c: Candidate, sha256: Sha256): Promise<string | undefined> {
  if (src.sha256 && sha256 !== src.sha256) return 'sum';
  // Bytes from a fetcher's own upstream (a tarball git made from objects it verified) need nothing more.
  if (c.upstream) return undefined;
  return registry.forSource(src)?.verifyCopy?.(src, dir.partialPath(src.name, pinOf(src)));
}

/** Fills the source's partial file from one place; the partial stays for a later resume when this fails. */
async function attempt(dir: DownloadDir, src: FetchSource, c: Candidate, ctx: TransferContext): Promise<Got> {
  const partial = await dir.openPartial(src.name, pinOf(src));
  try {
    const result = await c.fetcher.transfer(c.place, partial, ctx, src);
    if (result) {
      await partial.discard();
      return result;
    }
    const spliced = partial.isSpliced;
    return { ...(await partial.finish()), spliced };
  } catch (e) {
    // A full disk needs the room back; anything else keeps what arrived
    // for the next attempt or the next run to resume.
    if (isWriteFailure(e)) await partial.discard();
    else await partial.keep().catch(() => partial.discard());
    throw e;
  }
}
