import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { printDiagnostics } from '../diagnostics/printer.js';
import type { BuildPlan, ImagePlan } from '../graph/plan.js';
import { licenseWarnings } from '../release/license-warnings.js';
import type { Session } from '../session/session.js';

// What `strata release` and `strata archive-sources` share: a new or empty
// output folder, and a target that is an image, whose licences are checked
// (warnings printed) before anything is written.

/** The absolute output folder; an existing folder with files in it is refused (`code`: the command's diagnostic). */
export function emptyOutputDir(out: string, code: string, hint: string): string {
  const dir = resolve(out);
  if (existsSync(dir) && readdirSync(dir).length) throw new UserError(diag(code, `${dir} is not empty`, undefined, { hint }));
  return dir;
}

/** The plan of an image target (a recipe is refused with `code`), after printing its licence warnings. */
export function imagePlanOf(session: Session, image: string, code: string): BuildPlan & { readonly image: ImagePlan } {
  const plan = session.plan(image);
  if (!plan.image) {
    const hint = `images: ${session.cfg.catalog.listConfigs('images').join(', ')}`;
    throw new UserError(diag(code, `${image} is a recipe, not an image`, undefined, { hint }));
  }
  printDiagnostics(licenseWarnings(plan.recipes));
  return { ...plan, image: plan.image };
}
