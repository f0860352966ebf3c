import { createRequire } from 'node:module';

// SPDX license expressions (SPDX 2.3, Annex D,
// https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/): license
// ids and LicenseRef-s joined by AND, OR and WITH, with parentheses. A
// recipe's licence is checked twice: the grammar, and each id against the
// SPDX License List (the npm packages spdx-license-ids and spdx-exceptions,
// the list's ids as data). What an SPDX document may hold is then:
//
// - a well-formed expression of listed ids: passed through, each id in the
//   list's own spelling (ids match case-insensitively, Annex D.2);
// - a listed but deprecated id (GPL-2.0, GPL-3.0-with-GCC-exception): kept,
//   since SPDX 2.3 documents may use it, with a problem saying to update it;
// - an id not on the list (`GPLv2`): that id becomes `LicenseRef-GPLv2`,
//   and so does `X WITH Y` when Y is no listed exception;
// - text that is no expression (`GPL v2 or later`): the whole text becomes
//   one LicenseRef-. Each LicenseRef- is declared in the document with the
//   recipe's words (hasExtractedLicensingInfos).

const require = createRequire(import.meta.url);
const canonical = (ids: string[]) => new Map(ids.map((id) => [id.toLowerCase(), id]));
const LICENSES = canonical(require('spdx-license-ids/index.json') as string[]);
const DEPRECATED = canonical(require('spdx-license-ids/deprecated.json') as string[]);
const EXCEPTIONS = canonical([...(require('spdx-exceptions/index.json') as string[]), ...(require('spdx-exceptions/deprecated.json') as string[])]);

const REF = /^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9.-]*\+?$/;
const OPERATORS = ['AND', 'OR', 'WITH'];

function tokens(text: string): string[] {
  return text
    .replace(/([()])/g, ' $1 ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

/** A LicenseRef- id for text that is not an expression or not on the list: stable, SPDX-id-safe. */
export const licenseRefFor = (text: string): string => `LicenseRef-${text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed'}`;

/** What to write instead of a deprecated id: the GNU ones by rule, the list's page for the others. */
function currentForm(id: string, plus: string): string {
  const gnu = /^((?:A|L)?GPL|GFDL)-(\d\.\d)$/.exec(id);
  if (gnu && plus) return `write ${id}-or-later`;
  if (gnu) return `write ${id}-only or ${id}-or-later, whichever the sources grant`;
  const withException = /^(GPL-\d\.\d)-with-.+-exception$/.exec(id);
  if (withException) return `write ${withException[1]}-only or ${withException[1]}-or-later WITH the exception's own id (e.g. GCC-exception-3.1)`;
  return `see https://spdx.org/licenses/${id}.html for what replaces it`;
}

export interface LicenseCheck {
  /** What an SPDX document says: the expression with listed spellings and LicenseRef-s. */
  readonly expression: string;
  /** The LicenseRef- ids it introduced, each with the recipe's words. */
  readonly refs: readonly { readonly id: string; readonly text: string }[];
  /** What the recipe should change, in words; empty when the licence is a valid SPDX expression of current ids. */
  readonly problems: readonly string[];
}

/** The parse of Annex D's grammar, rewriting ids as it goes; undefined when `text` is not an expression. */
function rewrite(text: string): LicenseCheck | undefined {
  const t = tokens(text);
  if (t.length === 1 && (t[0] === 'NONE' || t[0] === 'NOASSERTION')) return { expression: t[0], refs: [], problems: [] };
  const refs: { id: string; text: string }[] = [];
  const problems: string[] = [];
  let i = 0;
  const simple = (tok: string): string => {
    if (REF.test(tok)) return tok;
    const plus = tok.endsWith('+') ? '+' : '';
    const bare = tok.slice(0, tok.length - plus.length).toLowerCase();
    const listed = LICENSES.get(bare) ?? DEPRECATED.get(bare);
    if (listed && DEPRECATED.has(bare)) problems.push(`'${listed}${plus}' is a deprecated SPDX license id: ${currentForm(listed, plus)}`);
    if (listed) return listed + plus;
    const id = licenseRefFor(tok);
    refs.push({ id, text: tok });
    problems.push(`'${tok}' is not on the SPDX License List: the SBOM says ${id}`);
    return id;
  };
  // compound := simple (WITH exception)? | '(' expr ')' ; expr := compound ((AND|OR) compound)*
  const compound = (): string | undefined => {
    if (t[i] === '(') {
      i++;
      const inner = expr();
      if (inner === undefined || t[i] !== ')') return undefined;
      i++;
      return `(${inner})`;
    }
    const tok = t[i];
    if (!tok || OPERATORS.includes(tok) || !(REF.test(tok) || ID.test(tok))) return undefined;
    i++;
    if (t[i] !== 'WITH') return simple(tok);
    i++;
    const exc = t[i];
    if (!exc || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(exc)) return undefined;
    i++;
    const listed = EXCEPTIONS.get(exc.toLowerCase());
    if (listed && !REF.test(tok)) return `${simple(tok)} WITH ${listed}`;
    const id = licenseRefFor(`${tok}-WITH-${exc}`);
    refs.push({ id, text: `${tok} WITH ${exc}` });
    problems.push(`'${exc}' is not an SPDX license exception: the SBOM says ${id} for '${tok} WITH ${exc}'`);
    return id;
  };
  const expr = (): string | undefined => {
    let out = compound();
    while (out !== undefined && (t[i] === 'AND' || t[i] === 'OR')) {
      const op = t[i++];
      const next = compound();
      out = next === undefined ? undefined : `${out} ${op} ${next}`;
    }
    return out;
  };
  const expression = t.length ? expr() : undefined;
  return expression !== undefined && i === t.length ? { expression, refs, problems } : undefined;
}

export function checkLicense(text: string): LicenseCheck {
  const parsed = rewrite(text);
  if (parsed) return parsed;
  const id = licenseRefFor(text);
  return { expression: id, refs: [{ id, text }], problems: [`'${text}' is not an SPDX license expression: the SBOM says ${id}`] };
}

/** Whether `text` follows Annex D's grammar (ids need not be on the list). */
export const isSpdxExpression = (text: string): boolean => rewrite(text) !== undefined;

/** Whether `text` is an expression whose ids and exceptions are all on the SPDX lists (deprecated ones too) or LicenseRef-s: what an SPDX document may hold. */
export const isListedSpdxExpression = (text: string): boolean => {
  const r = rewrite(text);
  return r !== undefined && r.refs.length === 0;
};
