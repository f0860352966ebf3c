import type { TaskPayload } from '../../graph/plan.js';
import type { TaskImplementation } from '../context.js';
import { withKconfigChecks } from '../kconfig-configure.js';
import { fetchTask } from './fetch.js';
import { imageTask } from './image.js';
import { packageTask } from './package.js';
import { recipeScriptTask } from './recipe-script.js';
import { rootfsTask } from './rootfs.js';
import { sysrootTask } from './sysroot.js';
import { patchTask, unpackTask } from './unpack.js';

// Which implementation runs each kind of task.
export const TASKS: Record<TaskPayload['kind'], TaskImplementation> = {
  fetch: fetchTask,
  unpack: unpackTask,
  patch: patchTask,
  prepare_sysroot: sysrootTask,
  configure: withKconfigChecks(recipeScriptTask('configure')),
  compile: recipeScriptTask('compile'),
  install: recipeScriptTask('install'),
  package: packageTask,
  rootfs: rootfsTask,
  image: imageTask,
};
