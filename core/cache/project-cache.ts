import type { Project } from '../config/project.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import type { TaskCache } from '../scheduler/task-cache.js';
import { LocalCache } from './local-cache.js';
import { LayeredCache } from './remote-cache.js';

/** The cache a project's builds use: its local folder, with its remote cache behind it when it has one. */
export function projectCache(project: Project, warn?: (m: string) => void): TaskCache | undefined {
  if (!project.cache) {
    if (project.remoteCache) throw new UserError(diag('remote-cache-without-cache', 'remote-cache needs a local cache folder, but strata.yaml says cache: false', project.file ? { file: project.file, line: 0, column: 0 } : undefined, { hint: 'remove `cache: false` (objects from the remote cache are verified in the local one)' }));
    return undefined;
  }
  return new LayeredCache(new LocalCache(project.cache), project.remoteCache, warn);
}
