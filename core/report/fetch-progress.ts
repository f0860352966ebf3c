import type { FetchEvent } from '../fetch/orchestrator.js';

// Draws the fetch phase. One line per source that actually moves (sources
// already verified in the download folder stay quiet), one per retry and
// per wait for another process's lock. Bytes: on a terminal, one live
// status line over every download in flight, redrawn at most ten times a
// second; elsewhere (CI, a pipe), a line at each quarter of a large file,
// so a long download is never silent and a log never floods.

const LARGE = 16 << 20;
const REDRAW_MS = 100;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const amount = (bytes: number, total?: number) =>
  total ? `${formatBytes(bytes)} of ${formatBytes(total)} (${Math.floor((bytes / total) * 100)}%)` : formatBytes(bytes);

export function fetchReporter(
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stdout,
  now: () => number = Date.now,
): (e: FetchEvent) => void {
  const live = Boolean(out.isTTY);
  const active = new Map<string, { bytes: number; total?: number }>();
  const quarters = new Map<string, number>();
  let drawn = 0;
  const status = () => {
    if (!live || !active.size) return;
    const parts = [...active].map(([name, p]) => `${name} ${p.total ? `${Math.floor((p.bytes / p.total) * 100)}%` : formatBytes(p.bytes)}`);
    const sum = [...active.values()].reduce((a, p) => a + p.bytes, 0);
    out.write(`\r\x1b[K[fetch ${formatBytes(sum)}] ${parts.join(', ')}`.slice(0, (out.columns ?? 120) - 1));
  };
  const line = (text: string) => {
    if (live) out.write('\r\x1b[K');
    out.write(text + '\n');
    status();
  };
  return (e) => {
    const name = e.source.name;
    switch (e.state) {
      case 'fetching':
        active.set(name, { bytes: 0 });
        line(`fetch   ${name} from ${e.from}`);
        break;
      case 'waiting':
        if (e.stale)
          line(
            `unlock  ${name}: process ${e.holder?.pid} died while fetching it; its lock is removed and any partial download it left is resumed, then verified`,
          );
        else line(`wait    ${name}: process ${e.holder?.pid} on ${e.holder?.host} is fetching it`);
        break;
      case 'retry':
        line(`retry   ${name}: ${e.detail}`);
        break;
      case 'progress': {
        const bytes = e.bytes ?? 0;
        active.set(name, { bytes, total: e.total });
        if (live) {
          if (now() - drawn >= REDRAW_MS) {
            drawn = now();
            status();
          }
        } else if (e.total && e.total >= LARGE) {
          const q = Math.floor((bytes / e.total) * 4);
          if (q > (quarters.get(name) ?? 0) && q < 4) {
            quarters.set(name, q);
            line(`        ${name}: ${amount(bytes, e.total)}`);
          }
        }
        break;
      }
      case 'done': {
        active.delete(name);
        const how = e.source.kind === 'git' ? `commit ${e.source.rev.slice(0, 12)}… verified` : `sha256 ${e.source.sha256.slice(0, 12)}… verified`;
        line(`fetched ${name} (${e.bytes !== undefined ? formatBytes(e.bytes) + ', ' : ''}${how})`);
        break;
      }
      case 'failed':
        active.delete(name);
        if (live) out.write('\r\x1b[K');
        status();
        break;
    }
  };
}
