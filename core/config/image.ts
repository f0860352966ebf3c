import { basename } from 'node:path';
import { readCheckedFile } from '../metadata/include.js';
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import { Level, type Assignment } from '../metadata/assignment.js';
import { anything, asNumber, asSeq, asString, asStringList, dict, get, list, map, num, str, strings, text } from '../metadata/schema.js';
import { parseYamlFile } from '../metadata/yaml.js';
import type { MetadataReader } from '../metadata/recipe-file.js';
import { readVars } from './vars.js';
import { DECLARATION_KEYS, readDeclarations, type RootfsDeclarations } from '../metadata/declarations.js';

// An image says what goes on the device (packages, and users, groups,
// device nodes and permissions of its own), in which formats, and what
// testimage checks once it has booted. `install:` names packages (not
// recipes); the rootfs holds them and their run-time dependencies.

/** Where a check's command is typed: the console's shell, or an SSH login from the host. */
export type CheckChannel = 'console' | 'ssh';
export const CHECK_CHANNELS: readonly CheckChannel[] = ['console', 'ssh'];

/** One entry of `checks:`: a command testimage runs in the booted image (core/qemu/check.ts judges it). */
export interface ImageCheck {
  /** Shown in reports; the image file's loader sets it to the command when the file names none. */
  readonly name?: string;
  /** One line of shell, run at the image's prompt. */
  readonly run: string;
  /** The output must contain this text. */
  readonly expect?: string;
  /** The output must match this regular expression (JavaScript syntax, multiline: ^ and $ match at each line). */
  readonly match?: string;
  /** The exit status the command must end with; 0 unless said otherwise. */
  readonly status?: number;
  /** Overrides testimage's commandTimeoutMs for this check (`timeout:` in seconds in the file). */
  readonly timeoutMs?: number;
  /** `console` (default) or `ssh`: a login from the host through a forwarded port (core/qemu/ssh.ts, docs/base-image.md). */
  readonly via?: CheckChannel;
}

export interface Image {
  readonly name: string;
  readonly file: string;
  readonly loc: SourceLocation;
  readonly install: readonly string[];
  /** Where each name of `install` is written. */
  readonly installAt?: ReadonlyMap<string, SourceLocation>;
  /** Users, groups, device nodes and permissions the image adds (see core/metadata/declarations.ts). */
  readonly declarations?: RootfsDeclarations;
  readonly types: readonly string[];
  readonly assignments: readonly Assignment[];
  readonly checks: readonly ImageCheck[];
}

/**
 * The image types an image file may list: the registered writers
 * (core/session/container.ts) that need nothing but the rootfs. `oci` (a folder)
 * and `disk.img` (a disk description) are written by other means.
 */
export const IMAGE_TYPES = ['cpio.gz', 'tar.gz', 'tar.zst', 'ext4', 'vfat', 'squashfs', 'oci.tar'] as const;

/** An image file, checked whole before anything is read from it. */
const IMAGE = map(
  {
    name: str(),
    summary: str(),
    install: strings,
    types: { kind: 'list', of: str({ oneOf: IMAGE_TYPES }), nullable: true },
    vars: dict(text, (key) => `variable ${key}`),
    checks: list(
      map(
        {
          name: str(),
          run: str({ nonEmpty: true }),
          expect: str(),
          match: str(),
          status: num({ whole: true, min: 0 }),
          timeout: num({ min: 0.001 }),
          via: str({ oneOf: CHECK_CHANNELS }),
        },
        { required: ['run'] },
      ),
      { name: 'image check' },
    ),
    // Read and checked by core/metadata/declarations.ts.
    ...Object.fromEntries(DECLARATION_KEYS.map((k) => [k, anything])),
  },
  { required: ['install'] },
);

export function loadImage(file: string, read: MetadataReader = parseYamlFile): Image {
  const { tree, entries: m } = readCheckedFile(read, file, IMAGE, 'image');
  const types = get(m, 'types') ? asStringList(get(m, 'types')!, 'image types') : ['cpio.gz'];
  const checks = get(m, 'checks')
    ? asSeq(get(m, 'checks')!, 'image checks').map((c): ImageCheck => {
        const cm = new Map(c.kind === 'map' ? c.entries.map((e) => [e.key, e]) : []);
        const s = (k: string) => (get(cm, k) ? asString(get(cm, k)!, `check ${k}`) : undefined);
        const n = (k: string) => (get(cm, k) ? asNumber(get(cm, k)!, `check ${k}`) : undefined);
        const timeout = n('timeout');
        return {
          name: s('name') ?? s('run')!,
          run: s('run')!,
          expect: s('expect'),
          match: s('match'),
          status: n('status'),
          timeoutMs: timeout === undefined ? undefined : timeout * 1000,
          via: s('via') as CheckChannel | undefined,
        };
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
