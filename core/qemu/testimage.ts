import { resolve } from 'node:path';
import { qemuArgs, shellCommand } from './args.js';
import { resolveQemuBinary } from './binary.js';
import { checkName, checkProblem, notRun, type CheckResult, type ImageCheck } from './check.js';
import { drainPendingInput, runCheck, runSshCheck, seconds } from './check-runners.js';
import { QemuConsole, type QemuExit } from './console.js';
import type { QemuBoot } from './qemuboot.js';
import { kernelPanicLine, promptFinder } from './shell-protocol.js';
import { authorizeKeyCommand, openSshSession, withNewHostPort, type PortPicker, type SshSession } from './ssh.js';

// testimage: boot an image headless, run each check at its shell prompt,
// power it off. Every way this can go wrong (no QEMU, no prompt, a hung
// command, a guest that will not power off, a crash) is a result with a
// reason, never a QEMU left running: the console kills it on every path out,
// including SIGINT/SIGTERM of this process.

export interface TestImageOptions {
  /** File that receives the whole console output. */
  readonly log: string;
  /** How long the image may take to show its first prompt. Default: the qemuboot file's `bootTimeout` (the machine's `boot-timeout:`), else 120 s. */
  readonly bootTimeoutMs?: number;
  /** How long one check may run. Default 30 s. */
  readonly commandTimeoutMs?: number;
  /** How long the guest may take to power off before QEMU is killed. Default 20 s. */
  readonly shutdownTimeoutMs?: number;
  readonly onEvent?: (event: TestImageEvent) => void;
  /** Picks the SSH forward's host port: a free one on 127.0.0.1 by default (tests pass ports that are taken). */
  readonly pickSshPort?: PortPicker;
}

export type TestImageEvent =
  | { readonly kind: 'start'; readonly command: string; readonly log: string; readonly pid: number }
  | { readonly kind: 'ssh'; readonly port: number; readonly guestPort: number }
  | { readonly kind: 'line'; readonly line: string }
  | { readonly kind: 'booted'; readonly ms: number }
  | { readonly kind: 'check-start'; readonly index: number; readonly name: string; readonly command: string }
  | { readonly kind: 'check-end'; readonly index: number; readonly result: CheckResult }
  | { readonly kind: 'poweroff'; readonly command: string }
  | { readonly kind: 'exit'; readonly exit: QemuExit; readonly killed: boolean };

export interface TestImageResult {
  /** Booted, every check passed, and the guest powered off by itself. */
  readonly passed: boolean;
  readonly booted: boolean;
  readonly bootMs?: number;
  readonly checks: readonly CheckResult[];
  /** Why the run failed apart from its checks (boot, shutdown, QEMU). */
  readonly reason?: string;
  readonly exit?: QemuExit;
  /** QEMU had to be killed. */
  readonly killed: boolean;
  /** The console log file. */
  readonly log: string;
  /** The QEMU command line, to boot the same way by hand. */
  readonly command: string;
}

const DEFAULTS = { bootTimeoutMs: 120_000, commandTimeoutMs: 30_000, shutdownTimeoutMs: 20_000 };
/** How long the console must be quiet before Enter is pressed to ask for a fresh prompt. */
const NUDGE_AFTER_IDLE_MS = 3_000;
/** After a hung command: how long Ctrl-C may take to bring the prompt back. */
const RECOVER_MS = 5_000;
/**
 * QEMU's message when it cannot bind a forward's host port (net/slirp.c).
 * A port found free can be taken by another process before QEMU binds it
 * (two testimage runs at once, a test suite's parallel files), so QEMU is
 * started again on another port, up to FORWARD_TRIES times in all.
 */
const FORWARD_REFUSED = /Could not set up host forwarding rule/;
const FORWARD_TRIES = 3;

/** The caller's limit, else the machine's (qemuboot.json's `bootTimeout`, seconds), else the default; with where it came from, for the message. */
function bootLimit(boot: QemuBoot, options: TestImageOptions): { bootTimeoutMs: number; bootTimeoutFrom: string } {
  if (options.bootTimeoutMs !== undefined) return { bootTimeoutMs: options.bootTimeoutMs, bootTimeoutFrom: '' };
  if (boot.bootTimeout !== undefined) return { bootTimeoutMs: boot.bootTimeout * 1000, bootTimeoutFrom: ` (machine ${boot.machine}'s qemu: boot-timeout:)` };
  return { bootTimeoutMs: DEFAULTS.bootTimeoutMs, bootTimeoutFrom: " (the default; a slow board sets more in its machine file's qemu: boot-timeout:)" };
}

