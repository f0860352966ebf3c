import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isListedSpdxExpression } from '../../core/release/license-expression.js';
import { validateSpdx23 } from '../helpers/spdx-validate.js';
import { ROOT, scratchDirs, strata, TEST_CACHE } from '../helpers/strata.js';

// The SBOM of a real image, `minimal` for qemuarm64 (cross-built musl,
// busybox, Debian's kernel), against the SPDX project's SPDX 2.3 JSON
// schema. The build shares the suite's task cache (cache/ in the checkout,
// or STRATA_TEST_CACHE, as the e2e tests do), so after them it restores
// the image instead of compiling it again.

const tempDir = scratchDirs(test);
const project = tempDir('strata-sbom-');
const cache = TEST_CACHE;
writeFileSync(join(project, 'strata.yaml'), `cache: ${cache}\n`);

test('the SBOM of minimal is valid against the SPDX 2.3 JSON schema', async () => {
  assert.ok(existsSync(join(ROOT, 'mirror/sha256')), 'run `npm run setup` first: it fills mirror/');
  const r = await strata(['build', 'minimal', '--machine', 'qemuarm64', '--offline', '--project', project], { timeoutMs: 1_800_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  assert.not.match(r.stderr, 'license-not-spdx', "minimal's recipes state their licences as SPDX expressions");
  const doc = JSON.parse(readFileSync(join(project, 'build/deploy/images/qemuarm64/minimal-qemuarm64.spdx.json'), 'utf8'));
  assert.equal(validateSpdx23(doc, isListedSpdxExpression), []);
  const named = (n: string) => doc.packages.find((p: { name: string; SPDXID: string }) => p.name === n && p.SPDXID.startsWith('SPDXRef-Package-'));
  assert.is(named('busybox').licenseDeclared, 'GPL-2.0-only');
  assert.ok(named('busybox').packageVerificationCode, 'installed packages list their files');
  const image = doc.packages.find((p: { SPDXID: string }) => p.SPDXID.startsWith('SPDXRef-Image-'));
  assert.is(image.primaryPackagePurpose, 'OPERATING_SYSTEM');
  assert.not.ok('hasExtractedLicensingInfos' in doc, 'no LicenseRef: every licence is on the SPDX License List');
});

test.run();
