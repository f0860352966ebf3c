import { diag, UserError } from '../diagnostics/diagnostic.js';
import { taskKey, type TaskId } from '../model/ids.js';

// The task graph as plain data and pure functions: nodes keyed by
// `recipe:task`, edges pointing at what must finish first.

export interface GraphNode<T = unknown> {
  readonly id: TaskId;
  readonly key: string;
  readonly deps: readonly string[];
  readonly payload: T;
}

export class TaskGraph<T = unknown> {
  readonly nodes = new Map<string, GraphNode<T>>();

  add(id: TaskId, deps: readonly TaskId[], payload: T): GraphNode<T> {
    const node = { id, key: taskKey(id), deps: deps.map(taskKey), payload };
    this.nodes.set(node.key, node);
    return node;
  }

  get(key: string): GraphNode<T> {
    const n = this.nodes.get(key);
    if (!n) throw new Error(`bug: task ${key} is not in the graph`);
    return n;
  }
}

/** Throws a UserError naming the whole path when the graph has a cycle. */
export function assertAcyclic<T>(g: TaskGraph<T>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (key: string) => {
    const s = state.get(key);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(key)), key];
      throw new UserError(diag('graph-cycle', `dependency cycle: ${cycle.join(' -> ')}`, undefined, { hint: 'remove one of these dependencies' }));
    }
    state.set(key, 'visiting');
    path.push(key);
    for (const d of g.get(key).deps) {
      if (!g.nodes.has(d)) throw new Error(`bug: ${key} depends on unknown task ${d}`);
      visit(d);
    }
    path.pop();
    state.set(key, 'done');
  };
  for (const key of [...g.nodes.keys()].sort()) visit(key);
}

/** Dependencies first; ties broken by key so the order is stable. */
export function topologicalOrder<T>(g: TaskGraph<T>): string[] {
  assertAcyclic(g);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const d of [...g.get(key).deps].sort()) visit(d);
    out.push(key);
  };
  for (const key of [...g.nodes.keys()].sort()) visit(key);
  return out;
}

/** For each task, the tasks that wait for it directly (the graph's edges turned round). */
export function dependentsOf<T>(g: TaskGraph<T>): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const n of g.nodes.values()) {
    for (const d of n.deps) {
      const list = dependents.get(d);
      if (list) list.push(n.key);
      else dependents.set(d, [n.key]);
    }
  }
  return dependents;
}

/**
 * For each task of `from`, the tasks matching `is` that it waits for,
 * directly or not (the failures a cancelled task was waiting on). Memoised
 * over the graph, so it is linear in its size.
 */
export function upstreamMatching<T>(g: TaskGraph<T>, from: Iterable<string>, is: (key: string) => boolean): Map<string, ReadonlySet<string>> {
  const memo = new Map<string, ReadonlySet<string>>();
  const visit = (key: string): ReadonlySet<string> => {
    const known = memo.get(key);
    if (known) return known;
    const found = new Set<string>();
    for (const d of g.get(key).deps) {
      if (is(d)) found.add(d);
      for (const f of visit(d)) found.add(f);
    }
    memo.set(key, found);
    return found;
  };
  return new Map([...from].map((key) => [key, visit(key)]));
}

/** `key` and every task it waits for, directly or not, as a graph of their own: a build that ends at that task. */
export function upTo<T>(g: TaskGraph<T>, key: string): TaskGraph<T> {
  const out = new TaskGraph<T>();
  const stack = [key];
  while (stack.length) {
    const node = g.get(stack.pop()!);
    if (out.nodes.has(node.key)) continue;
    out.nodes.set(node.key, node);
    stack.push(...node.deps);
  }
  return out;
}
