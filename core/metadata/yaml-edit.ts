import type { Document, Pair, YAMLMap } from 'yaml';

// Editing a YAML document (the `yaml` package's model) the way a person
// would: the `yaml` package hangs every comment above a key on that key, so
// deleting the key deletes the file's head comment with it when the key
// comes first. Only the comment directly above the key (after the last
// blank line) is the key's own; what is above that blank line stays.

const keyOf = (p: Pair): unknown => (p.key && typeof p.key === 'object' && 'value' in p.key ? (p.key as { value: unknown }).value : p.key);

/** Deletes `key` from the document's top-level map, keeping the comments above it that are not its own. False when it was not there. */
export function deleteTopKey(doc: Document, key: string): boolean {
  const map = doc.contents as YAMLMap | null;
  const at = map?.items ? map.items.findIndex((p) => keyOf(p) === key) : -1;
  if (!map || at < 0) return false;
  const comment = (map.items[at].key as { commentBefore?: string | null } | null)?.commentBefore ?? '';
  map.items.splice(at, 1);
  const cut = comment.lastIndexOf('\n\n');
  if (cut < 0) return true;
  const kept = comment.slice(0, cut);
  const next = map.items[at]?.key as { commentBefore?: string | null } | undefined;
  if (at === 0) doc.commentBefore = doc.commentBefore ? `${doc.commentBefore}\n${kept}` : kept;
  else if (next && typeof next === 'object') next.commentBefore = next.commentBefore ? `${kept}\n\n${next.commentBefore}` : `${kept}\n`;
  else map.comment = map.comment ? `${kept}\n${map.comment}` : kept;
  return true;
}