export async function testImage(boot: QemuBoot, checks: readonly ImageCheck[], options: TestImageOptions): Promise<TestImageResult> {
  const opts = { ...DEFAULTS, ...options, ...bootLimit(boot, options) };
  const log = resolve(opts.log);
  const binary = resolveQemuBinary(boot);
  if (!binary.ok) {
    const reason = `${binary.error.message}; ${binary.error.hint}`;
    const command = shellCommand([boot.qemu.binary, ...qemuArgs(boot)]);
    return { log, command, booted: false, killed: false, passed: false, reason, checks: checks.map((c) => notRun(c, 'not run: QEMU could not start')) };
  }
  // Checks that log in from the host need a key and a forwarded port.
  let ssh: SshSession | undefined;
  if (checks.some((c) => c.via === 'ssh')) {
    try {
      ssh = await openSshSession(opts.pickSshPort);
    } catch (e) {
      const reason = `cannot prepare the SSH checks: ${(e as Error).message}`;
      const command = shellCommand([boot.qemu.binary, ...qemuArgs(boot)]);
      return { log, command, booted: false, killed: false, passed: false, reason, checks: checks.map((c) => notRun(c, 'not run: no SSH key')) };
    }
  }
  try {
    for (let tries = 1; ; tries++) {
      const run = await bootAndCheck(boot, checks, opts, binary.value, log, ssh);
      if (!ssh || !run.forwardRefused) return run.result;
      if (tries === FORWARD_TRIES)
        return { ...run.result, reason: `${run.result.reason}\n(QEMU could not bind any of ${tries} host ports for the SSH forward)` };
      ssh = await withNewHostPort(ssh, opts.pickSshPort);
    }
  } finally {
    await ssh?.close();
  }
}

