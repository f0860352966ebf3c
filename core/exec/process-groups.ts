// Every process the launcher starts gets its own process group (a pty's
// child is even a session leader), so one kill reaches what it started in
// the background too. Outside the terminal's foreground group, though, a
// child no longer gets the terminal's Ctrl-C, and nothing kills it when
// Strata ends. So the live groups are kept here, and:
//
// - a stop signal (SIGINT, SIGTERM, SIGHUP) to this process is passed on to
//   each of them, as the terminal would have; if nobody else in this
//   process listens for that signal, this process then dies by it, as it
//   would have without this listener (Node's default);
// - when this process exits, what is still running is killed (SIGKILL).
//
// A process started for an interactive terminal (menuconfig) stays in the
// caller's group instead: it must be in the foreground group to read the
// terminal (else the kernel stops it with SIGTTIN).

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const live = new Set<number>();
const forwarders = new Map<NodeJS.Signals, () => void>();

/** Kills a whole process group (the leader's pid is its id), falling back to the pid. */
export function killProcessGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

const killAll = (): void => live.forEach((pid) => killProcessGroup(pid, 'SIGKILL'));

function forward(signal: NodeJS.Signals): void {
  // Prepended, so this runs before any other listener, once-listeners
  // included: the count still holds everyone who will hear this signal.
  const othersListen = process.listenerCount(signal) > 1;
  live.forEach((pid) => killProcessGroup(pid, signal));
  if (!othersListen) {
    unlisten();
    process.kill(process.pid, signal);
  }
}

function listen(): void {
  if (forwarders.size) return;
  // (Re)installed after a forward removed them, if another child starts meanwhile.
  for (const signal of STOP_SIGNALS) {
    const f = (): void => forward(signal);
    forwarders.set(signal, f);
    process.prependListener(signal, f);
  }
  process.on('exit', killAll);
}

function unlisten(): void {
  for (const [signal, f] of forwarders) process.removeListener(signal, f);
  forwarders.clear();
  process.removeListener('exit', killAll);
}

let pending = 0;

/**
 * Call before starting a process in its own group, then `track` its pid
 * once started (or `track(undefined)` when it did not start). The listeners
 * go in first: a stop signal that arrives just after the start must find
 * them, or this process would die by it and leave the new group running.
 */
export function guardNewGroup(): { track(pid: number | undefined): { release(): void } } {
  pending++;
  listen();
  let settled = false;
  const done = (pid?: number) => {
    if (pid !== undefined) live.delete(pid);
    if (live.size === 0 && pending === 0) unlisten();
  };
  return {
    track(pid) {
      if (settled) throw new Error('guardNewGroup: track called twice');
      settled = true;
      pending--;
      if (pid === undefined) {
        done();
        return { release() {} };
      }
      live.add(pid);
      return { release: () => done(pid) };
    },
  };
}
