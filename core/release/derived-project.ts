import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectFileText, type Project } from '../config/project.js';

// A fresh project folder that builds what `project` builds, from the same
// layers and sources, with its own build folder, its own downloads and no
// shared cache: what `strata reproduce` builds twice. Everything else the
// project file says (vars, preferred versions, masks) is kept as written.
// Sources come only from the project's mirrors and its download folder
// (used as one more mirror, read-only), offline, so nothing is fetched
// twice and nothing changes between the two builds.

export function writeDerivedProject(project: Project, dir: string): void {
  const text = projectFileText(
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