async function bootAndCheck(
  boot: QemuBoot,
  checks: readonly ImageCheck[],
  opts: TestImageOptions & typeof DEFAULTS & { bootTimeoutFrom: string },
  binary: string,
  log: string,
  ssh: SshSession | undefined,
): Promise<{ result: TestImageResult; forwardRefused?: boolean }> {
  const emit = opts.onEvent ?? (() => undefined);
  const args = qemuArgs(boot, boot.dir, { forwards: ssh ? [ssh.forward] : [], snapshot: true });
  const command = shellCommand([boot.qemu.binary, ...args]);
  const base = { log, command, booted: false, killed: false };

  const qemu = await QemuConsole.start(binary, args, { log });
  emit({ kind: 'start', command, log, pid: qemu.pid });
  if (ssh) emit({ kind: 'ssh', port: ssh.forward.host, guestPort: ssh.forward.guest });
  const lines = qemu.lines$.subscribe((line) => emit({ kind: 'line', line }));
  const prompt = promptFinder(boot.prompt);
  // A loaded host can leave a guest silent for the whole boot timeout; say so rather than quote nothing.
  const tail = (): string => {
    const lines = qemu.recentLines(10);
    return lines.some((l) => l.trim()) ? lines.map((l) => `    ${l}`).join('\n') : '    (the console printed nothing)';
  };

  try {
    // Boot: wait for the prompt. A prompt printed before late kernel messages
    // is no longer at the end of the last line, and some inits ask to "press
    // Enter", so when the console goes quiet, press Enter.
    const started = Date.now();
    let lastNudge = started;
    let bootFailure: string | undefined;
    let forwardRefused = false;
    for (;;) {
      const left = opts.bootTimeoutMs - (Date.now() - started);
      if (left <= 0) {
        bootFailure = `no prompt matching /${boot.prompt}/ within ${seconds(opts.bootTimeoutMs)}${opts.bootTimeoutFrom}; last console lines:\n${tail()}`;
        break;
      }
      const r = await qemu.expect(prompt, Math.min(left, 1_000));
      if (r.kind === 'match') break;
      if (r.kind === 'exit') {
        const panic = kernelPanicLine(qemu.recentLines(40));
        forwardRefused = qemu.recentLines(40).some((l) => FORWARD_REFUSED.test(l));
        bootFailure = `QEMU exited (code ${r.exit.exitCode}) before the prompt appeared${panic ? `: ${panic}` : ''}; last console lines:\n${tail()}`;
        break;
      }
      if (qemu.idleMs >= NUDGE_AFTER_IDLE_MS && Date.now() - lastNudge >= NUDGE_AFTER_IDLE_MS) {
        lastNudge = Date.now();
        qemu.write('\n');
      }
    }
    // The first command both drains pending input and, for SSH checks, authorizes the run's key.
    // It is still part of the boot: a guest busy with first-boot work, or starved by a loaded host,
    // may take its first command late, so it has what is left of the boot limit (one command's at least).
    const firstCommandMs = Math.max(opts.commandTimeoutMs, opts.bootTimeoutMs - (Date.now() - started));
    if (!bootFailure) bootFailure = await drainPendingInput(qemu, prompt, firstCommandMs, ssh ? authorizeKeyCommand(ssh) : 'true');
    if (bootFailure) {
      const { exit, killed } = await qemu.waitForExit(0);
      emit({ kind: 'exit', exit, killed });
      const result = {
        ...base,
        passed: false,
        reason: `image did not boot: ${bootFailure}`,
        exit,
        killed,
        checks: checks.map((c) => notRun(c, 'not run: the image did not boot')),
      };
      return { result, forwardRefused };
    }
    const bootMs = Date.now() - started;
    emit({ kind: 'booted', ms: bootMs });

    const results: CheckResult[] = [];
    let broken: string | undefined; // once the shell is lost, later checks cannot run
    for (const [index, check] of checks.entries()) {
      const n = index + 1;
      const problem = checkProblem(check);
      if (broken || problem) {
        results.push(notRun(check, broken ? `not run: ${broken}` : `invalid check: ${problem}`));
        continue;
      }
      emit({ kind: 'check-start', index, name: checkName(check), command: check.run });
      if (check.via === 'ssh' && ssh) {
        const result = await runSshCheck(ssh, check, check.timeoutMs ?? opts.commandTimeoutMs);
        results.push(result);
        emit({ kind: 'check-end', index, result });
        continue;
      }
      const result = await runCheck(qemu, check, n, check.timeoutMs ?? opts.commandTimeoutMs);
      results.push(result.result);
      emit({ kind: 'check-end', index, result: result.result });
      if (result.ended) {
        // The command finished; its prompt must come back before the next one.
        const back = await qemu.expect(prompt, opts.commandTimeoutMs);
        if (back.kind !== 'match') broken = `the shell did not show its prompt again after check ${n}`;
      } else if (qemu.hasExited) {
        broken = `QEMU exited during check ${n}`;
      } else {
        // A hung command: interrupt it and resynchronise on the prompt.
        qemu.write('\x03');
        const back = await qemu.expect(prompt, RECOVER_MS);
        if (back.kind !== 'match') broken = `check ${n} hung and Ctrl-C did not bring the prompt back`;
      }
    }

    // Power off, or kill after the timeout; a guest that cannot power off fails the run.
    let reason: string | undefined;
    if (!qemu.hasExited) {
      emit({ kind: 'poweroff', command: boot.poweroff });
      qemu.write(`${boot.poweroff}\n`);
    }
    const { exit, killed } = await qemu.waitForExit(opts.shutdownTimeoutMs);
    emit({ kind: 'exit', exit, killed });
    if (killed) reason = `the guest did not power off within ${seconds(opts.shutdownTimeoutMs)} of "${boot.poweroff}"; QEMU was killed`;
    else if (broken) reason = broken;
    const passed = !reason && results.every((r) => r.passed);
    return { result: { ...base, passed, booted: true, bootMs, checks: results, reason, exit, killed } };
  } finally {
    // Whatever happened above, QEMU does not outlive this call.
    if (!qemu.hasExited) await qemu.kill();
    lines.unsubscribe();
    await qemu.closeLog();
  }
}
