import { join } from 'node:path';
import type { Project } from './project.js';

// Where a build puts things, and the one build epoch: every path under the
// build folder is named here and nowhere else, so a reader (or a change of
// layout) finds them all in one place. It sits with the project, below every
// stage, because stages (resolve's WORKDIR, the build tasks, the package
// feed, release) need these paths as much as the commands do. The session
// (core/session/) makes one per build; tasks reach it as `ctx.layout`.
//
//   <build>/.lock                              one build per build folder
//   <build>/work/<machine>/<recipe>-<version>/ a recipe's WORKDIR (run.*, log.*, S, B, D, sysroot)
//   <build>/work/<machine>/<image>-image/      an image's rootfs and image tasks
//   <build>/stamps/<machine>/<recipe>/<task>.json
//   <build>/deploy/images/<machine>/           images, kernel, boot files, records, qemuboot.json
//   <build>/deploy/ipk/<arch>/                 the package feed (Packages index)
//   <build>/reproduce/<target>/                `strata reproduce`'s reports

/**
 * SOURCE_DATE_EPOCH of every build: 2024-01-01 00:00:00 UTC. One fixed
 * value, so two builds of the same inputs agree on every timestamp
 * (https://reproducible-builds.org/specs/source-date-epoch/).
 */
export const BUILD_EPOCH = 1704067200;

/** WORKDIR as a recipe sees it: an expression over TOPDIR and MACHINE, so `strata env` shows where it comes from. */
export const recipeWorkdirExpr = (name: string, version: string): string => `\${TOPDIR}/work/\${MACHINE}/${name}-${version}`;

export class BuildLayout {
  /** SOURCE_DATE_EPOCH of this build (reproducible-builds.org spec). */
  readonly epoch = BUILD_EPOCH;

  constructor(
    private readonly project: Pick<Project, 'buildDir' | 'downloads' | 'cache'>,
    readonly machine: string,
  ) {}

  get buildDir(): string {
    return this.project.buildDir;
  }

  /** The download folder: verified sources by name. */
  get downloads(): string {
    return this.project.downloads;
  }

  /** The local cache of task outputs, or undefined when the project turns it off. */
  get cache(): string | undefined {
    return this.project.cache;
  }

  /** Held by whoever builds or cleans in this build folder. */
  get lockFile(): string {
    return join(this.buildDir, '.lock');
  }

  /** The work folders of this machine's recipes and images. */
  get workDir(): string {
    return join(this.buildDir, 'work', this.machine);
  }

  /** The work folder of an image's rootfs and image tasks. */
  imageWorkdir(image: string): string {
    return join(this.workDir, `${image}-image`);
  }

  /** The stamps of this machine's tasks (core/build/stamps.ts). */
  get stampsDir(): string {
    return join(this.buildDir, 'stamps', this.machine);
  }

  /** The stamps of one recipe's (or image's) tasks. */
  recipeStampsDir(name: string): string {
    return join(this.stampsDir, name);
  }

  get deployDir(): string {
    return join(this.buildDir, 'deploy');
  }

  /** What the image task deploys for this machine; runqemu and testimage read it. */
  get imagesDir(): string {
    return join(this.deployDir, 'images', this.machine);
  }

  /** A deployed file of an image: `<image>-<machine><suffix>` (`.qemuboot.json`, `.testimage.log`, `.manifest`…). */
  imageFile(image: string, suffix: string): string {
    return join(this.imagesDir, `${image}-${this.machine}${suffix}`);
  }

  /** The package feed of one architecture. */
  feedDir(arch: string): string {
    return join(this.deployDir, 'ipk', arch);
  }

  /** Where `strata reproduce` writes its report about a target. */
  reproduceDir(target: string): string {
    return join(this.buildDir, 'reproduce', target);
  }
}
