import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTasks } from '../../core/build/build-tasks.js';
import { TASKS } from '../../core/build/tasks/registry.js';
import { formatChange } from '../../core/cli/why.js';
import { loadProject } from '../../core/config/project.js';
import { Session } from '../../core/session/session.js';
import { buildRoots } from '../../core/signature/build-roots.js';
import { explainChange } from '../../core/signature/explain.js';
import { signatureOf, signatureRecord, type SignatureRecord } from '../../core/signature/signature.js';
import { ROOT, scratchDirs, writeTree } from '../helpers/strata.js';

// The same project in two folders (two checkouts of one BSP) must compute
// the same signatures, or they never share a task through a common cache.
// linux:configure reads its Kconfig fragments by content, keyed by name, and
// a fragment the machine lists beside itself is named by its absolute path:
// the name must lose the checkout's folder like the variables' values do.

const tempDir = scratchDirs(test);

/** A project with the real core layer and a BSP layer whose machine lists a fragment beside it. */
function checkout(fragment = 'CONFIG_PRINTK=y\n'): string {
  const dir = tempDir('strata-checkout-');
  writeTree(dir, {
    'strata.yaml': `layers: [${join(ROOT, 'layers/core')}, bsp]\nmachine: board\n`,
    'bsp/layer.yaml': 'name: bsp\n',
    'bsp/machines/board.yaml':
      'include: [machine/arm64]\nproviders: { virtual/kernel: linux }\nkernel:\n  defconfig: tinyconfig\n  fragments: [kernel/board.cfg]\n',
    'bsp/machines/kernel/board.cfg': fragment,
  });
  return dir;
}

/** linux:configure's signature record, as the run queue makes it (its dependencies' outputs left out: the same in both). */
async function configureRecord(dir: string): Promise<SignatureRecord> {
  const session = new Session(loadProject(dir), () => undefined);
  const plan = session.plan('linux');
  const node = [...plan.graph.nodes.values()].find((n) => n.key === 'linux:configure')!;
  const tasks = buildTasks(TASKS, (await session.services()).context);
  return signatureRecord(node.key, await tasks.inputs(node), {}, buildRoots(session.cfg));
}

test('a task with a file input named by its path: the same signature from two folders', async () => {
  const a = await configureRecord(checkout());
  const b = await configureRecord(checkout());
  const fragments = Object.keys(a.files).filter((k) => k.startsWith('fragment '));
  assert.ok(fragments.includes('fragment ${LAYERDIR_bsp}/machines/kernel/board.cfg'), fragments.join(', '));
  for (const k of Object.keys(a.files)) assert.not.match(k, /strata-checkout-/, `no checkout folder in ${k}`);
  assert.equal(a, b);
  assert.is(signatureOf(a), signatureOf(b));
});

test('the fragment still counts by content, and strata why names it readably', async () => {
  const a = await configureRecord(checkout());
  const edited = checkout();
  writeFileSync(join(edited, 'bsp/machines/kernel/board.cfg'), 'CONFIG_PRINTK=y\nCONFIG_BUG=y\n');
  const b = await configureRecord(edited);
  assert.is.not(signatureOf(a), signatureOf(b));
  const lines = explainChange(a, b).map(formatChange);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /^file fragment \$\{LAYERDIR_bsp\}\/machines\/kernel\/board\.cfg changed: sha256 [0-9a-f]{12}… → [0-9a-f]{12}…$/);
});

test.run();
