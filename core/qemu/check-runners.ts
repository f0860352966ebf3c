import { checkName, judgeCheck, type CheckResult, type ImageCheck } from './check.js';
import type { Finder, QemuConsole } from './console.js';
import { commandOutput, markedCommand, markerFinder } from './shell-protocol.js';
import { runOverSsh, type SshSession } from './ssh.js';

// The commands testimage types into a booted guest, one at a time: the
// first, which proves the shell reads its input, then each check, at the
// console prompt or in an SSH login from the host. Each returns a result
// or a reason; the boot and the power-off around them are testimage.ts's.

/** A duration for messages: 1.5 s. */
export const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/**
 * An Enter pressed while the shell was still starting is read after the
 * prompt we matched and prints a second prompt, which would land in the first
 * check's output. The terminal hands lines over in order, so a marked no-op
 * command, answered and followed by its prompt, proves everything typed
 * before it has been consumed. Returns why the shell is unusable, if it is.
 *
 * What is typed just after the first prompt can also be lost: a shell may
 * set up its terminal after printing the prompt and discard pending input
 * (seen on a loaded host as a prompt followed by silence). So the command is
 * typed again every few seconds, each time with its own marker, until one
 * answers; after a retry, one more marked no-op proves the other copies have
 * run too, so none of their output reaches the first check.
 */
export async function drainPendingInput(qemu: QemuConsole, prompt: Finder, timeoutMs: number, command: string): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let attempt = 0;
  for (;;) {
    // Markers 0, -1, -2…: never a check's number (checks count from 1).
    qemu.write(`${markedCommand(command, -attempt)}\n`);
    const marker = await qemu.expect(DRAIN_MARKER, Math.max(0, Math.min(RETYPE_AFTER_MS, deadline - Date.now())));
    if (marker.kind === 'exit') return 'the guest stopped before its shell ran a command';
    if (marker.kind === 'match') {
      if (marker.groups[1] !== '0')
        return `the first command (${command}) ended with status ${marker.groups[1]}: ${commandOutput(marker.before, Number(marker.groups[0])).trim()}`;
      break;
    }
    if (Date.now() >= deadline) return `the shell showed a prompt but did not run a command within ${seconds(timeoutMs)}`;
    attempt++;
  }
  if (attempt > 0) {
    const barrier = -(attempt + 1);
    qemu.write(`${markedCommand('true', barrier)}\n`);
    const done = await qemu.expect(markerFinder(barrier), Math.max(0, deadline - Date.now()));
    if (done.kind !== 'match') return `the shell did not answer again within ${seconds(timeoutMs)}`;
  }
  const back = await qemu.expect(prompt, timeoutMs);
  return back.kind === 'match' ? undefined : 'the shell did not show its prompt again after the first command';
}

/** How long drainPendingInput waits for an answer before typing its command again. */
const RETYPE_AFTER_MS = 5_000;

/** The marker of any of drainPendingInput's commands: group 1 its number, group 2 the exit status. */
const DRAIN_MARKER: Finder = (text) => {
  const m = /__STRATA_(0|-\d+)_(\d+)__/.exec(text);
  return m ? { start: m.index, end: m.index + m[0].length, groups: [m[1], m[2]] } : undefined;
};

/** Runs one check in an SSH login from the host; ssh's own failures (status 255) are retried within the timeout. */
export async function runSshCheck(ssh: SshSession, check: ImageCheck, timeoutMs: number): Promise<CheckResult> {
  const started = Date.now();
  const base = { name: checkName(check), command: check.run };
  const r = await runOverSsh(ssh, check.run, timeoutMs);
  const durationMs = Date.now() - started;
  const output = r.output.replace(/\r\n/g, '\n').replace(/\n$/, '');
  if (r.timedOut) return { ...base, passed: false, output, reason: `no result over SSH within ${seconds(timeoutMs)}`, durationMs };
  const judged = judgeCheck(check, output, r.status);
  const reason = judged.reason && r.status === 255 ? `${judged.reason} (ssh to 127.0.0.1:${ssh.forward.host} failed ${r.tries} times)` : judged.reason;
  return { ...base, ...judged, reason, output, status: r.status, durationMs };
}

/** Runs one check at the prompt. `ended` says whether its marker came back. */
export async function runCheck(qemu: QemuConsole, check: ImageCheck, n: number, timeoutMs: number): Promise<{ result: CheckResult; ended: boolean }> {
  const started = Date.now();
  const base = { name: checkName(check), command: check.run };
  qemu.write(`${markedCommand(check.run, n)}\n`);
  const r = await qemu.expect(markerFinder(n), timeoutMs);
  const durationMs = Date.now() - started;
  if (r.kind !== 'match') {
    const output = commandOutput(r.text, n);
    const reason = r.kind === 'exit' ? `QEMU exited (code ${r.exit.exitCode}) while the command ran` : `no result within ${seconds(timeoutMs)}`;
    return { result: { ...base, passed: false, output, reason, durationMs }, ended: false };
  }
  const output = commandOutput(r.before, n);
  const status = Number(r.groups[0]);
  return { result: { ...base, ...judgeCheck(check, output, status), output, status, durationMs }, ended: true };
}
