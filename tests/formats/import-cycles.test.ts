import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../helpers/strata.js';
import { findCycles, importGraph, stageOf, stageOrder, upwardImports } from './import-graph.js';

// Imports in core/ go one way. A cycle between files makes load order
// matter (a class used before its module finished loading is undefined),
// and one between files of different stages means a stage reaches up the
// pipeline (issue 10: metadata → resolve → config → metadata came from one
// import of a version comparison, now in core/model).

const edges = importGraph(ROOT);
const show = (cycles: string[][]): string => cycles.map((c) => c.join(' → ')).join('\n');

test('the parser sees the imports it must see', () => {
  assert.ok(edges.length > 300, `only ${edges.length} imports found`);
  assert.ok(edges.some((e) => e.from === 'core/metadata/layer-depends.ts' && e.to === 'core/model/version.ts' && !e.typeOnly));
  assert.ok(edges.some((e) => e.from === 'core/config/machine.ts' && e.to === 'core/metadata/tree.ts' && e.typeOnly));
});

test('cycles are found and named as a path', () => {
  const graph = [
    { from: 'a', to: 'b' },
    { from: 'b', to: 'c' },
    { from: 'c', to: 'a' },
    { from: 'c', to: 'd' },
    { from: 'd', to: 'd' },
    { from: 'e', to: 'a' },
  ];
  assert.equal(findCycles(graph), [
    ['a', 'b', 'c', 'a'],
    ['d', 'd'],
  ]);
  assert.equal(findCycles(graph.filter((e) => e.from !== 'c' && e.from !== 'd')), []);
});

test('no file of core/ imports itself back at run time', () => {
  const cycles = findCycles(edges.filter((e) => !e.typeOnly));
  assert.is(cycles.length, 0, `import cycles between files:\n${show(cycles)}`);
});

test('no file of core/ imports itself back even through types', () => {
  const cycles = findCycles(edges);
  assert.is(cycles.length, 0, `import cycles between files (types included):\n${show(cycles)}`);
});

// The stage level: docs/architecture.md (rule 8) writes the order of the
// folders of core/; a file imports only from its own folder or an earlier
// one. Read from the doc, so the rule and the check cannot drift apart.
const order = stageOrder(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8'));

test('the stage order names every folder of core/ once', () => {
  const folders = readdirSync(join(ROOT, 'core'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  assert.equal([...order].sort(), folders);
  assert.is(new Set(order).size, order.length, `named twice: ${order.join(' → ')}`);
});

test('imports between stages go down the stage order, types included', () => {
  const up = upwardImports(edges, order);
  assert.equal(
    up.map((e) => `${e.from} → ${e.to} (${stageOf(e.from)} is below ${stageOf(e.to)})`),
    [],
  );
  // So the folders form a DAG.
  const stageEdges = edges.filter((e) => stageOf(e.from) !== stageOf(e.to)).map((e) => ({ from: stageOf(e.from), to: stageOf(e.to) }));
  assert.equal(findCycles(stageEdges), []);
});

test('an import up the order is named by file, and a stage cycle as a path', () => {
  const graph = [
    { from: 'core/build/tasks/image.ts', to: 'core/release/image-records.ts', typeOnly: false },
    { from: 'core/release/image-facts.ts', to: 'core/build/stamps.ts', typeOnly: false },
    { from: 'core/model/ids.ts', to: 'core/model/version.ts', typeOnly: true },
    { from: 'core/fetch/phase.ts', to: 'core/graph/plan.ts', typeOnly: true },
  ];
  const stages = ['model', 'graph', 'fetch', 'build', 'release'];
  assert.equal(upwardImports(graph, stages), [graph[0]]);
  assert.equal(upwardImports(graph, ['model', 'graph', 'fetch', 'release', 'build']), [graph[1]]);
  assert.equal(findCycles(graph.map((e) => ({ from: stageOf(e.from), to: stageOf(e.to) })).filter((e) => e.from !== e.to)), [['build', 'release', 'build']]);
  assert.throws(() => upwardImports(graph, ['model', 'graph', 'build', 'release']), /fetch.*not in the stage order/);
  assert.equal(stageOrder('x\n<!-- stage order: y -->\n```\na → b → c\n```\n'), ['a', 'b', 'c']);
  assert.throws(() => stageOrder('no order here'), /stage order/);
});

test('the base folders import only each other: model, fs, diagnostics, metadata (the file formats)', () => {
  const base = ['core/model/', 'core/fs/', 'core/diagnostics/', 'core/metadata/'];
  const up = edges.filter((e) => base.some((b) => e.from.startsWith(b)) && !base.some((b) => e.to.startsWith(b)));
  assert.equal(
    up.map((e) => `${e.from} → ${e.to}`),
    [],
  );
});

test.run();
