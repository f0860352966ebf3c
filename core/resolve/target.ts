import type { Catalog } from '../metadata/catalog.js';

// What a name on the command line asks for: an image (its rootfs and image
// tasks over the packages it installs) or a recipe. A recipe of the same
// name wins, so adding an image never changes what an existing
// `strata build <recipe>` means. Every command decides it here.

export function isImageTarget(catalog: Pick<Catalog, 'listConfigs' | 'recipes'>, name: string): boolean {
  return catalog.listConfigs('images').includes(name) && !catalog.recipes.has(name);
}
