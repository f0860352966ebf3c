import { basename, join } from 'node:path';
import { diag, UserError, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Configuration } from '../resolve/configuration.js';
import type { Recipe } from '../resolve/recipe.js';
import { originOf } from './kconfig-inputs.js';

// The machine's boot chain (`boot-chain:` in the machine file, e.g.
// [opensbi, u-boot, linux]) as recipes. A stage whose recipe says which
// architectures it builds for (COMPATIBLE_ARCH, like Yocto's COMPATIBLE_HOST)
// and does not list the machine's is refused here, when the build is
// planned: before anything is fetched or compiled.
//
// An image needs every stage. Building one recipe does not, so then
// (`present`) the stages no layer of the project has are skipped: a project
// of application layers can still build recipes for a board whose
// bootloader it does not carry.

export function bootChainRecipes(cfg: Configuration, opts: { present?: boolean } = {}): Recipe[] {
  const m = cfg.machine;
  const problems: Diagnostic[] = [];
  const stages = [...m.bootChain];
  const chosen = m.providers.get('virtual/bootloader');
  // `bootloader:` without `boot-chain:` still names a stage to check and build.
  if (chosen && !stages.some((s) => s.name === chosen.provider || s.name === 'virtual/bootloader')) stages.push({ name: chosen.provider, loc: chosen.loc });
  const recipes: Recipe[] = [];
  for (const stage of stages) {
    if (opts.present && !cfg.catalog.recipes.has(stage.name) && cfg.providersOf(stage.name).length === 0) continue;
    const r = cfg.provider(stage.name, `machine ${m.name}`, stage.loc);
    const arches = r.data.has('COMPATIBLE_ARCH') ? r.data.get('COMPATIBLE_ARCH').split(/\s+/).filter(Boolean) : undefined;
    if (arches && !arches.includes(m.arch)) {
      problems.push(
        diag('boot-chain-arch', `machine ${m.name} is ${m.arch}, but its boot chain names ${r.name}, which builds for ${arches.join(', ')} only`, stage.loc, {
          related: [{ message: `${r.name}'s architectures`, location: originOf(r.data, 'COMPATIBLE_ARCH') }],
          hint: `name a bootloader for ${m.arch} (for U-Boot: \`bootloader: { name: u-boot, defconfig: … }\` with a defconfig of that architecture)`,
        }),
      );
    }
    if (!recipes.includes(r)) recipes.push(r);
  }
  if (problems.length) throw new UserError(problems);
  return recipes;
}

/**
 * What a boot stage deploys: BOOT_FILES names files its install put in
 * ${D}/boot/ (by name, or by a path whose base name is the file's name);
 * each is deployed under its base name.
 */
export function bootFiles(r: Recipe): { from: string; name: string }[] {
  if (!r.data.has('BOOT_FILES')) return [];
  const D = r.data.get('D');
  return r.data
    .get('BOOT_FILES')
    .split(/\s+/)
    .filter(Boolean)
    .map((f) => ({ from: join(D, 'boot', basename(f)), name: basename(f) }));
}
