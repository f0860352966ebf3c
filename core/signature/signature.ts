import { createHash } from 'node:crypto';
import { normalizePaths, type PathRoots } from './normalize.js';

// A task's signature: sha256 over a sorted, documented record of everything
// that decides the task's output. Same record → same output, so the task
// need not run (its stamp says it ran) or its output can be restored from
// the cache. The record is stored with the stamp and the cached output, and
// `strata why` compares two of them to say, in words, what changed.

export interface TaskInputs {
  /**
   * The variables the task reads, with their values: for a shell task its
   * script variable as written (do_compile, unexpanded), every variable
   * that script uses (expanded), and the variables exported to it. A
   * variable the task does not use is not here, so changing it rebuilds
   * nothing.
   */
  readonly vars?: Readonly<Record<string, string>>;
  /** Files the task reads, by content: name → sha256 (sources by their declared sum, local files hashed). */
  readonly files?: Readonly<Record<string, string>>;
  /** Anything else that decides the output, as text (package patterns, the packages of a rootfs). */
  readonly settings?: string;
}

export interface SignatureRecord {
  /** `recipe:task`, so two tasks with equal inputs still differ. */
  readonly task: string;
  /** Strata's task-format version: bumped when a task implementation changes its output. */
  readonly format: number;
  readonly vars: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, string>>;
  readonly settings: string;
  /**
   * What each task it waits for produced, by key: the hash of that task's
   * output where Strata captures it (install, package, rootfs, image), else
   * that task's signature. Output hashes make hash equivalence work: a
   * dependency that re-ran and made byte-identical output changes nothing here.
   */
  readonly deps: Readonly<Record<string, string>>;
}

/** Bump when any task implementation changes what it produces from the same record. */
export const TASK_FORMAT = 2;

const sorted = (r: Readonly<Record<string, string>> = {}, roots?: PathRoots): Record<string, string> =>
  Object.fromEntries(
    Object.keys(r)
      .sort()
      .map((k) => [k, roots ? normalizePaths(r[k], roots) : r[k]]),
  );

/**
 * Files are keyed by name, and a name may be a path (a Kconfig fragment a
 * machine lists beside itself is an absolute path): the keys lose this
 * build's roots like the values of `vars`, then are sorted, so two checkouts
 * make the same record in the same order.
 */
const byNormalizedName = (r: Readonly<Record<string, string>> = {}, roots: PathRoots): Record<string, string> =>
  sorted(Object.fromEntries(Object.entries(r).map(([k, v]) => [normalizePaths(k, roots), v])));

/**
 * Variables left out of every signature because they cannot change what a
 * task produces, only how fast: JOBS (from -j). Building with -j 8 after -j 2
 * must not rebuild anything.
 */
export const NOT_IN_SIGNATURES: ReadonlySet<string> = new Set(['JOBS']);

/** The record of a task, with keys sorted and this build's absolute paths replaced by placeholders. */
export function signatureRecord(task: string, inputs: TaskInputs | string, deps: Readonly<Record<string, string>>, roots: PathRoots): SignatureRecord {
  const i: TaskInputs = typeof inputs === 'string' ? { settings: inputs } : inputs;
  const vars = Object.fromEntries(Object.entries(i.vars ?? {}).filter(([k]) => !NOT_IN_SIGNATURES.has(k)));
  return {
    task,
    format: TASK_FORMAT,
    vars: sorted(vars, roots),
    files: byNormalizedName(i.files, roots),
    settings: normalizePaths(i.settings ?? '', roots),
    deps: sorted(deps),
  };
}

export function signatureOf(record: SignatureRecord): string {
  return createHash('sha256')
    .update(JSON.stringify([record.task, record.format, record.vars, record.files, record.settings, record.deps]))
    .digest('hex');
}
