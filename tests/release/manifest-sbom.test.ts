import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLicense, isListedSpdxExpression, isSpdxExpression } from '../../core/release/license-expression.js';
import { spdxDocument } from '../../core/release/spdx.js';
import type { ImageFacts } from '../../core/release/image-facts.js';
import { RELEASE_LAYER, releaseProject } from '../helpers/release-project.js';
import { validateSpdx23 } from '../helpers/spdx-validate.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// The build manifest and the SPDX 2.3 SBOM the image task writes: what they
// say, that they do not depend on the build folder, and that the SBOM holds
// to the SPDX 2.3 schema's rules (tests/helpers/spdx-validate.ts).

const tempDir = scratchDirs(test);
const deployed = (dir: string, name: string) => readFileSync(join(dir, 'build/deploy/images/tiny', name), 'utf8');

async function buildTiny(): Promise<string> {
  const dir = releaseProject(tempDir);
  const r = await strata(['build', 'tiny'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'tiny-tiny.manifest.json');
  assert.match(r.stdout, 'tiny-tiny.spdx.json');
  return dir;
}

let first = '';
test('the manifest names sources (credentials redacted), licences, tasks, layers and host tools', async () => {
  first = await buildTiny();
  const text = deployed(first, 'tiny-tiny.manifest.json');
  assert.not.match(text, 's3cret', 'no credentials');
  assert.not.match(text, first, 'no build-folder paths');
  const m = JSON.parse(text);
  assert.is(m.image, 'tiny');
  assert.is(m.sourceDateEpoch, 1704067200);
  const tarball = m.sources.find((s: { name: string }) => s.name === 'hello-1.0.tar.gz');
  assert.equal(tarball, {
    recipe: 'hello',
    kind: 'remote',
    name: 'hello-1.0.tar.gz',
    url: 'https://***@example.invalid/dist/hello-1.0.tar.gz',
    sha256: '87fa54be77342591380bc4b3ae927dfbb667542aea6359dc7c8f03c3b719daee',
    patch: false,
    license: 'MIT OR Apache-2.0',
  });
  const patch = m.sources.find((s: { patch: boolean }) => s.patch);
  assert.is(patch.name, 'release-fixture/recipes/hello/greeting.patch');
  assert.match(patch.sha256, /^[0-9a-f]{64}$/);
  const stamp = JSON.parse(readFileSync(join(first, 'build/stamps/tiny/hello/install.json'), 'utf8'));
  const install = m.tasks.find((t: { task: string }) => t.task === 'hello:install');
  assert.equal(install, { task: 'hello:install', signature: stamp.signature, output: stamp.output });
  assert.ok(m.tasks.some((t: { task: string }) => t.task === 'tiny:rootfs'));
  assert.not.ok(
    m.tasks.some((t: { task: string }) => t.task === 'tiny:image'),
    'the image task cannot list itself',
  );
  assert.equal(
    m.layers.map((l: { name: string }) => l.name),
    ['release-fixture'],
  );
  assert.match(m.layers[0].contentSha256, /^[0-9a-f]{64}$/);
  assert.ok('gcc' in m.hostTools && 'ld' in m.hostTools && m.hostTools.node === process.versions.node);
  assert.match(m.hostTools.gcc, /^gcc \(.*\) \d+\.\d+/, "the compiler's own version line");
  assert.match(m.hostTools.ld, /^GNU ld /);
  if (existsSync('/usr/bin/dpkg')) {
    // The Debian packages that own the tools, with their exact versions: what a rebuild must install.
    const pkgs = Object.keys(m.hostTools).filter((k) => k.startsWith('dpkg:'));
    assert.ok(pkgs.some((k) => /^dpkg:gcc-\d+/.test(k)) && pkgs.some((k) => k.startsWith('dpkg:binutils')), pkgs.join(' '));
  }
  // The fixture layer lies in this repository's checkout: its commit is recorded.
  const head = spawnSync('git', ['-C', RELEASE_LAYER, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  if (head.status === 0) assert.is(m.layers[0].git.commit, head.stdout.trim());
  const cpio = m.artifacts.find((a: { name: string }) => a.name === 'tiny-tiny.cpio.gz');
  assert.is(cpio.size, readFileSync(join(first, 'build/deploy/images/tiny/tiny-tiny.cpio.gz')).length);
});

test('a second build in another folder writes byte-identical manifest and SBOM', async () => {
  const second = await buildTiny();
  for (const f of ['tiny-tiny.manifest.json', 'tiny-tiny.spdx.json', 'tiny-tiny.cpio.gz']) assert.is(deployed(second, f), deployed(first, f), f);
});

test('the SBOM is valid SPDX 2.3 and ties files to packages and packages to their sources', () => {
  const doc = JSON.parse(deployed(first, 'tiny-tiny.spdx.json'));
  assert.equal(validateSpdx23(doc, isListedSpdxExpression), []);
  assert.is(doc.creationInfo.created, '2024-01-01T00:00:00Z');
  assert.match(doc.documentNamespace, /^https:\/\/spdx\.org\/spdxdocs\/strata\/tiny-tiny-[0-9a-f]{64}$/);
  const hello = doc.packages.find((p: { name: string; SPDXID: string }) => p.name === 'hello' && p.SPDXID.startsWith('SPDXRef-Package-'));
  assert.is(hello.licenseDeclared, 'MIT OR Apache-2.0');
  const file = doc.files.find((f: { fileName: string }) => f.fileName === './usr/share/hello/hello.txt');
  assert.ok(file, 'files are listed with their path in the image');
  const rels = doc.relationships.map(
    (r: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }) => `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`,
  );
  assert.ok(rels.includes(`${hello.SPDXID} CONTAINS ${file.SPDXID}`));
  const tarball = doc.packages.find((p: { name: string }) => p.name === 'hello-1.0.tar.gz');
  assert.is(tarball.downloadLocation, 'https://***@example.invalid/dist/hello-1.0.tar.gz');
  assert.ok(rels.includes(`${hello.SPDXID} GENERATED_FROM ${tarball.SPDXID}`));
  const kernelSource = doc.relationships.filter((r: { relationshipType: string }) => r.relationshipType === 'BUILD_DEPENDENCY_OF');
  assert.ok(kernelSource.length === 0 || kernelSource.every((r: { relatedSpdxElement: string }) => r.relatedSpdxElement.startsWith('SPDXRef-Image-')));
});

const FACTS: ImageFacts = {
  image: 'img',
  machine: 'm',
  distro: 'd',
  sourceDateEpoch: 0,
  layers: [],
  recipes: [
    {
      name: 'r',
      version: '1',
      license: 'GPL v2 or later',
      layer: 'l',
      file: 'recipes/r.yaml',
      sources: [
        { recipe: 'r', kind: 'remote', name: 'r.tar.gz', url: 'https://example.invalid/r.tar.gz', sha256: 'a'.repeat(64), patch: false, hostPath: '/x' },
      ],
    },
  ],
  packages: [
    { name: 'r', recipe: 'r', version: '1', license: 'GPL v2 or later', files: [{ path: '/bin/r', sha256: 'b'.repeat(64), sha1: 'c'.repeat(40), size: 1 }] },
  ],
  tasks: [],
  hostTools: {},
};

test('a licence that is not an SPDX expression becomes a declared LicenseRef; the namespace follows the content', () => {
  const doc = spdxDocument(FACTS, []) as { documentNamespace: string; hasExtractedLicensingInfos: { licenseId: string }[] };
  assert.equal(validateSpdx23(doc, isListedSpdxExpression), []);
  assert.is(doc.hasExtractedLicensingInfos[0].licenseId, 'LicenseRef-GPL-v2-or-later');
  const other = spdxDocument({ ...FACTS, recipes: [{ ...FACTS.recipes[0], version: '2' }] }, []) as { documentNamespace: string };
  assert.is.not(other.documentNamespace, doc.documentNamespace);
  assert.is((spdxDocument(FACTS, []) as { documentNamespace: string }).documentNamespace, doc.documentNamespace);
});

test('the validator is not a rubber stamp', () => {
  const doc = JSON.parse(deployed(first, 'tiny-tiny.spdx.json'));
  const broken = structuredClone(doc);
  broken.files[0].checksums = broken.files[0].checksums.filter((c: { algorithm: string }) => c.algorithm !== 'SHA1');
  broken.relationships.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'OWNS', relatedSpdxElement: 'SPDXRef-nothing' });
  broken.packages[1].licenseDeclared = 'MIT and or';
  broken.creationInfo.created = '2024-01-01 00:00';
  broken.packages[0].colour = 'blue';
  const errors = validateSpdx23(broken, isListedSpdxExpression).join('\n');
  for (const want of [
    'a SHA1 checksum is required',
    'OWNS is not an SPDX 2.3 type',
    'SPDXRef-nothing names no element',
    'is not an SPDX license expression',
    'is not YYYY-MM-DDThh:mm:ssZ',
    "property 'colour'",
  ])
    assert.match(errors, want);
});

