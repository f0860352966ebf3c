import { constants as osConstants } from 'node:os';
import { UserError } from '../diagnostics/diagnostic.js';
import { qemuArgs, shellCommand, type PortForward } from './args.js';
import { resolveQemuBinary } from './binary.js';
import { QemuConsole } from './console.js';
import type { QemuBoot } from './qemuboot.js';

// runqemu: boot an image with the user's terminal wired to its serial
// console. The terminal goes into raw mode so every key, Ctrl-C and Ctrl-A
// included, reaches QEMU, whose stdio mux reads Ctrl-A X as "quit". Whatever
// ends the session (QEMU exiting, an error here, SIGTERM/SIGHUP to this
// process) the terminal is put back as it was and QEMU is not left running.

export interface RunQemuOptions {
  /** Also write the console output to this file. */
  readonly log?: string;
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
  /** Where the banner goes (not the console); default process.stderr. */
  readonly stderr?: NodeJS.WritableStream;
  /** Leave out the banner with the command line and the keys. */
  readonly quiet?: boolean;
  /** Guest TCP ports to reach from the host at 127.0.0.1 (adds QEMU's user network). */
  readonly forwards?: readonly PortForward[];
}

/**
 * Runs QEMU until it exits; resolves to its exit code, or 128 + the signal
 * number when QEMU was killed by a signal or stopped because Strata got one.
 * Throws UserError when the QEMU binary is missing.
 */
export async function runQemuInteractive(boot: QemuBoot, options: RunQemuOptions = {}): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;

  const binary = resolveQemuBinary(boot);
  if (!binary.ok) throw new UserError(binary.error);
  const args = qemuArgs(boot, boot.dir, { forwards: options.forwards });
  if (!options.quiet) {
    stderr.write(`Booting ${boot.image} for ${boot.machine}:\n  ${shellCommand([boot.qemu.binary, ...args])}\n`);
    stderr.write('Quit with Ctrl-A X; Ctrl-A C switches to the QEMU monitor and back; Ctrl-A H lists the keys.\n\n');
  }

  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  const onInput = (data: Buffer): void => qemu.write(data);
  const onResize = (): void => qemu.resize(stdout.columns, stdout.rows);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    stdin.removeListener('data', onInput);
    stdout.removeListener('resize', onResize);
    if (stdin.isTTY) stdin.setRawMode(wasRaw);
    stdin.pause();
  };

  const qemu = await QemuConsole.start(binary.value, args, {
    log: options.log,
    cols: stdout.isTTY ? stdout.columns : undefined,
    rows: stdout.isTTY ? stdout.rows : undefined,
    terminalName: process.env.TERM,
    // Runs after QEMU was killed by a stop signal and before this process
    // stops by it: a shell left in raw mode would look dead to the user.
    onSignal: (signal) => {
      restore();
      stderr.write(`\r\nstrata runqemu: ${signal} received, QEMU stopped\r\n`);
    },
  });
  const output = qemu.raw$.subscribe((chunk) => stdout.write(chunk));
  try {
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.resume();
    if (stdout.isTTY) stdout.on('resize', onResize);
    const exit = await qemu.exited;
    // Stopped by a signal to Strata: report that signal, as a shell would.
    if (exit.stoppedBy) return 128 + osConstants.signals[exit.stoppedBy];
    return exit.signal ? 128 + exit.signal : exit.exitCode;
  } finally {
    restore();
    if (!qemu.hasExited) await qemu.kill();
    output.unsubscribe();
    await qemu.closeLog();
  }
}
