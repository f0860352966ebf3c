import type { BuildContext, TaskImplementation } from '../build/context.js';
import { StampStore } from '../build/stamps.js';
import type { TaskGraph } from '../graph/task-graph.js';
import { topologicalOrder } from '../graph/task-graph.js';
import type { TaskPayload } from '../graph/plan.js';
import { OUTPUT_NAMES_HOST_PATHS } from './host-path-outputs.js';
import { diffMembers, members, type MemberDiff } from './members.js';

// Compares two builds of the same graph task by task, in dependency order.
// A task "differs" when its captured output hash (install, package,
// rootfs, image) differs; it is a first difference when nothing it waits
// for, directly or not, differs: the task that brought the
// non-determinism in. Its outputs are then listed member by member.

export interface TaskDifference {
  readonly task: string;
  /** No task it waits for differs: this task made the difference. */
  readonly first: boolean;
  readonly outputs: readonly { name: string; a: string; b: string; members: readonly MemberDiff[] }[];
}

export interface Comparison {
  readonly compared: number;
  readonly differences: readonly TaskDifference[];
  /** Tasks whose signature differs although their inputs should not: a host path or setting leaked into a signature. */
  readonly signatureOnly: readonly string[];
}

export interface BuildSide {
  readonly ctx: BuildContext;
  readonly stampsDir: string;
  /** This build's own graph: task payloads hold its recipes, whose paths are its folders. */
  readonly graph: TaskGraph<TaskPayload>;
}

export async function compareBuilds(tasks: Record<TaskPayload['kind'], TaskImplementation>, a: BuildSide, b: BuildSide): Promise<Comparison> {
  const [sa, sb] = [new StampStore(a.stampsDir), new StampStore(b.stampsDir)];
  const graph = a.graph;
  const order = topologicalOrder(graph);
  const differs = new Set<string>();
  const upstreamDiffers = new Map<string, boolean>();
  const differences: TaskDifference[] = [];
  const signatureOnly: string[] = [];
  let compared = 0;
  for (const key of order) {
    const node = graph.get(key);
    const up = node.deps.some((d) => differs.has(d) || upstreamDiffers.get(d));
    upstreamDiffers.set(key, up);
    const [x, y] = [await sa.read(node.id), await sb.read(node.id)];
    if (!x || !y) continue;
    if (!x.output || !y.output || OUTPUT_NAMES_HOST_PATHS.has(node.payload.kind)) {
      if (x.signature !== y.signature && !up) signatureOnly.push(key);
      continue;
    }
    compared++;
    if (x.output === y.output) continue;
    differs.add(key);
    const impl = tasks[node.payload.kind];
    const pa = impl.outputs!(node, a.ctx);
    const pb = impl.outputs!(b.graph.get(key), b.ctx);
    const outputs = pa
      .map((p, i) => ({ name: p.split('/').pop()!, a: p, b: pb[i], members: diffMembers(members(p), members(pb[i])) }))
      .filter((o) => o.members.length);
    differences.push({ task: key, first: !up, outputs });
  }
  return { compared, differences, signatureOnly };
}
