// A validator for SPDX 2.3 JSON documents, written from the SPDX 2.3
// specification (https://spdx.github.io/spdx-spec/v2.3/) and its JSON
// schema's rules (schemas/spdx-schema.json in spdx/spdx-spec): no npm or
// Debian package ships that schema, so the test checks what the schema
// requires, by hand: required properties, no properties the schema does not
// know (it says additionalProperties: false), the enums (checksum
// algorithms, relationship types, package purposes), SPDXID patterns,
// checksum lengths, the created date-time form, and, beyond the schema,
// that every SPDXID is unique and every relationship names an element of
// the document, and that licence fields hold expressions of ids on the SPDX
// License List (the caller passes that check: isListedSpdxExpression).
// The schema's $id is http://spdx.org/rdf/terms/2.3, title "SPDX 2.3".

const DOC_KEYS = [
  '$schema',
  'SPDXID',
  'annotations',
  'comment',
  'creationInfo',
  'dataLicense',
  'externalDocumentRefs',
  'hasExtractedLicensingInfos',
  'name',
  'revieweds',
  'spdxVersion',
  'documentNamespace',
  'documentDescribes',
  'packages',
  'files',
  'snippets',
  'relationships',
];
const PACKAGE_KEYS = [
  'SPDXID',
  'annotations',
  'attributionTexts',
  'builtDate',
  'checksums',
  'comment',
  'copyrightText',
  'description',
  'downloadLocation',
  'externalRefs',
  'filesAnalyzed',
  'hasFiles',
  'homepage',
  'licenseComments',
  'licenseConcluded',
  'licenseDeclared',
  'licenseInfoFromFiles',
  'name',
  'originator',
  'packageFileName',
  'packageVerificationCode',
  'primaryPackagePurpose',
  'releaseDate',
  'sourceInfo',
  'summary',
  'supplier',
  'validUntilDate',
  'versionInfo',
];
const FILE_KEYS = [
  'SPDXID',
  'annotations',
  'artifactOfs',
  'attributionTexts',
  'checksums',
  'comment',
  'copyrightText',
  'fileContributors',
  'fileDependencies',
  'fileName',
  'fileTypes',
  'licenseComments',
  'licenseConcluded',
  'licenseInfoInFiles',
  'noticeText',
];
const RELATIONSHIP_KEYS = ['spdxElementId', 'comment', 'relatedSpdxElement', 'relationshipType'];
const ALGORITHMS: Record<string, number> = {
  SHA1: 40,
  SHA224: 56,
  SHA256: 64,
  SHA384: 96,
  SHA512: 128,
  MD2: 32,
  MD4: 32,
  MD5: 32,
  MD6: 0,
  'SHA3-256': 64,
  'SHA3-384': 96,
  'SHA3-512': 128,
  'BLAKE2b-256': 64,
  'BLAKE2b-384': 96,
  'BLAKE2b-512': 128,
  BLAKE3: 0,
  ADLER32: 8,
};
const RELATIONSHIPS = [
  'VARIANT_OF',
  'COPY_OF',
  'PATCH_FOR',
  'TEST_DEPENDENCY_OF',
  'CONTAINED_BY',
  'DATA_FILE_OF',
  'OPTIONAL_COMPONENT_OF',
  'ANCESTOR_OF',
  'GENERATES',
  'CONTAINS',
  'OPTIONAL_DEPENDENCY_OF',
  'FILE_ADDED',
  'REQUIREMENT_DESCRIPTION_FOR',
  'DEV_DEPENDENCY_OF',
  'DEPENDENCY_OF',
  'BUILD_DEPENDENCY_OF',
  'DESCRIBES',
  'PREREQUISITE_FOR',
  'HAS_PREREQUISITE',
  'PROVIDED_DEPENDENCY_OF',
  'DYNAMIC_LINK',
  'DESCRIBED_BY',
  'METAFILE_OF',
  'DEPENDENCY_MANIFEST_OF',
  'PATCH_APPLIED',
  'RUNTIME_DEPENDENCY_OF',
  'TEST_OF',
  'TEST_TOOL_OF',
  'DEPENDS_ON',
  'SPECIFICATION_FOR',
  'FILE_MODIFIED',
  'DISTRIBUTION_ARTIFACT',
  'AMENDS',
  'DOCUMENTATION_OF',
  'GENERATED_FROM',
  'STATIC_LINK',
  'OTHER',
  'BUILD_TOOL_OF',
  'TEST_CASE_OF',
  'PACKAGE_OF',
  'DESCENDANT_OF',
  'FILE_DELETED',
  'EXPANDED_FROM_ARCHIVE',
  'DEV_TOOL_OF',
  'EXAMPLE_OF',
];
const PURPOSES = [
  'APPLICATION',
  'FRAMEWORK',
  'LIBRARY',
  'CONTAINER',
  'OPERATING-SYSTEM',
  'DEVICE',
  'FIRMWARE',
  'SOURCE',
  'ARCHIVE',
  'FILE',
  'INSTALL',
  'OTHER',
];
const SPDXID = /^SPDXRef-[A-Za-z0-9.-]+$/;

