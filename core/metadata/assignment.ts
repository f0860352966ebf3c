import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';

// One line of metadata that shapes a variable: `NAME`, `NAME:append`,
// `NAME:append:aarch64`, `NAME:qemuarm64`, `NAME:qemuarm64:append`... The key
// spells the operator and the overrides; see docs/metadata.md for the rules.
//
// The grammar is BitBake's (user manual, "Conditional Syntax (Overrides)"):
// override names before the operator name an override-specific value
// (`A:foo:append` appends to the value `A:foo`, which replaces A when foo is
// active); names after it make the operation conditional (`A:append:foo`
// appends to A when foo is active).

export type Operator = 'set' | 'default' | 'immediate' | 'append' | 'prepend' | 'remove' | 'unset';
export const OPERATORS: readonly Operator[] = ['default', 'immediate', 'append', 'prepend', 'remove', 'unset'];

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
  /** Every override name in the key: all must be active for the assignment to apply. */
  readonly overrides: readonly string[];
  /**
   * The override-specific value it sets or edits (`A:foo:append` → [foo]);
   * empty for the variable itself. Always the names before the operator.
   */
  readonly target: readonly string[];
  readonly value: string;
  readonly level: Level;
  readonly loc: SourceLocation;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const OVERRIDE_RE = /^[a-z0-9][a-z0-9_-]*$/;

type ParsedKey = { readonly name: string; readonly op: Operator; readonly overrides: readonly string[]; readonly target: readonly string[] };

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

const isOperator = (s: string): s is Operator => (OPERATORS as readonly string[]).includes(s);

function parseKey(key: string, loc: SourceLocation): ParsedKey {
  const [name, ...rest] = key.split(':');
  if (!NAME_RE.test(name)) {
    throw new UserError(
      diag('var-name', `'${name}' is not a valid variable name`, loc, { hint: 'use letters, digits, _ . and -, starting with a letter or _' }),
    );
  }
  const ops = rest.filter(isOperator);
  if (ops.length > 1) {
    throw new UserError(
      diag('var-operator-order', `in '${key}', ${ops.map((o) => `':${o}'`).join(' and ')} are two operators; a key has at most one`, loc, {
        hint: 'write one key per operator',
      }),
    );
  }
  for (const o of rest) {
    if (!isOperator(o) && !OVERRIDE_RE.test(o)) {
      throw new UserError(
        diag('var-override', `in '${key}', '${o}' is not a valid override name`, loc, { hint: 'override names are lowercase letters, digits, _ and -' }),
      );
    }
  }
  const at = ops.length ? rest.indexOf(ops[0]) : rest.length;
  const op: Operator = ops[0] ?? 'set';
  const target = rest.slice(0, at);
  const conditions = rest.slice(at + 1);
  // An immediate value for an override is the override-specific value
  // (BitBake's `A:foo := ...`); a condition after it would be a second way
  // to say nearly the same thing, so only one spelling is accepted.
  if (op === 'immediate' && conditions.length) {
    throw new UserError(
      diag('var-operator-order', `in '${key}', override names come before ':immediate'`, loc, {
        hint: `write '${[name, ...target, ...conditions, 'immediate'].join(':')}'`,
      }),
    );
  }
  return { name, op, overrides: [...target, ...conditions], target };
}

export function assignment(key: string, value: string, level: Level, loc: SourceLocation): Assignment {
  const { name, op, overrides, target } = parseAssignmentKey(key, loc);
  if (op === 'unset' && value !== '') {
    throw new UserError(
      diag('var-unset-value', `'${key}' takes no value, it removes every earlier assignment to ${[name, ...target].join(':')}`, loc, {
        hint: `write '${key}:' with nothing after the colon`,
      }),
    );
  }
  return { name, op, overrides, target, value, level, loc };
}

/** The key as it would be written, for messages and `strata env`. */
export function keyOf(a: Assignment): string {
  const conditions = a.overrides.slice(a.target.length);
  return [a.name, ...a.target, ...(a.op === 'set' ? [] : [a.op]), ...conditions].join(':');
}
