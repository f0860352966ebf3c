import type { Observable } from 'rxjs';
import type { TaskEvent } from '../scheduler/events.js';

// Draws the run queue's events. On a terminal: finished tasks scroll by and
// one live status line shows what runs now. Elsewhere (CI, a pipe): one
// plain line per started and finished task.

const seconds = (ms = 0) => `${(ms / 1000).toFixed(1)} s`;

export function reportProgress(events: Observable<TaskEvent>, total: number, out: NodeJS.WriteStream = process.stdout): void {
  const live = Boolean(out.isTTY);
  const running = new Set<string>();
  let finished = 0;
  let cached = 0;
  const status = () => {
    if (!live) return;
    const now = [...running].slice(0, 3).join(', ') + (running.size > 3 ? ` +${running.size - 3}` : '');
    out.write(`\r\x1b[K[${finished + cached}/${total}] ${now}`.slice(0, (out.columns ?? 120) - 1));
  };
  const line = (text: string) => {
    if (live) out.write('\r\x1b[K');
    out.write(text + '\n');
    status();
  };
  events.subscribe({
    next(e) {
      if (e.state === 'running') {
        running.add(e.key);
        if (live) status();
        else line(`start   ${e.key}`);
      } else if (e.state === 'succeeded') {
        running.delete(e.key);
        finished++;
        line(`done    ${e.key} (${seconds(e.durationMs)})`);
        if (e.message) line(e.message);
      } else if (e.state === 'failed') {
        running.delete(e.key);
        finished++;
        line(`FAILED  ${e.key} (${seconds(e.durationMs)})`);
      } else if (e.state === 'restored') {
        running.delete(e.key);
        finished++;
        line(`cached  ${e.key} (restored in ${seconds(e.durationMs)})`);
      } else if (e.state === 'cached') {
        cached++;
        status();
      }
    },
    complete() {
      if (live) out.write('\r\x1b[K');
    },
  });
}
