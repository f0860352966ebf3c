// Branded ids: a RecipeId is never confused with a package name or a task id,
// and a TaskId is built from its parts once, never split apart again.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type RecipeId = Brand<string, 'RecipeId'>;
export type Sha256 = Brand<string, 'Sha256'>;
export type TaskName = Brand<string, 'TaskName'>;

/** A task of one recipe. Kept as a record so code never parses "recipe:task". */
export interface TaskId {
  readonly recipe: RecipeId;
  readonly task: TaskName;
}

export const recipeId = (name: string): RecipeId => name as RecipeId;
export const taskName = (name: string): TaskName => name as TaskName;
export const taskId = (recipe: RecipeId, task: TaskName): TaskId => ({ recipe, task });

/** The key used in maps and file names; display only, never parsed back. */
export const taskKey = (t: TaskId): string => `${t.recipe}:${t.task}`;

const SHA256_RE = /^[0-9a-f]{64}$/;
export function isSha256(s: string): s is Sha256 {
  return SHA256_RE.test(s);
}
