import { parseDotConfig } from './kconfig-file.js';

// `strata diffconfig`: what changed between the .config saved after
// configure (the baseline) and the one menuconfig left, written as a
// fragment, like Yocto's `-c diffconfig` (which uses the kernel's
// scripts/diffconfig). Options menuconfig removed from .config (because
// their dependencies went off) are written as "is not set", so the
// fragment says what to turn off.

export function diffConfigFragment(baseline: string, current: string): string {
  const before = parseDotConfig(baseline);
  const after = parseDotConfig(current);
  const lines: string[] = [];
  const options = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const o of options) {
    const a = before.get(o) ?? 'n';
    const b = after.get(o) ?? 'n';
    if (a === b) continue;
    lines.push(b === 'n' ? `# ${o} is not set` : `${o}=${b}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
