import type * as ChildProcesses from 'node:child_process';
import { accessSync, constants as fs, createWriteStream, statSync, type WriteStream } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { lazyRequire } from '../fs/lazy-require.js';
import type * as NodePty from 'node-pty';
import { Subject, type Observable } from 'rxjs';
import { LineSplitter } from './line-splitter.js';
import { signalName, type ProcessExit } from './process-exit.js';
import { guardNewGroup, killProcessGroup } from './process-groups.js';
import { feedInput, type Input } from './stdin-feed.js';

// The one way Strata starts a process (git, tar, mke2fs, qemu, a task's
// shell…): with pipes or in a pseudo-terminal, in its own process group
// (process-groups.ts), with an optional timeout and abort signal that kill
// that whole group, its output split into lines and copied to a log file,
// and its end (exit code, signal, timeout, missing program) as a value.

export type { Input } from './stdin-feed.js';

/**
 * What happens to an output stream: 'pipe' (the launcher reads it: lines,
 * log, kept for the result), 'stream' (the caller reads `launched.stdout`),
 * 'ignore', 'inherit', or an open file descriptor.
 */
export type OutputMode = 'pipe' | 'stream' | 'ignore' | 'inherit' | number;

export interface PtyOptions {
  readonly cols?: number;
  readonly rows?: number;
  /** TERM inside (default `dumb`: tools print no colours). */
  readonly name?: string;
}

export interface LaunchSpec {
  readonly file: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** The child's whole environment (default: this process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Run in a pseudo-terminal: tools behave as for a user (line-buffered); stdout and stderr are one stream. */
  readonly pty?: PtyOptions | true;
  /** Pipes only: 'pipe' (write `launched.stdin`), 'inherit', 'ignore' (the default without `input`) or a descriptor. */
  readonly stdin?: 'pipe' | 'inherit' | 'ignore' | number;
  /** Pipes only: bytes or a stream fed to standard input. */
  readonly input?: Input;
  /** Feed `input` with blocking writes (stdin-feed.ts): for a child that prints little. */
  readonly blockingInput?: boolean;
  readonly stdout?: OutputMode;
  readonly stderr?: OutputMode;
  /** Kill the process group after this long; the exit is then `timed-out`. */
  readonly timeoutMs?: number;
  /** Kill the process group when this aborts. */
  readonly abort?: AbortSignal;
  /** First signal of a timeout or abort kill (default SIGTERM; SIGKILL follows after a grace period). */
  readonly killSignal?: NodeJS.Signals;
  /** Copy the output read (as text, CRs of a pty removed) to this file. */
  readonly log?: string;
  /** Keep the output read for `Finished` (default: yes, unless it goes to a log). */
  readonly keep?: boolean;
}

export interface Finished {
  readonly exit: ProcessExit;
  /** What was read from stdout (with a pty: everything printed), when kept. */
  readonly stdout: Buffer;
  /** What was read from stderr, when kept. */
  readonly stderr: string;
}

export interface Launched {
  /** Undefined when nothing was started (not found). */
  readonly pid: number | undefined;
  readonly stdin?: Writable;
  readonly stdout?: Readable;
  readonly stderr?: Readable;
  /** Output read by the launcher, as text chunks as they came (a pty's CRs and escapes included). Hot: subscribe before awaiting. */
  readonly data: Observable<string>;
  /** The same output as whole lines (CRs removed). */
  readonly lines: Observable<string>;
  /** Rejects only when the log or the input failed (a full disk), never for how the process ended. */
  readonly finished: Promise<Finished>;
  /** Input to a pty. */
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** Sends `signal` to the whole process group. */
  kill(signal?: NodeJS.Signals): void;
}

// node-pty (a native addon) is loaded on the first pty, not by every
// command that only runs git or tar; node:child_process (with dgram and
// Node's socket lists) on the first process, not by a build with nothing to
// run.
const ptyModule = lazyRequire<typeof NodePty>('node-pty');
const childProcesses = lazyRequire<typeof ChildProcesses>('node:child_process');

