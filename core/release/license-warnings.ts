import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Recipe } from '../resolve/recipe.js';
import { checkLicense } from './license-expression.js';

// Warnings for recipe licences an SBOM cannot carry as written (not on the
// SPDX License List, deprecated, or no expression at all), each at the
// line that set LICENSE, so the recipe's author can fix the words: the SBOM
// already says LicenseRef-… for them (license-expression.ts).

export function licenseWarnings(recipes: readonly Recipe[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const r of recipes) {
    if (seen.has(r.file) || !r.data.has('LICENSE')) continue;
    seen.add(r.file);
    const { problems } = checkLicense(r.data.get('LICENSE'));
    if (!problems.length) continue;
    const set = r.data
      .history('LICENSE')
      .filter((e) => e.effect === 'final' || e.effect === 'applied')
      .at(-1)?.assignment.loc;
    out.push(
      diag('license-not-spdx', `${r.name}: licence '${r.data.get('LICENSE')}': ${problems.join('; ')}`, set, {
        severity: 'warning',
        hint: 'write LICENSE as an SPDX expression of ids from https://spdx.org/licenses/ (e.g. GPL-2.0-only OR MIT), or LicenseRef-<name> for a licence the list lacks',
      }),
    );
  }
  return out;
}
