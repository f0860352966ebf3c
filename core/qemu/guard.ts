import { setTimeout as sleep } from 'node:timers/promises';
import { killProcessGroup } from '../exec/process-groups.js';

// QEMU must never outlive the Strata process that started it: a forgotten
// guest keeps a core busy and holds its disk images open. A guard ties one
// child to this process: when this process is told to stop (SIGINT, SIGTERM,
// SIGHUP) the child's process group is killed, the child is waited for (so it
// is reaped, not left a zombie), cleanup runs, and then this process stops by
// the same signal. If this process exits any other way while the child runs,
// the child is killed on the way out.
//
// If this process dies by SIGKILL no handler runs, but the pty master closes
// with it and the kernel sends SIGHUP to the session leader on the pty, which
// is QEMU (node-pty makes the child a session leader); QEMU exits on SIGHUP.

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** Bound on each wait in the stop path, so a stuck step cannot keep this process alive. */
const STOP_STEP_MS = 2_000;

// The group kill is the launcher's (core/exec/process-groups.ts).
export { killProcessGroup };

export interface ChildGuard {
  /** The child has exited: stop guarding it. */
  release(): void;
}

export interface GuardOptions {
  /** Runs at once when a stop signal arrives, just before the child is killed. */
  readonly onStopSignal?: (signal: NodeJS.Signals) => void;
  /** Settles when the child has exited and been reaped. */
  readonly exited?: Promise<unknown>;
  /** Runs after the child is gone because of a signal, before this process stops (restore the terminal, flush logs). */
  readonly onSignal?: (signal: NodeJS.Signals) => void | Promise<void>;
}

const bounded = async (work: Promise<unknown> | void | undefined): Promise<void> => {
  const stop = new AbortController();
  await Promise.race([Promise.resolve(work).catch(() => undefined), sleep(STOP_STEP_MS, undefined, { signal: stop.signal }).catch(() => undefined)]);
  stop.abort();
};

export function guardChild(pid: number, options: GuardOptions = {}): ChildGuard {
  let released = false;
  let stopping = false;

  const onExit = (): void => killProcessGroup(pid);
  const handlers = new Map<NodeJS.Signals, () => void>();
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', onExit);
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
  const stopBy = (signal: NodeJS.Signals): void => {
    release();
    // Listening to a signal replaces Node's default of dying by it. If
    // nobody else listens, die by it now (so the exit status names the
    // signal); if someone does, they received it too and decide what's next.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };

  for (const signal of STOP_SIGNALS) {
    const handler = (): void => {
      if (stopping) return stopBy(signal); // asked twice: stop now
      stopping = true;
      options.onStopSignal?.(signal);
      killProcessGroup(pid);
      void (async () => {
        await bounded(options.exited);
        await bounded(options.onSignal?.(signal));
        stopBy(signal);
      })();
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  process.on('exit', onExit);
  return { release };
}