test('licence expressions: the grammar of SPDX Annex D', () => {
  for (const ok of [
    'MIT',
    'GPL-2.0-only',
    'GPL-2.0+',
    'MIT OR Apache-2.0',
    '(MIT OR Apache-2.0) AND BSD-3-Clause',
    'GPL-2.0-or-later WITH Linux-syscall-note',
    'LicenseRef-foo',
    'NOASSERTION',
  ])
    assert.ok(isSpdxExpression(ok), ok);
  for (const bad of ['', 'GPL v2', 'MIT OR', '(MIT', 'MIT AND AND BSD', 'WITH', 'MIT WITH', 'GPL/MIT']) assert.not.ok(isSpdxExpression(bad), bad);
});

test('licences against the SPDX License List: listed ids pass, unknown ids become LicenseRef-s with a reason', () => {
  const table: [string, string, string[], RegExp[]][] = [
    // recipe's LICENSE, what the SBOM says, the LicenseRef-s declared, the problems
    ['MIT', 'MIT', [], []],
    ['mit OR apache-2.0', 'MIT OR Apache-2.0', [], []],
    // Operators are case-sensitive (Annex D.2): 'or' is no operator.
    ['mit or apache-2.0', 'LicenseRef-mit-or-apache-2.0', ['LicenseRef-mit-or-apache-2.0'], [/not an SPDX license expression/]],
    ['GPL-2.0-only WITH Linux-syscall-note', 'GPL-2.0-only WITH Linux-syscall-note', [], []],
    ['(MIT OR BSD-3-Clause) AND Zlib', '(MIT OR BSD-3-Clause) AND Zlib', [], []],
    ['LicenseRef-acme', 'LicenseRef-acme', [], []],
    ['GPL-2.0+', 'GPL-2.0+', [], [/'GPL-2\.0\+' is a deprecated SPDX license id: write GPL-2\.0-or-later$/]],
    ['GPL-2.0', 'GPL-2.0', [], [/write GPL-2\.0-only or GPL-2\.0-or-later/]],
    ['GPL-3.0-with-GCC-exception', 'GPL-3.0-with-GCC-exception', [], [/write GPL-3\.0-only or GPL-3\.0-or-later WITH .*GCC-exception-3\.1/]],
    ['GPLv2', 'LicenseRef-GPLv2', ['LicenseRef-GPLv2'], [/'GPLv2' is not on the SPDX License List: the SBOM says LicenseRef-GPLv2/]],
    ['MIT OR Frobnicate-1.0', 'MIT OR LicenseRef-Frobnicate-1.0', ['LicenseRef-Frobnicate-1.0'], [/Frobnicate-1\.0/]],
    [
      'GPL-2.0-only WITH my-exception',
      'LicenseRef-GPL-2.0-only-WITH-my-exception',
      ['LicenseRef-GPL-2.0-only-WITH-my-exception'],
      [/not an SPDX license exception/],
    ],
    ['GPL v2 or later', 'LicenseRef-GPL-v2-or-later', ['LicenseRef-GPL-v2-or-later'], [/is not an SPDX license expression/]],
  ];
  for (const [text, expression, refs, problems] of table) {
    const c = checkLicense(text);
    assert.is(c.expression, expression, text);
    assert.equal(
      c.refs.map((r) => r.id),
      refs,
      text,
    );
    assert.is(c.problems.length, problems.length, `${text}: ${c.problems.join('; ')}`);
    problems.forEach((p, i) => assert.match(c.problems[i], p, text));
    assert.ok(isListedSpdxExpression(c.expression), `${text}: the SBOM's ${c.expression} is on the list`);
  }
  assert.not.ok(isListedSpdxExpression('GPLv2'), 'the validator refuses an id the list lacks');
});

