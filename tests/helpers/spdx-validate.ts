import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import { FIXTURES } from './strata.js';

// SPDX 2.3 JSON documents checked against the SPDX project's own JSON schema
// (tests/fixtures/spdx/spdx-schema-2.3.json, vendored as published: see the
// README beside it), by ajv, a real JSON-schema validator. The schema
// declares draft 2019-09, so ajv's 2019 build reads it.
//
// The schema checks the shape: required properties, no property it does not
// know (additionalProperties: false), the enums (checksum algorithms,
// relationship types, package purposes). Some rules of the specification
// (https://spdx.github.io/spdx-spec/v2.3/) are not in that schema, and are
// checked here after it: the SPDXID form (3.2), the created date form (6.9),
// checksum values as lower-case hex of the algorithm's length (7.10),
// unique SPDXIDs and relationships naming elements of the document (11),
// a verification code on packages whose files were analyzed (7.9), and
// licence fields holding expressions of ids on the SPDX License List (the
// caller passes that check) whose LicenseRef-s are declared (10.1).

const SCHEMA_FILE = join(FIXTURES, 'spdx/spdx-schema-2.3.json');

let compiled: ValidateFunction | undefined;
function schema(): ValidateFunction {
  compiled ??= new Ajv2019({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  return compiled;
}

/** ajv's error as one line: where in the document, and the schema's message (with the property or values it names). */
function schemaMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  const detail = p.additionalProperty ?? p.allowedValues ?? undefined;
  return `${e.instancePath || '/'}: ${e.message}${detail === undefined ? '' : ` (${JSON.stringify(detail)})`}`;
}

const HEX_LENGTH: Record<string, number> = { SHA1: 40, SHA224: 56, SHA256: 64, SHA384: 96, SHA512: 128, MD5: 32, 'SHA3-256': 64, 'BLAKE2b-256': 64 };
const SPDXID = /^SPDXRef-[A-Za-z0-9.-]+$/;

type Obj = Record<string, unknown>;
type Checksum = { algorithm: string; checksumValue: string };

/** Every schema error (ajv's messages), then every specification rule broken; empty when the document is valid. */
export function validateSpdx23(doc: unknown, isExpression: (s: string) => boolean): string[] {
  const validate = schema();
  if (!validate(doc)) return (validate.errors ?? []).map(schemaMessage);
  const d = doc as Obj & { packages?: Obj[]; files?: Obj[]; relationships?: Obj[]; hasExtractedLicensingInfos?: Obj[]; creationInfo: Obj };
  const errors: string[] = [];
  const e = (where: string, msg: string) => errors.push(`${where}: ${msg}`);
  if (d.spdxVersion !== 'SPDX-2.3') e('/spdxVersion', `is ${String(d.spdxVersion)}, not SPDX-2.3`);
  if (d.SPDXID !== 'SPDXRef-DOCUMENT') e('/SPDXID', 'must be SPDXRef-DOCUMENT');
  if (d.dataLicense !== 'CC0-1.0') e('/dataLicense', 'must be CC0-1.0');
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s#]+$/.test(String(d.documentNamespace))) e('/documentNamespace', 'is not an absolute URI without #');
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(String(d.creationInfo.created))) e('/creationInfo/created', 'is not YYYY-MM-DDThh:mm:ssZ');
  for (const c of d.creationInfo.creators as string[])
    if (!/^(Tool|Organization|Person): \S/.test(c)) e('/creationInfo/creators', `'${c}' is not Tool:, Organization: or Person:`);

  const ids = new Set(['SPDXRef-DOCUMENT']);
  const element = (where: string, o: Obj) => {
    const id = String(o.SPDXID);
    if (!SPDXID.test(id)) e(`${where}/SPDXID`, `'${id}' does not match ${SPDXID}`);
    if (ids.has(id)) e(`${where}/SPDXID`, `${id} is used twice`);
    ids.add(id);
    for (const [i, c] of ((o.checksums as Checksum[] | undefined) ?? []).entries()) {
      const len = HEX_LENGTH[c.algorithm];
      if (len && !new RegExp(`^[0-9a-f]{${len}}$`).test(c.checksumValue))
        e(`${where}/checksums/${i}`, `${c.algorithm} value is not ${len} lower-case hex digits`);
    }
    for (const k of ['licenseConcluded', 'licenseDeclared'])
      if (o[k] !== undefined && !isExpression(String(o[k]))) e(`${where}/${k}`, `'${String(o[k])}' is not an SPDX license expression`);
    for (const l of (o.licenseInfoInFiles as string[] | undefined) ?? [])
      if (!isExpression(l)) e(`${where}/licenseInfoInFiles`, `'${l}' is not an SPDX license expression`);
  };
  (d.files ?? []).forEach((f, i) => {
    element(`/files/${i}`, f);
    if (!(f.checksums as Checksum[]).some((c) => c.algorithm === 'SHA1')) e(`/files/${i}/checksums`, 'a SHA1 checksum is required (8.4)');
  });
  (d.packages ?? []).forEach((p, i) => {
    element(`/packages/${i}`, p);
    if (p.filesAnalyzed !== false && !/^[0-9a-f]{40}$/.test(String((p.packageVerificationCode as Obj | undefined)?.packageVerificationCodeValue)))
      e(`/packages/${i}`, 'a package whose files were analyzed needs packageVerificationCode (40 hex digits)');
  });
  (d.relationships ?? []).forEach((r, i) => {
    for (const k of ['spdxElementId', 'relatedSpdxElement']) {
      const v = String(r[k]);
      if (!ids.has(v) && v !== 'NONE' && v !== 'NOASSERTION') e(`/relationships/${i}/${k}`, `${v} names no element of the document`);
    }
  });
  const declared = new Set((d.hasExtractedLicensingInfos ?? []).map((x) => String(x.licenseId)));
  for (const id of declared) if (!/^LicenseRef-[A-Za-z0-9.-]+$/.test(id)) e('/hasExtractedLicensingInfos', `licenseId ${id} is not LicenseRef-…`);
  for (const used of new Set(JSON.stringify(doc).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []))
    if (!declared.has(used)) e('/hasExtractedLicensingInfos', `${used} is used but not declared`);
  return errors;
}
