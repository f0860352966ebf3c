import type { SignatureRecord } from '../signature/signature.js';

// What the run queue needs from a cache of task outputs, keyed by task
// signature. The local folder cache and the remote HTTP cache implement it
// (core/cache); the queue never knows which.

export interface CachedOutputInfo {
  /** The output hash the object holds, so signatures downstream can be computed before restoring. */
  readonly output: string;
}

export interface SaveRequest {
  readonly node: string;
  readonly record: SignatureRecord;
  readonly output: string;
  /** The task's output paths (files or folders) to store. */
  readonly paths: readonly string[];
}

export interface TaskCache {
  lookup(signature: string): Promise<CachedOutputInfo | undefined>;
  /** Puts the output back at `paths`, verified; undefined (and the object discarded) when it is missing or corrupt. */
  restore(signature: string, paths: readonly string[]): Promise<CachedOutputInfo | undefined>;
  save(signature: string, request: SaveRequest): Promise<void>;
}

/**
 * Stores a finished task's output. The task succeeded, so a cache that
 * cannot take the output (full, read-only) costs speed later, not this
 * build: the failure comes back as a warning to print.
 */
export async function saveOrWarn(cache: TaskCache | undefined, key: string, signature: string, request: SaveRequest): Promise<string | undefined> {
  try {
    await cache?.save(signature, request);
    return undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return `warning: ${key}: its output was not stored in the cache (${err.code ?? firstCause(err.message)}${err.path ? ` at ${err.path}` : ''}); the build goes on`;
  }
}

/** The line of a tool's error output that says why (tar ends with "Error is not recoverable"). */
function firstCause(message: string): string {
  const lines = message.split('\n');
  return lines.find((l) => /No space left|Wrote only|Disk quota|Permission denied|Read-only file system/.test(l))?.trim() ?? lines[0];
}