/** After the first signal of a timeout or abort, SIGKILL follows this much later. */
const KILL_GRACE_MS = 2_000;

/**
 * Where the program is, or undefined when it is not there: a name is looked
 * up on PATH as the child will see it; a path (with a slash) only has to
 * exist (if it cannot be run, starting it says why).
 */
export function findProgram(file: string, env: Readonly<Record<string, string | undefined>> = process.env, cwd = process.cwd()): string | undefined {
  const isFile = (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  if (file.includes('/')) {
    const p = isAbsolute(file) ? file : resolve(cwd, file);
    return isFile(p) ? p : undefined;
  }
  const runnable = (p: string) => {
    try {
      accessSync(p, fs.X_OK);
      return isFile(p);
    } catch {
      return false;
    }
  };
  return (env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, file))
    .find(runnable);
}

export function launch(spec: LaunchSpec): Launched {
  const env = Object.fromEntries(Object.entries(spec.env ?? process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const data = new Subject<string>();
  const lines = new Subject<string>();
  if (!findProgram(spec.file, env, spec.cwd)) {
    data.complete();
    lines.complete();
    const finished = Promise.resolve({ exit: { kind: 'not-found', file: spec.file } as const, stdout: Buffer.alloc(0), stderr: '' });
    return { pid: undefined, data, lines, finished, write() {}, resize() {}, kill() {} };
  }

  const keep = spec.keep ?? !spec.log;
  const kept: Buffer[] = [];
  let stderrText = '';
  let failure: Error | undefined;
  let log: WriteStream | undefined;
  if (spec.log) {
    log = createWriteStream(spec.log);
    // A log that cannot be written (a full disk) fails the result with that
    // error instead of crashing the process with an unhandled one.
    log.on('error', (e) => (failure ??= e));
  }
  const splitter = new LineSplitter();
  const text = (t: string) => {
    if (!t) return;
    data.next(t);
    // A pty ends lines with CR LF (its line discipline adds the CR); the log and lines get plain LFs.
    const plain = spec.pty ? t.replace(/\r/g, '') : t;
    if (log && !failure) log.write(plain);
    splitter.push(plain).forEach((l) => lines.next(l.replace(/\r$/, '')));
  };

  // Interactive (stdin from the terminal): stays in the terminal's foreground group, see process-groups.ts.
  const ownGroup = !!spec.pty || spec.stdin !== 'inherit';
  const guard = ownGroup ? guardNewGroup() : undefined;
  let started: Started;
  try {
    started = spec.pty ? startPty(spec, env, text, kept, keep) : startPipes(spec, env, ownGroup, text, kept, keep, (s) => (stderrText += s));
  } catch (e) {
    guard?.track(undefined);
    throw e;
  }
  const group = guard?.track(started.pid);
  // Once the exit is known the pid may be reused: no signal goes out after it.
  let over = false;
  const killGroup = (signal: NodeJS.Signals) => {
    if (started.pid === undefined || over) return;
    if (started.ownGroup) killProcessGroup(started.pid, signal);
    else started.killOne(signal);
  };

  let timedOut = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup(spec.killSignal ?? 'SIGTERM');
    graceTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
  };
  const timer = spec.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), stop()), spec.timeoutMs);
  spec.abort?.addEventListener('abort', stop);
  if (spec.abort?.aborted) stop();
  started.input?.catch((e: Error) => {
    failure ??= e;
    killGroup('SIGKILL');
  });

  const finished = started.ended.then(async (ended) => {
    clearTimeout(timer);
    spec.abort?.removeEventListener('abort', stop);
    if (timedOut || graceTimer) killGroup('SIGKILL'); // what ignored the first signal, in the background too
    clearTimeout(graceTimer);
    over = true;
    group?.release();
    splitter.flush().forEach((l) => lines.next(l));
    data.complete();
    lines.complete();
    if (log && !log.destroyed) await new Promise((r) => log.end(r));
    if (failure) throw failure;
    const exit: ProcessExit = timedOut ? { kind: 'timed-out', afterMs: spec.timeoutMs! } : ended;
    return { exit, stdout: Buffer.concat(kept), stderr: stderrText };
  });
  return {
    pid: started.pid,
    stdin: started.child?.stdin ?? undefined,
    stdout: started.child?.stdout ?? undefined,
    stderr: started.child?.stderr ?? undefined,
    data,
    lines,
    finished,
    write: (d) => started.term?.write(d),
    resize: (cols, rows) => started.term?.resize(cols, rows),
    kill: (signal = 'SIGTERM') => killGroup(signal),
  };
}

