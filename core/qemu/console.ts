import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { concat, delay, filter, firstValueFrom, from, map, NEVER, of, race, share, Subject, take, timer, type Observable } from 'rxjs';
import { launch, type Launched } from '../exec/launch.js';
import { exitCode } from '../exec/process-exit.js';
import { shellCommand } from './args.js';
import { guardChild, type ChildGuard } from './guard.js';
import { splitLines, toPlainText } from './lines.js';

// QEMU runs in a pseudo-terminal, as it would for a user: with -nographic it
// puts its stdio in raw mode and muxes serial console and monitor on it.
// The console turns that pty into streams (raw chunks, plain text, lines)
// and an expect-style cursor over the text, and it owns the QEMU process:
// started here, guarded against this process stopping, killed here.

const MAX_UNREAD = 1 << 20;

export interface QemuExit {
  readonly exitCode: number;
  /** Signal number when QEMU was killed by one. */
  readonly signal?: number;
  /** Set when Strata killed QEMU because this process received this stop signal. */
  readonly stoppedBy?: NodeJS.Signals;
}

/** Where a finder found what it looked for, as offsets into the text it was given. */
export interface Found {
  readonly start: number;
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
}
export type Finder = (text: string) => Found | undefined;

/** How a wait ended. Expected outcomes are values, not exceptions. */
export type Expectation =
  | { readonly kind: 'match'; readonly before: string; readonly matched: string; readonly groups: readonly (string | undefined)[] }
  | { readonly kind: 'timeout'; readonly text: string }
  | { readonly kind: 'exit'; readonly text: string; readonly exit: QemuExit };

export interface ConsoleOptions {
  /** Write everything QEMU prints, as plain text, to this file (after a `# command line` header). */
  readonly log?: string;
  readonly cols?: number;
  readonly rows?: number;
  readonly terminalName?: string;
  /** Runs when a stop signal killed QEMU, after the log is closed and before this process stops. */
  readonly onSignal?: (signal: NodeJS.Signals) => void | Promise<void>;
}

/** RegExp as a Finder (the first match). */
export function regexFinder(re: RegExp): Finder {
  // Without g and y, exec always searches the whole text from its start.
  const once = new RegExp(re.source, re.flags.replace(/[gy]/g, ''));
  return (text) => {
    const m = once.exec(text);
    return m ? { start: m.index, end: m.index + m[0].length, groups: m.slice(1) } : undefined;
  };
}

export class QemuConsole {
  /** Raw pty output, as QEMU wrote it. Hot: subscribe before you expect output. */
  readonly raw$: Observable<string>;
  /** Output with terminal controls removed. */
  readonly text$: Observable<string>;
  /** Complete lines of `text$`. */
  readonly lines$: Observable<string>;
  /** Settles when QEMU has exited. */
  readonly exited: Promise<QemuExit>;

  private readonly rawSubject = new Subject<string>();
  private readonly proc: Launched;
  private readonly guard: ChildGuard;
  private readonly logStream?: WriteStream;
  private exitInfo?: QemuExit;
  /** Text not yet consumed by an expectation. */
  private unread = '';
  private recent: string[] = [];
  private partial = '';
  private lastOutput = Date.now();
  private stoppedBy?: NodeJS.Signals;

  private constructor(binary: string, args: readonly string[], options: ConsoleOptions, logStream?: WriteStream) {
    this.logStream = logStream;
    this.raw$ = this.rawSubject.asObservable();
    this.text$ = this.raw$.pipe(toPlainText(), share());
    this.lines$ = this.text$.pipe(splitLines(), share());
    // Subscribed first, so the buffer already holds a chunk when any later
    // subscriber (an expectation) sees it.
    this.text$.subscribe((t) => {
      // The log gets text, not the raw stream: CR CR LF line ends (guest and
      // host tty both translate) and escape sequences only get in the reader's way.
      this.log(t);
      this.unread += t;
      // Nobody consumes during an interactive session; bound the buffer.
      if (this.unread.length > MAX_UNREAD) this.unread = this.unread.slice(-MAX_UNREAD / 4);
      this.partial = (this.partial + t).slice((this.partial + t).lastIndexOf('\n') + 1);
    });
    this.lines$.subscribe((line) => {
      this.recent.push(line);
      if (this.recent.length > 40) this.recent.shift();
    });

    this.proc = launch({
      file: binary,
      args,
      pty: { name: options.terminalName ?? 'xterm-256color', cols: options.cols ?? 200, rows: options.rows ?? 50 },
      keep: false,
    });
    if (this.proc.pid === undefined) throw new Error(`cannot start ${binary}: not found`);
    this.proc.data.subscribe((chunk) => {
      this.lastOutput = Date.now();
      this.rawSubject.next(chunk);
    });
    this.exited = this.proc.finished.then(({ exit }) => {
      this.guard.release();
      const signal = exit.kind === 'signalled' ? exitCode(exit) - 128 : undefined;
      this.exitInfo = { exitCode: signal ? 0 : exitCode(exit), ...(signal ? { signal } : {}), ...(this.stoppedBy ? { stoppedBy: this.stoppedBy } : {}) };
      this.rawSubject.complete();
      return this.exitInfo;
    });
    this.guard = guardChild(this.proc.pid, {
      exited: this.exited,
      onStopSignal: (signal) => (this.stoppedBy = signal),
      onSignal: async (signal) => {
        this.log(`\n# strata: ${signal} received, QEMU killed\n`);
        await this.closeLog();
        await options.onSignal?.(signal);
      },
    });
  }

