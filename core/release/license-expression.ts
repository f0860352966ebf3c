// SPDX license expressions (SPDX 2.3, Annex D): ids and LicenseRef-s joined
// by AND, OR and WITH, with parentheses. Strata checks the grammar only: a
// recipe may name any id, and the SBOM passes a well-formed expression
// through as the recipe wrote it. One that is not well-formed (prose, a
// typo'd operator) becomes a LicenseRef- carrying the recipe's text, since
// an SPDX document may not hold a malformed expression.

const ID = /^(?:(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\+?)$/;

function tokens(text: string): string[] {
  return text
    .replace(/([()])/g, ' $1 ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

export function isSpdxExpression(text: string): boolean {
  const t = tokens(text);
  if (t.length === 1 && (t[0] === 'NONE' || t[0] === 'NOASSERTION')) return true;
  let i = 0;
  // compound := simple (WITH exception)? | '(' expr ')' ; expr := compound ((AND|OR) compound)*
  const compound = (): boolean => {
    if (t[i] === '(') {
      i++;
      if (!expr() || t[i] !== ')') return false;
      i++;
      return true;
    }
    if (!t[i] || !ID.test(t[i]) || ['AND', 'OR', 'WITH'].includes(t[i])) return false;
    i++;
    if (t[i] === 'WITH') {
      i++;
      if (!t[i] || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(t[i])) return false;
      i++;
    }
    return true;
  };
  const expr = (): boolean => {
    if (!compound()) return false;
    while (t[i] === 'AND' || t[i] === 'OR') {
      i++;
      if (!compound()) return false;
    }
    return true;
  };
  return t.length > 0 && expr() && i === t.length;
}

/** A LicenseRef- id for text that is not an expression: stable, SPDX-id-safe. */
export const licenseRefFor = (text: string): string => `LicenseRef-${text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed'}`;