interface Started {
  readonly pid: number | undefined;
  readonly ownGroup: boolean;
  readonly ended: Promise<ProcessExit>;
  readonly input?: Promise<void>;
  readonly child?: ChildProcesses.ChildProcess;
  readonly term?: NodePty.IPty;
  killOne(signal: NodeJS.Signals): void;
}

function startPty(spec: LaunchSpec, env: Record<string, string>, text: (t: string) => void, kept: Buffer[], keep: boolean): Started {
  const o = spec.pty === true ? {} : spec.pty!;
  // node-pty makes the child a session leader, so its pid is its group's id.
  const term = ptyModule().spawn(spec.file, [...(spec.args ?? [])], { cwd: spec.cwd, env, cols: o.cols ?? 200, rows: o.rows ?? 50, name: o.name ?? 'dumb' });
  term.onData((chunk) => {
    if (keep) kept.push(Buffer.from(chunk));
    text(chunk.replace(/\r/g, ''));
  });
  const ended = new Promise<ProcessExit>((done) =>
    term.onExit(({ exitCode, signal }) => {
      const name = signal ? signalName(signal) : undefined;
      done(name ? { kind: 'signalled', signal: name } : { kind: 'exited', code: exitCode });
    }),
  );
  return { pid: term.pid, ownGroup: true, ended, term, killOne: (s) => term.kill(s) };
}

function startPipes(
  spec: LaunchSpec,
  env: Record<string, string>,
  ownGroup: boolean,
  text: (t: string) => void,
  kept: Buffer[],
  keep: boolean,
  onStderr: (t: string) => void,
): Started {
  const stdinMode = spec.input !== undefined ? 'pipe' : (spec.stdin ?? 'ignore');
  const mode = (m: OutputMode | undefined) => (m === undefined || m === 'stream' ? 'pipe' : m);
  const child = childProcesses().spawn(spec.file, [...(spec.args ?? [])], {
    cwd: spec.cwd,
    env,
    detached: ownGroup,
    stdio: [stdinMode, mode(spec.stdout), mode(spec.stderr)],
  });
  const outDecoder = new StringDecoder('utf8');
  const errDecoder = new StringDecoder('utf8');
  if ((spec.stdout ?? 'pipe') === 'pipe')
    child.stdout?.on('data', (d: Buffer) => {
      if (keep) kept.push(d);
      text(outDecoder.write(d));
    });
  if ((spec.stderr ?? 'pipe') === 'pipe')
    child.stderr?.on('data', (d: Buffer) => {
      const t = errDecoder.write(d);
      if (keep) onStderr(t);
      text(t);
    });
  const ended = new Promise<ProcessExit>((done) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      // spawn reports a missing working folder as ENOENT too; the program was found before.
      done({ kind: 'cannot-start', file: spec.file, message: e.code === 'ENOENT' && spec.cwd ? `working folder ${spec.cwd} does not exist` : e.message });
    });
    child.on('close', (code, signal) => {
      text(outDecoder.end() + errDecoder.end());
      done(signal ? { kind: 'signalled', signal } : { kind: 'exited', code: code ?? -1 });
    });
  });
  const input = spec.input !== undefined && child.stdin ? feedInput(child.stdin, spec.input, spec.blockingInput) : undefined;
  return { pid: child.pid, ownGroup, ended, input, child, killOne: (s) => child.kill(s) };
}

/** Runs a program to its end: `launch(…).finished` in one call. */
export function runProcess(file: string, args: readonly string[], spec: Omit<LaunchSpec, 'file' | 'args'> = {}): Promise<Finished> {
  return launch({ ...spec, file, args }).finished;
}
