import { createWriteStream } from 'node:fs';
import pty from 'node-pty';
import { Observable } from 'rxjs';

// Runs one command in a pseudo-terminal (tools behave as they do for a user:
// line-buffered output, colours off via TERM=dumb), with exactly the given
// environment, copying everything it prints to a log file.

export interface PtyRun {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly log: string;
}

export interface PtyResult {
  readonly exitCode: number;
  readonly signal?: number;
}

export interface RunningCommand {
  readonly result: Promise<PtyResult>;
  readonly lines: Observable<string>;
  /** Kills the whole process group (the pty makes the command a session leader). */
  kill(signal?: NodeJS.Signals): void;
}

export function runInPty(run: PtyRun): RunningCommand {
  const log = createWriteStream(run.log);
  // A log that cannot be written (a full disk) fails the command's result
  // with that error instead of crashing the process with an unhandled one.
  let logError: Error | undefined;
  log.on('error', (e) => {
    logError ??= e;
  });
  const child = pty.spawn(run.file, [...run.args], { cwd: run.cwd, env: run.env, cols: 200, rows: 50, name: 'dumb' });
  let pending = '';
  const listeners = new Set<(line: string) => void>();
  child.onData((data) => {
    const text = data.replace(/\r/g, '');
    if (!logError) log.write(text);
    pending += text;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) listeners.forEach((l) => l(line));
  });
  const result = new Promise<PtyResult>((resolve, reject) => {
    child.onExit(({ exitCode, signal }) => {
      if (pending) listeners.forEach((l) => l(pending));
      const settle = () => (logError ? reject(logError) : resolve({ exitCode, signal }));
      if (logError || log.destroyed) settle();
      else log.end(settle);
    });
  });
  const lines = new Observable<string>((sub) => {
    const l = (line: string) => sub.next(line);
    listeners.add(l);
    result.then(
      () => sub.complete(),
      () => sub.complete(),
    );
    return () => listeners.delete(l);
  });
  return {
    result,
    lines,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    },
  };
}
