import { createHash } from 'node:crypto';
import type { Artifact } from './build-manifest.js';
import type { ImageFacts, SourceFact } from './image-facts.js';
import { checkLicense } from './license-expression.js';

// The image's SBOM as an SPDX 2.3 JSON document (https://spdx.github.io/spdx-spec/v2.3/).
//
//   SPDXRef-DOCUMENT  DESCRIBES  the image (its files' sums as the package's)
//   image             CONTAINS   each installed package
//   package           CONTAINS   each of its files (SHA1 and SHA256 of the bytes installed)
//   package           GENERATED_FROM  each source of its recipe (URL, SHA256)
//   source            BUILD_DEPENDENCY_OF  the image, for recipes that install
//                     no package but build it (toolchain, kernel, libc)
//
// Deterministic: `created` is SOURCE_DATE_EPOCH, and the documentNamespace
// ends in the sha256 of the document written without it, so the same image
// gives the same document and a different one a different namespace, as
// the spec asks (section 6.5: unique per document).

const STRATA_TOOL = 'Tool: strata-0.1.0';
const NS_BASE = 'https://spdx.org/spdxdocs/strata';

const idPart = (s: string): string => s.replace(/[^A-Za-z0-9.-]+/g, '-');
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

interface Licences {
  readonly expr: (text: string) => string;
  readonly extracted: () => object[];
}

function licences(): Licences {
  const refs = new Map<string, string>();
  return {
    expr(text) {
      const checked = checkLicense(text);
      for (const r of checked.refs) refs.set(r.id, r.text);
      return checked.expression;
    },
    extracted: () =>
      [...refs]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([licenseId, text]) => ({
          licenseId,
          name: text,
          extractedText: `A recipe states this licence as "${text}", which is not an SPDX License List id or expression.`,
        })),
  };
}

function downloadLocation(s: SourceFact): string {
  if (s.kind === 'git') return `git+${s.url}@${s.commit}`;
  if (s.kind === 'local') return 'NOASSERTION';
  return s.url;
}

export function spdxDocument(f: ImageFacts, artifacts: readonly Artifact[]): object {
  const lic = licences();
  const imageId = `SPDXRef-Image-${idPart(`${f.image}-${f.machine}`)}`;
  const sourceId = (s: SourceFact, i: number) => `SPDXRef-Source-${idPart(s.recipe)}-${i + 1}`;
  const relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[] = [];
  const rel = (a: string, type: string, b: string) => relationships.push({ spdxElementId: a, relationshipType: type, relatedSpdxElement: b });
  rel('SPDXRef-DOCUMENT', 'DESCRIBES', imageId);

  const sourcePackages = f.recipes.flatMap((r) =>
    r.sources.map((s, i) => ({
      SPDXID: sourceId(s, i),
      name: s.name,
      versionInfo: r.version,
      packageFileName: s.name,
      downloadLocation: downloadLocation(s),
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: s.sha256 }],
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: lic.expr(r.license),
      copyrightText: 'NOASSERTION',
      sourceInfo: `${s.patch ? 'patch' : 'source'} of recipe ${r.name} ${r.version} (layer ${r.layer}, ${r.file})${s.kind === 'local' ? `, file ${s.name} in the layer` : ''}`,
      primaryPackagePurpose: 'SOURCE',
    })),
  );

  const files: object[] = [];
  const installed = new Set(f.packages.map((p) => p.recipe));
  const packages = f.packages.map((p) => {
    const pkgId = `SPDXRef-Package-${idPart(p.name)}`;
    const fileIds = p.files.map((file, i) => {
      const id = `SPDXRef-File-${idPart(p.name)}-${i + 1}`;
      files.push({
        SPDXID: id,
        fileName: `.${file.path}`,
        checksums: [
          { algorithm: 'SHA1', checksumValue: file.sha1 },
          { algorithm: 'SHA256', checksumValue: file.sha256 },
        ],
        licenseConcluded: 'NOASSERTION',
        licenseInfoInFiles: ['NOASSERTION'],
        copyrightText: 'NOASSERTION',
      });
      rel(pkgId, 'CONTAINS', id);
      return id;
    });
    rel(imageId, 'CONTAINS', pkgId);
    const recipe = f.recipes.find((r) => r.name === p.recipe);
    recipe?.sources.forEach((s, i) => rel(pkgId, 'GENERATED_FROM', sourceId(s, i)));
    // SPDX 2.3 section 7.9: SHA1 over the sorted SHA1s of the package's files.
    const code = sha1(
      p.files
        .map((x) => x.sha1)
        .sort()
        .join(''),
    );
    return {
      SPDXID: pkgId,
      name: p.name,
      versionInfo: p.version,
      supplier: 'NOASSERTION',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: p.files.length > 0,
      ...(p.files.length ? { packageVerificationCode: { packageVerificationCodeValue: code }, hasFiles: fileIds } : {}),
      licenseConcluded: lic.expr(p.license),
      licenseDeclared: lic.expr(p.license),
      ...(p.files.length ? { licenseInfoFromFiles: ['NOASSERTION'] } : {}),
      copyrightText: 'NOASSERTION',
      sourceInfo: `built by recipe ${p.recipe} ${p.version}`,
    };
  });
  for (const r of f.recipes) if (!installed.has(r.name)) r.sources.forEach((s, i) => rel(sourceId(s, i), 'BUILD_DEPENDENCY_OF', imageId));

  const image = {
    SPDXID: imageId,
    name: `${f.image}-${f.machine}`,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    ...(artifacts.length ? { packageFileName: artifacts[0].name, checksums: [{ algorithm: 'SHA256', checksumValue: artifacts[0].sha256 }] } : {}),
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    comment: `image ${f.image} for machine ${f.machine}, distro ${f.distro}; files: ${artifacts.map((a) => `${a.name} sha256:${a.sha256}`).join(', ')}`,
    primaryPackagePurpose: 'OPERATING-SYSTEM',
  };
  const created = new Date(f.sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const extracted = lic.extracted();
  const body = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${f.image}-${f.machine}`,
    documentNamespace: '',
    creationInfo: { created, creators: [STRATA_TOOL] },
    ...(extracted.length ? { hasExtractedLicensingInfos: extracted } : {}),
    packages: [image, ...packages, ...sourcePackages],
    files,
    relationships,
  };
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { ...body, documentNamespace: `${NS_BASE}/${idPart(body.name)}-${digest}` };
}
