import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../helpers/strata.js';
import { findCycles, importGraph } from './import-graph.js';

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

test('the file-format layer has no cycle even through types', () => {
  const formats = ['core/metadata/', 'core/diagnostics/', 'core/model/', 'core/qemu/', 'core/config/'];
  const cycles = findCycles(edges.filter((e) => formats.some((f) => e.from.startsWith(f))));
  assert.is(cycles.length, 0, `import cycles between files (types included):\n${show(cycles)}`);
});

test('the base folders import only each other: model, diagnostics, metadata (the file formats)', () => {
  const base = ['core/model/', 'core/diagnostics/', 'core/metadata/'];
  const up = edges.filter((e) => base.some((b) => e.from.startsWith(b)) && !base.some((b) => e.to.startsWith(b)));
  assert.equal(
    up.map((e) => `${e.from} → ${e.to}`),
    [],
  );
});

test.run();