  /**
   * Starts `binary` (already resolved, see resolveQemuBinary) in a pty. The log
   * file, if any, starts with the command line so a run can be repeated.
   */
  static async start(binary: string, args: readonly string[], options: ConsoleOptions = {}): Promise<QemuConsole> {
    let logStream: WriteStream | undefined;
    if (options.log) {
      await mkdir(dirname(options.log), { recursive: true });
      logStream = createWriteStream(options.log, { flags: 'w' });
      logStream.write(`# ${shellCommand([binary, ...args])}\n`);
    }
    try {
      return new QemuConsole(binary, args, options, logStream);
    } catch (e) {
      logStream?.end();
      throw e;
    }
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Milliseconds since QEMU last printed anything. */
  get idleMs(): number {
    return Date.now() - this.lastOutput;
  }

  /** The last lines of console text, for error messages. */
  recentLines(n = 15): string[] {
    return [...this.recent, ...(this.partial ? [this.partial] : [])].slice(-n);
  }

  write(data: string | Buffer): void {
    if (!this.hasExited) this.proc.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.hasExited) this.proc.resize(cols, rows);
  }

  /**
   * Waits until `find` matches the unread text, QEMU exits, or `timeoutMs`
   * passes. On a match, the text up to the end of the match is consumed.
   */
  expect(find: Finder | RegExp, timeoutMs: number): Promise<Expectation> {
    const finder = find instanceof RegExp ? regexFinder(find) : find;
    // NEVER: race() would end on the first completion, and text$ completes
    // when QEMU exits; the exit is exit$'s to report.
    const found$ = concat(of(null), this.text$, NEVER).pipe(
      map(() => finder(this.unread)),
      filter((f): f is Found => f !== undefined),
      take(1),
      map((f): Expectation => {
        const result = { kind: 'match' as const, before: this.unread.slice(0, f.start), matched: this.unread.slice(f.start, f.end), groups: f.groups };
        this.unread = this.unread.slice(f.end);
        return result;
      }),
    );
    // node-pty can report the exit a moment before the last output is read;
    // the short delay lets that output still produce a match.
    const exit$ = from(this.exited).pipe(
      delay(100),
      map((exit): Expectation => ({ kind: 'exit', text: this.unread, exit })),
    );
    const timeout$ = timer(timeoutMs).pipe(map((): Expectation => ({ kind: 'timeout', text: this.unread })));
    return firstValueFrom(race(found$, exit$, timeout$));
  }

  /** Kills QEMU's process group now and waits for the exit to be reported. */
  async kill(): Promise<QemuExit> {
    if (!this.hasExited) this.proc.kill('SIGKILL');
    return this.exited;
  }

  /** Waits for QEMU to exit, killing it after `timeoutMs`. Says whether it had to kill. */
  async waitForExit(timeoutMs: number): Promise<{ exit: QemuExit; killed: boolean }> {
    // Aborted once settled, so a pending timer does not keep this process alive.
    const stop = new AbortController();
    const timedOut = sleep(timeoutMs, undefined, { signal: stop.signal }).catch(() => undefined);
    const exited = await Promise.race([this.exited, timedOut]);
    stop.abort();
    if (exited) return { exit: exited, killed: false };
    return { exit: await this.kill(), killed: true };
  }

  private log(text: string): void {
    if (this.logStream && !this.logStream.writableEnded) this.logStream.write(text);
  }

  /** Flushes and closes the log file. Call after QEMU has exited. */
  closeLog(): Promise<void> {
    const stream = this.logStream;
    if (!stream || stream.closed) return Promise.resolve();
    return new Promise((resolve) => {
      stream.once('close', resolve);
      if (!stream.writableEnded) stream.end();
    });
  }
}
