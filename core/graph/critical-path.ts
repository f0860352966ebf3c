import { dependentsOf, topologicalOrder, type TaskGraph } from './task-graph.js';

// The critical path: for each task, the longest chain of work that cannot
// start before it ends (the task itself, then the longest chain through the
// tasks that wait for it). Starting the task with the longest such chain
// first is the classic list-scheduling priority (Hu's algorithm for unit
// weights, "critical path first" in Bazel and Ninja's critical-path
// scheduler for measured ones): it keeps the end of the build from waiting
// on one long chain started late.

/**
 * Length of the longest chain starting at each task, each task counting
 * `weight(key)` (1 by default: the number of tasks). Weights are how long a
 * task took last time, when known.
 */
export function criticalPathLengths<T>(g: TaskGraph<T>, weight: (key: string) => number = () => 1): Map<string, number> {
  const dependents = dependentsOf(g);
  const lengths = new Map<string, number>();
  // Reverse dependency order: every dependent's length is known before its dependency's.
  for (const key of topologicalOrder(g).reverse()) {
    let longest = 0;
    for (const d of dependents.get(key) ?? []) longest = Math.max(longest, lengths.get(d)!);
    lengths.set(key, weight(key) + longest);
  }
  return lengths;
}
