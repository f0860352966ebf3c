import { runQemuInteractive } from '../qemu/runqemu.js';
import { loadBootTarget } from './boot-target.js';

export const USAGE = 'strata runqemu <image> [--machine M] [--project DIR]   (Ctrl-A X quits)';

export async function runqemuCommand(argv: string[]): Promise<number> {
  const target = await loadBootTarget(argv, USAGE);
  if (typeof target === 'number') return target;
  return runQemuInteractive(target.boot, { quiet: target.quiet });
}