test('an unknown licence id in a recipe: the SBOM declares a LicenseRef and the image task log warns at the LICENSE line', async () => {
  const dir = releaseProject(tempDir);
  writeTree(dir, {
    'extra/layer.yaml': 'name: extra\npriority: 20\n',
    'extra/recipes/hello.append.yaml': 'append: hello\nvars:\n  LICENSE: MIT OR Frobnicate-1.0\n',
  });
  const yaml = join(dir, 'strata.yaml');
  writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('layers:\n', `layers:\n  - ${join(dir, 'extra')}\n`));
  const r = await strata(['build', 'tiny'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(deployed(dir, 'tiny-tiny.spdx.json'));
  assert.equal(validateSpdx23(doc, isListedSpdxExpression), []);
  const hello = doc.packages.find((p: { name: string; SPDXID: string }) => p.name === 'hello' && p.SPDXID.startsWith('SPDXRef-Package-'));
  assert.is(hello.licenseDeclared, 'MIT OR LicenseRef-Frobnicate-1.0');
  assert.equal(
    doc.hasExtractedLicensingInfos.map((x: { licenseId: string }) => x.licenseId),
    ['LicenseRef-Frobnicate-1.0'],
  );
  const log = readFileSync(join(dir, 'build/work/tiny/tiny-image/log.image'), 'utf8');
  assert.match(log, `${join(dir, 'extra/recipes/hello.append.yaml')}:3:`);
  assert.match(log, "warning[license-not-spdx]: hello: licence 'MIT OR Frobnicate-1.0': 'Frobnicate-1.0' is not on the SPDX License List");
});

test.run();
