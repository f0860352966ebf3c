import { boardChecks } from '../qemu/board-checks.js';
import { testImage } from '../qemu/testimage.js';
import { loadBootTarget } from './boot-target.js';

export const USAGE = 'strata testimage <image> [--machine M] [--quiet] [--project DIR]';

/** Boots the image headless, runs its `checks:` and the board's (board-checks.ts), powers it off; exit 0 only when all pass. */
export async function testimageCommand(argv: string[]): Promise<number> {
  const target = await loadBootTarget(argv, USAGE);
  if (typeof target === 'number') return target;
  const { boot, image, quiet, session } = target;
  const checks = [...image.checks, ...boardChecks(session.cfg.machine.arch, boot)];
  const log = session.layout.imageFile(image.name, '.testimage.log');
  const out = process.stdout;
  const result = await testImage(boot, checks, {
    log,
    onEvent(e) {
      if (e.kind === 'start') out.write(`testimage: booting ${image.name} on ${boot.machine}\n  ${e.command}\n`);
      if (e.kind === 'ssh') out.write(`testimage: the guest's port ${e.guestPort} is forwarded to 127.0.0.1:${e.port} for the SSH checks\n`);
      if (e.kind === 'line' && !quiet) out.write(`  | ${e.line}\n`);
      if (e.kind === 'booted') out.write(`testimage: shell prompt after ${(e.ms / 1000).toFixed(1)} s\n`);
      if (e.kind === 'check-end') {
        const r = e.result;
        out.write(`testimage: ${r.passed ? 'PASS' : 'FAIL'} ${r.name}${r.passed ? '' : `: ${r.reason}\n    output: ${JSON.stringify(r.output)}`}\n`);
      }
      if (e.kind === 'poweroff') out.write(`testimage: powering off (${e.command})\n`);
    },
  });
  const passed = result.checks.filter((c) => c.passed).length;
  out.write(`testimage: ${passed} of ${checks.length} checks passed${result.reason ? `; ${result.reason}` : ''}\n  console log: ${log}\n`);
  return result.passed ? 0 : 1;
}