type Obj = Record<string, unknown>;

export function validateSpdx23(doc: unknown, isExpression: (s: string) => boolean): string[] {
  const errors: string[] = [];
  const e = (where: string, msg: string) => errors.push(`${where}: ${msg}`);
  const obj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const keys = (where: string, o: Obj, allowed: string[], required: string[]) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) e(where, `property '${k}' is not in the SPDX 2.3 schema`);
    for (const k of required) if (o[k] === undefined) e(where, `required property '${k}' is missing`);
  };
  const str = (where: string, v: unknown) => {
    if (typeof v !== 'string' || v === '') e(where, `expected a non-empty string, found ${JSON.stringify(v)}`);
  };
  const checksums = (where: string, v: unknown, mustHave?: string) => {
    if (!Array.isArray(v)) return e(where, 'checksums must be an array');
    for (const c of v) {
      if (!obj(c)) return e(where, 'checksum must be an object');
      keys(where, c, ['algorithm', 'checksumValue'], ['algorithm', 'checksumValue']);
      const len = ALGORITHMS[c.algorithm as string];
      if (len === undefined) e(where, `unknown checksum algorithm ${String(c.algorithm)}`);
      else if (len && !new RegExp(`^[0-9a-f]{${len}}$`).test(String(c.checksumValue)))
        e(where, `${String(c.algorithm)} value is not ${len} lowercase hex digits`);
    }
    if (mustHave && !v.some((c) => obj(c) && c.algorithm === mustHave)) e(where, `a ${mustHave} checksum is required`);
  };
  const licence = (where: string, v: unknown) => {
    if (v === undefined) return;
    if (typeof v !== 'string' || !isExpression(v)) e(where, `'${String(v)}' is not an SPDX license expression`);
  };
  if (!obj(doc)) return ['document: not a JSON object'];
  keys('document', doc, DOC_KEYS, ['SPDXID', 'creationInfo', 'dataLicense', 'name', 'spdxVersion', 'documentNamespace']);
  if (doc.spdxVersion !== 'SPDX-2.3') e('document', `spdxVersion is ${String(doc.spdxVersion)}, not SPDX-2.3`);
  if (doc.SPDXID !== 'SPDXRef-DOCUMENT') e('document', 'SPDXID must be SPDXRef-DOCUMENT');
  if (doc.dataLicense !== 'CC0-1.0') e('document', 'dataLicense must be CC0-1.0');
  str('document.name', doc.name);
  const ns = String(doc.documentNamespace);
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s#]+$/.test(ns)) e('document.documentNamespace', `'${ns}' is not an absolute URI without '#'`);
  const ci = doc.creationInfo;
  if (!obj(ci)) e('document.creationInfo', 'missing or not an object');
  else {
    keys('creationInfo', ci, ['comment', 'created', 'creators', 'licenseListVersion'], ['created', 'creators']);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(String(ci.created))) e('creationInfo.created', `'${String(ci.created)}' is not YYYY-MM-DDThh:mm:ssZ`);
    if (!Array.isArray(ci.creators) || ci.creators.length === 0 || ci.creators.some((c) => !/^(Tool|Organization|Person): .+/.test(String(c))))
      e('creationInfo.creators', 'needs at least one "Tool: …", "Organization: …" or "Person: …"');
  }
  const ids = new Map<string, string>([['SPDXRef-DOCUMENT', 'document']]);
  const addId = (where: string, id: unknown) => {
    if (typeof id !== 'string' || !SPDXID.test(id)) return e(where, `SPDXID '${String(id)}' does not match ${SPDXID}`);
    if (ids.has(id)) e(where, `SPDXID ${id} is used twice`);
    ids.set(id, where);
  };
  const refs = new Set<string>();
  for (const x of (doc.hasExtractedLicensingInfos as Obj[] | undefined) ?? []) {
    keys('hasExtractedLicensingInfos', x, ['comment', 'crossRefs', 'extractedText', 'licenseId', 'name', 'seeAlsos'], ['extractedText', 'licenseId']);
    if (!/^LicenseRef-[A-Za-z0-9.-]+$/.test(String(x.licenseId))) e('hasExtractedLicensingInfos', `licenseId ${String(x.licenseId)} is not LicenseRef-…`);
    refs.add(String(x.licenseId));
  }
  const fileIds = new Set<string>();
  for (const [i, f] of ((doc.files as unknown[]) ?? []).entries()) {
    const where = `files[${i}]`;
    if (!obj(f)) {
      e(where, 'not an object');
      continue;
    }
    keys(where, f, FILE_KEYS, ['SPDXID', 'fileName', 'checksums']);
    addId(where, f.SPDXID);
    fileIds.add(String(f.SPDXID));
    str(`${where}.fileName`, f.fileName);
    checksums(where, f.checksums, 'SHA1');
    licence(`${where}.licenseConcluded`, f.licenseConcluded);
    for (const l of (f.licenseInfoInFiles as string[] | undefined) ?? []) licence(`${where}.licenseInfoInFiles`, l);
  }
  for (const [i, p] of ((doc.packages as unknown[]) ?? []).entries()) {
    const where = `packages[${i}]`;
    if (!obj(p)) {
      e(where, 'not an object');
      continue;
    }
    keys(where, p, PACKAGE_KEYS, ['SPDXID', 'name', 'downloadLocation']);
    addId(where, p.SPDXID);
    str(`${where}.name`, p.name);
    str(`${where}.downloadLocation`, p.downloadLocation);
    if (p.checksums !== undefined) checksums(where, p.checksums);
    if (p.primaryPackagePurpose !== undefined && !PURPOSES.includes(String(p.primaryPackagePurpose)))
      e(where, `primaryPackagePurpose ${String(p.primaryPackagePurpose)} is not an SPDX 2.3 purpose`);
    if (p.filesAnalyzed !== undefined && typeof p.filesAnalyzed !== 'boolean') e(where, 'filesAnalyzed must be a boolean');
    // Section 7.9: a package whose files were analyzed (the default) has a verification code.
    if (p.filesAnalyzed !== false) {
      const code = p.packageVerificationCode as Obj | undefined;
      if (!obj(code) || !/^[0-9a-f]{40}$/.test(String(code.packageVerificationCodeValue)))
        e(where, 'filesAnalyzed packages need packageVerificationCode.packageVerificationCodeValue (40 hex digits)');
      for (const id of (p.hasFiles as string[] | undefined) ?? []) if (!fileIds.has(id)) e(where, `hasFiles names ${id}, which is not a file of the document`);
    } else if (p.hasFiles !== undefined || p.licenseInfoFromFiles !== undefined) e(where, 'hasFiles/licenseInfoFromFiles need filesAnalyzed');
    licence(`${where}.licenseConcluded`, p.licenseConcluded);
    licence(`${where}.licenseDeclared`, p.licenseDeclared);
  }
  for (const [i, r] of ((doc.relationships as unknown[]) ?? []).entries()) {
    const where = `relationships[${i}]`;
    if (!obj(r)) {
      e(where, 'not an object');
      continue;
    }
    keys(where, r, RELATIONSHIP_KEYS, ['spdxElementId', 'relatedSpdxElement', 'relationshipType']);
    if (!RELATIONSHIPS.includes(String(r.relationshipType))) e(where, `relationshipType ${String(r.relationshipType)} is not an SPDX 2.3 type`);
    for (const k of ['spdxElementId', 'relatedSpdxElement']) {
      const v = String(r[k]);
      if (!ids.has(v) && v !== 'NONE' && v !== 'NOASSERTION') e(where, `${k} ${v} names no element of the document`);
    }
  }
  const used = JSON.stringify(doc).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [];
  for (const u of used) if (!refs.has(u)) e('document', `${u} is used but not in hasExtractedLicensingInfos`);
  return errors;
}
