import { createWriteStream } from 'node:fs';
import type { Observable } from 'rxjs';
import type { TaskEvent } from '../scheduler/events.js';

// `strata build --json FILE`: every published run-queue transition (pending,
// running and the ends; not the queue's internal ready and starting, see
// core/scheduler/events.ts) as one JSON object per line, for CI dashboards
// and scripts. Fields: task ("recipe:task"),
// recipe, name (the task), state, at (ms since the epoch), and when known
// durationMs and message. Resolves once the file is flushed and closed.

export function writeJsonEvents(events: Observable<TaskEvent>, file: string): Promise<void> {
  const out = createWriteStream(file);
  return new Promise((resolve, reject) => {
    out.on('error', reject);
    events.subscribe({
      next: (e) =>
        out.write(
          JSON.stringify({ task: e.key, recipe: e.id.recipe, name: e.id.task, state: e.state, at: e.at, durationMs: e.durationMs, message: e.message }) + '\n',
        ),
      complete: () => out.end(resolve),
    });
  });
}
