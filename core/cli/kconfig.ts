import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { runProcess } from '../exec/launch.js';
import { describeExit, exitCode } from '../exec/process-exit.js';
import { BASE_ENV } from '../exec/task-script.js';
import { diffConfigFragment } from '../kernel/diffconfig.js';
import type { Recipe } from '../resolve/recipe.js';
import type { Configuration } from '../resolve/configuration.js';
import { planUpTo } from '../graph/plan.js';
import { buildTarget } from './build.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';
import { writeFileAtomically } from '../fs/atomic-write.js';

// `strata menuconfig <recipe>` and `strata diffconfig <recipe>`, like
// Yocto's `bitbake -c menuconfig` / `-c diffconfig`: configure (run, or
// still stamped), then the source tree's own menuconfig on the build folder, then the changes against the
// .config that configure left (.config.baseline) written as a fragment to
// add to the machine (kernel: fragments:) or an append. The edited .config
// itself is not built: the next configure starts over from the base and
// the fragments, so every build is what the metadata says.

const MENU_USAGE = 'strata menuconfig <recipe> [--ui menuconfig|nconfig|config] [--machine M] [--project DIR]';
const DIFF_USAGE = 'strata diffconfig <recipe> [-o FILE] [--machine M] [--project DIR]';

function kconfigRecipe(cfg: Configuration, name: string, usage: string, configured = true): Recipe {
  const r = cfg.provider(name, 'the command line');
  if (!r.data.has('KCONFIG_DEFCONFIG')) {
    throw new UserError(
      diag(
        'kconfig-not-kconfig',
        `${r.name} is not configured with Kconfig (it sets no KCONFIG_DEFCONFIG)`,
        { file: r.file, line: 0, column: 0 },
        { hint: `usage: ${usage}; recipes that inherit kconfig (linux, u-boot, busybox) have a menuconfig` },
      ),
    );
  }
  const config = join(r.data.get('B'), '.config');
  if (configured && !existsSync(config))
    throw new UserError(
      diag('kconfig-not-configured', `${r.name} has not been configured for machine ${cfg.machine.name}: ${config} does not exist`, undefined, {
        hint: `run \`strata menuconfig ${r.name} --machine ${cfg.machine.name}\` first (it runs configure)`,
      }),
    );
  return r;
}

/** Where a fragment of this recipe goes so the next configure merges it: the machine's list for the kernel and U-Boot, else an append. */
function whereToList(r: Recipe): string {
  const append = `KCONFIG_FRAGMENTS:append of an append of ${r.name}`;
  // The machine's variables reach every recipe: ask what the recipe is, not which variables it sees.
  if (r.provides.includes('virtual/kernel')) return `list it under \`kernel: fragments:\` in the machine, or in ${append}`;
  if (r.provides.includes('virtual/bootloader') && r.data.has('UBOOT_FRAGMENTS'))
    return `list it in the machine's UBOOT_FRAGMENTS (under vars:), or in ${append}`;
  return `list it in ${append}`;
}

export async function menuconfigCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, ui: { type: 'string' } }, MENU_USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${MENU_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const ui = (values.ui as string | undefined) ?? 'menuconfig';
  if (!['menuconfig', 'nconfig', 'config'].includes(ui)) throw new UserError(diag('usage', `--ui must be menuconfig, nconfig or config, not '${ui}'`));
  const session = sessionFrom(values);
  const r = kconfigRecipe(session.cfg, positionals[0], MENU_USAGE, false);
  // As Yocto's -c menuconfig: configure first, and what it waits for. A
  // build whose outputs all came from the cache never ran it, so there
  // would be no .config; one still stamped does not run again, so an
  // earlier menuconfig's changes stay.
  const configure = `${r.name}:configure`;
  const built = await buildTarget(session, planUpTo(session.plan(r.name), configure), configure);
  if (built !== 0) return built;
  // The make command configure ran (the kconfig class's KCONFIG_MAKE: `make -C ${S} O=${B} …`, or busybox's
  // in-tree `make -C ${S}`), split into words as the configure script's shell splits it.
  const [make, ...args] = [...r.data.get('KCONFIG_MAKE').split(/\s+/).filter(Boolean), ui];
  process.stdout.write(`strata: ${make} ${args.join(' ')}\n`);
  // The user's terminal, as is: menuconfig is an ncurses program.
  const { exit } = await runProcess(make, args, {
    cwd: r.data.get('B'),
    stdin: 'inherit',
    stdout: 'inherit',
    stderr: 'inherit',
    env: { ...BASE_ENV, TERM: process.env.TERM ?? 'xterm', HOME: r.data.get('WORKDIR') },
  });
  if (exit.kind === 'not-found' || exit.kind === 'cannot-start') throw new UserError(diag('kconfig-make', `cannot run ${make}: ${describeExit(exit)}`));
  const code = exitCode(exit);
  if (code === 0)
    process.stdout.write(`strata: saved in ${join(r.data.get('B'), '.config')}; \`strata diffconfig ${r.name}\` writes the changes as a fragment\n`);
  return code === 0 ? 0 : 1;
}

export async function diffconfigCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, output: { type: 'string', short: 'o' } }, DIFF_USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${DIFF_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const r = kconfigRecipe(sessionFrom(values).cfg, positionals[0], DIFF_USAGE);
  const B = r.data.get('B');
  const baseline = join(B, '.config.baseline');
  if (!existsSync(baseline))
    throw new UserError(
      diag('kconfig-no-baseline', `${baseline} does not exist`, undefined, { hint: `run \`strata build ${r.name}\` again: configure saves it` }),
    );
  const fragment = diffConfigFragment(readFileSync(baseline, 'utf8'), readFileSync(join(B, '.config'), 'utf8'));
  const out = resolve((values.output as string | undefined) ?? join(r.data.get('WORKDIR'), 'fragment.cfg'));
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomically(out, fragment);
  const count = fragment.split('\n').filter(Boolean).length;
  process.stdout.write(fragment);
  process.stdout.write(`strata: ${count} changed option${count === 1 ? '' : 's'} written to ${out}${count ? `; ${whereToList(r)}` : ''}\n`);
  return 0;
}

export const KCONFIG_COMMANDS = {
  menuconfig: { run: menuconfigCommand, summary: "run a Kconfig recipe's menuconfig (linux, u-boot, busybox) in its build folder" },
  diffconfig: { run: diffconfigCommand, summary: 'write what menuconfig changed as a configuration fragment' },
};
