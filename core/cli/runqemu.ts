import { diag, UserError } from '../diagnostics/diagnostic.js';
import { runQemuInteractive } from '../qemu/runqemu.js';
import { loadBootTarget, RUNQEMU_OPTIONS } from './boot-target.js';

export const USAGE = 'strata runqemu <image> [--machine M] [--ssh-port PORT] [--project DIR]   (Ctrl-A X quits)';

/** `--ssh-port PORT`: the guest's SSH server at 127.0.0.1:PORT, through QEMU's user network. */
function sshForward(port: string | undefined): { host: number; guest: number }[] {
  if (port === undefined) return [];
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
    throw new UserError(diag('usage', `--ssh-port '${port}' is not a TCP port (1 to 65535)`, undefined, { hint: `usage: ${USAGE}` }));
  }
  return [{ host: n, guest: 22 }];
}

export async function runqemuCommand(argv: string[]): Promise<number> {
  const target = await loadBootTarget(argv, USAGE, RUNQEMU_OPTIONS);
  if (typeof target === 'number') return target;
  return runQemuInteractive(target.boot, { quiet: target.quiet, forwards: sshForward(target.sshPort) });
}
