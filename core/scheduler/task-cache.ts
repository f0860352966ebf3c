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
