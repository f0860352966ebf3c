import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Project } from '../config/project.js';

// A fresh project folder that builds what `project` builds, from the same
// layers and sources, with its own build folder, its own downloads and no
// shared cache: what `strata reproduce` builds twice. Everything else the
// project file says (vars, preferred versions, masks) is kept as written.
// Sources come only from the project's mirrors and its download folder
// (used as one more mirror, read-only), offline, so nothing is fetched
// twice and nothing changes between the two builds.

/** The project file's settings as written, with `settings` replacing the keys they name and `drop` removed. */
export function derivedProjectYaml(project: Project, settings: Record<string, unknown>, drop: readonly string[], header: string): string {
  const raw = project.file && existsSync(project.file) ? ((yaml.load(readFileSync(project.file, 'utf8')) as Record<string, unknown> | null) ?? {}) : {};
  const out: Record<string, unknown> = { ...raw };
  for (const k of drop) delete out[k];
  Object.assign(out, settings);
  return `# ${header}\n${yaml.dump(out, { lineWidth: -1 })}`;
}

export function writeDerivedProject(project: Project, dir: string): void {
  const text = derivedProjectYaml(
    project,
    {
      layers: project.layers,
      machine: project.machine,
      distro: project.distro,
      mirrors: [...project.premirrors, project.downloads, ...project.mirrors],
      offline: true,
      cache: false,
      jobs: project.jobs,
    },
    ['remote-cache', 'build', 'downloads', 'premirrors'],
    `Written by strata reproduce from ${project.file ?? 'the built-in project'}`,
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'strata.yaml'), text);
}
