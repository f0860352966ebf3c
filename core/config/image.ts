import { basename } from 'node:path';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { Level, type Assignment } from '../metadata/assignment.js';
import { asSeq, asString, asStringList, get, readMap } from '../metadata/schema.js';
import { parseYamlFile } from '../metadata/yaml.js';
import type { MetadataReader } from '../metadata/recipe-file.js';
import { readVars } from './vars.js';
import { DECLARATION_KEYS, readDeclarations, type RootfsDeclarations } from '../rootfs/declarations.js';
import { CHECK_CHANNELS, type CheckChannel } from '../qemu/check.js';

// An image says what goes on the device (packages, and users, groups,
// device nodes and permissions of its own), in which formats, and what
// testimage checks once it has booted. `install:` names packages (not
// recipes); the rootfs holds them and their run-time dependencies.

export interface ImageCheck {
  readonly name: string;
  readonly run: string;
  /** The output must contain this text. */
  readonly expect?: string;
  /** The output must match this regular expression. */
  readonly match?: string;
  /** `console` (default) or `ssh`: a login from the host (docs/base-image.md). */
  readonly via?: CheckChannel;
}

export interface Image {
  readonly name: string;
  readonly file: string;
  readonly loc: SourceLocation;
  readonly install: readonly string[];
  /** Where each name of `install` is written. */
  readonly installAt?: ReadonlyMap<string, SourceLocation>;
  /** Users, groups, device nodes and permissions the image adds (see core/rootfs/declarations.ts). */
  readonly declarations?: RootfsDeclarations;
  readonly types: readonly string[];
  readonly assignments: readonly Assignment[];
  readonly checks: readonly ImageCheck[];
}

const KEYS = ['name', 'summary', 'install', 'types', 'vars', 'checks', ...DECLARATION_KEYS];
/**
 * The image types an image file may list: the registered writers
 * (core/cli/container.ts) that need nothing but the rootfs. `oci` (a folder)
 * and `disk.img` (a disk description) are written by other means.
 */
export const IMAGE_TYPES = ['cpio.gz', 'tar.gz', 'tar.zst', 'ext4', 'vfat', 'squashfs', 'oci.tar'] as const;

export function loadImage(file: string, read: MetadataReader = parseYamlFile): Image {
  const tree = read(file);
  const m = readMap(tree, KEYS, 'image', ['install']);
  const types = get(m, 'types') ? asStringList(get(m, 'types')!, 'image types') : ['cpio.gz'];
  for (const t of types) {
    if (!(IMAGE_TYPES as readonly string[]).includes(t)) {
      throw new UserError(diag('image-type', `unknown image type '${t}'`, m.get('types')!.value.loc, { hint: `known types: ${IMAGE_TYPES.join(', ')}` }));
    }
  }
  const checks = get(m, 'checks')
    ? asSeq(get(m, 'checks')!, 'image checks').map((c): ImageCheck => {
        const cm = readMap(c, ['name', 'run', 'expect', 'match', 'via'], 'image check', ['run']);
        const s = (k: string) => (get(cm, k) ? asString(get(cm, k)!, `check ${k}`) : undefined);
        const via = s('via');
        if (via !== undefined && !(CHECK_CHANNELS as readonly string[]).includes(via)) {
          throw new UserError(
            diag('image-check-via', `unknown check channel '${via}'`, get(cm, 'via')!.loc, { hint: `use one of: ${CHECK_CHANNELS.join(', ')}` }),
          );
        }
        return { name: s('name') ?? s('run')!, run: s('run')!, expect: s('expect'), match: s('match'), via: via as CheckChannel | undefined };
      })
    : [];
  return {
    name: get(m, 'name') ? asString(get(m, 'name')!, 'image name') : basename(file, '.yaml'),
    file,
    loc: tree.loc,
    install: asStringList(get(m, 'install')!, 'image install'),
    installAt: new Map(
      (get(m, 'install')!.kind === 'seq' ? (get(m, 'install') as { items: { value: unknown; loc: SourceLocation }[] }).items : []).map((i) => [
        String(i.value),
        i.loc,
      ]),
    ),
    declarations: readDeclarations(m, false),
    types,
    assignments: readVars(m, Level.Image),
    checks,
  };
}
