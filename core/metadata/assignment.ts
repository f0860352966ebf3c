import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';

// One line of metadata that shapes a variable: `NAME`, `NAME:append`,
// `NAME:append:aarch64`, `NAME:qemuarm64`... The key spells the operator and
// the overrides it is conditional on; see docs/metadata.md for the rules.

export type Operator = 'set' | 'default' | 'append' | 'prepend' | 'remove';
const OPERATORS: readonly Operator[] = ['default', 'append', 'prepend', 'remove'];

/**
 * Where an assignment came from. Later levels win over earlier ones, so a
 * project file beats the machine, which beats the recipe, which beats its
 * classes. The order is the same for every variable.
 */
export enum Level {
  Class = 0,
  Recipe = 1,
  Append = 2,
  Distro = 3,
  Machine = 4,
  Image = 5,
  Project = 6,
  CommandLine = 7,
}
export const levelName = (l: Level): string => Level[l].replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

export interface Assignment {
  readonly name: string;
  readonly op: Operator;
  /** All of these override names must be active for the assignment to apply. */
  readonly overrides: readonly string[];
  readonly value: string;
  readonly level: Level;
  readonly loc: SourceLocation;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;
const OVERRIDE_RE = /^[a-z0-9][a-z0-9_\-]*$/;

type ParsedKey = { readonly name: string; readonly op: Operator; readonly overrides: readonly string[] };

// The same keys (CFLAGS:append, do_install…) recur in thousands of files;
// a key parses the same wherever it is, so each distinct key parses once.
const parsedKeys = new Map<string, ParsedKey>();

export function parseAssignmentKey(key: string, loc: SourceLocation): ParsedKey {
  let parsed = parsedKeys.get(key);
  if (!parsed) {
    parsed = parseKey(key, loc);
    parsedKeys.set(key, parsed);
  }
  return parsed;
}

function parseKey(key: string, loc: SourceLocation): ParsedKey {
  const [name, ...rest] = key.split(':');
  if (!NAME_RE.test(name)) {
    throw new UserError(diag('var-name', `'${name}' is not a valid variable name`, loc, { hint: 'use letters, digits, _ . and -, starting with a letter or _' }));
  }
  let op: Operator = 'set';
  if (rest.length && (OPERATORS as readonly string[]).includes(rest[0])) op = rest.shift() as Operator;
  for (const o of rest) {
    if ((OPERATORS as readonly string[]).includes(o)) {
      throw new UserError(diag('var-operator-order', `in '${key}', the operator ':${o}' must come right after the variable name`, loc, { hint: `write '${name}:${o}:${rest.filter((x) => x !== o).join(':')}'` }));
    }
    if (!OVERRIDE_RE.test(o)) {
      throw new UserError(diag('var-override', `in '${key}', '${o}' is not a valid override name`, loc, { hint: 'override names are lowercase letters, digits, _ and -' }));
    }
  }
  return { name, op, overrides: rest };
}

export function assignment(key: string, value: string, level: Level, loc: SourceLocation): Assignment {
  const { name, op, overrides } = parseAssignmentKey(key, loc);
  return { name, op, overrides, value, level, loc };
}
