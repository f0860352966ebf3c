import type { BuildSummary } from '../scheduler/events.js';

// The closing line of a build: every task of the graph counted exactly once,
// in words a user reads at a glance.

export function formatBuildSummary(target: string, s: BuildSummary, total: number, seconds: string): string {
  if (s.ran === 0 && s.restored === 0 && s.failed === 0 && s.cancelled === 0)
    return `Nothing to do: all ${total} tasks of ${target} are up to date (${seconds} s).`;
  const parts: [number, string][] = [
    [s.ran - s.failed, 'run'],
    [s.cached, 'up to date'],
    [s.restored, 'restored from the cache'],
    [s.skipped, 'not needed'],
    [s.failed, 'failed'],
    [s.cancelled, 'not started'],
  ];
  const shown = parts.filter(([n], i) => n > 0 || i === 0).map(([n, what]) => `${n} ${what}`);
  return `${target}: ${total} tasks: ${shown.join(', ')} (${seconds} s).`;
}
