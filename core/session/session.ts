import { join } from 'node:path';
import { BuildLayout } from '../config/build-layout.js';
import { withParseCache } from '../metadata/parse-cache.js';
import type { Project } from '../config/project.js';
import { planBuild, type BuildPlan } from '../graph/plan.js';
import { Configuration } from '../resolve/configuration.js';
import { isImageTarget } from '../resolve/target.js';
import type { BuildServices } from './build-services.js';

// The composition root: every command gets its project, configuration,
// layout, plan, lock and build services from a session, made here and
// nowhere else. Each part is made when first asked for, and the build
// services (fetchers, run queue, stamps, caches: rxjs, node-pty and the
// task implementations) are loaded only by the commands that use them, so
// `strata env` or `strata graph` never pays for them (bench/startup.ts).
// Imports go downward only: cli → session → stages → base.

export class Session {
  private configuration?: Configuration;
  private buildLayout?: BuildLayout;
  private loaded?: Promise<BuildServices>;

  /** `say` prints the session's own messages (waiting for a lock); the CLI gives stderr. */
  constructor(
    readonly project: Project,
    readonly say: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
  ) {}

  /** Layers, machine, distro and recipes, parsed and resolved once. */
  get cfg(): Configuration {
    // Parsed recipes are kept between commands, like BitBake's parse cache (core/metadata/parse-cache.ts).
    return (this.configuration ??= withParseCache(join(this.project.buildDir, '.parse-cache'), () => new Configuration(this.project)));
  }

  /** Every path of this machine's build, and the build epoch. */
  get layout(): BuildLayout {
    return (this.buildLayout ??= new BuildLayout(this.project, this.cfg.machine.name));
  }

  /** Whether a command-line name means an image (a recipe of the same name wins). */
  isImage(name: string): boolean {
    return isImageTarget(this.cfg.catalog, name);
  }

  /** The task graph of a target, exactly as `strata build` runs it. */
  plan(target: string): BuildPlan {
    return planBuild(this.cfg, target);
  }

  /** Holds the build folder (one build or clean at a time); release it when done. */
  async lock(signal?: AbortSignal): Promise<{ release(): Promise<void> }> {
    const { lockBuildFolder } = await import('../build/build-lock.js');
    return lockBuildFolder(this.layout, this.say, signal);
  }

  /** Fetcher, build context, stamps, cache and run queues of this session. */
  services(): Promise<BuildServices> {
    return (this.loaded ??= import('./build-services.js').then((m) => new m.BuildServices(this.cfg, this.layout)));
  }
}
