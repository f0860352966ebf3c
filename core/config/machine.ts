import { basename } from 'node:path';
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import { Level, type Assignment } from '../metadata/assignment.js';
import { asNumber, asString, asStringList, get, readMap } from '../metadata/schema.js';
import { parseYamlFile } from '../metadata/yaml.js';
import type { MetadataReader } from '../metadata/recipe-file.js';
import { readProviders, readVars, type ProviderChoice } from './vars.js';

// A machine file describes one board: its architecture, cross prefix,
// kernel provider, console and how QEMU runs it.

export interface QemuSettings {
  readonly binary: string;
  readonly machine: string;
  readonly cpu?: string;
  readonly memory: number;
  readonly smp: number;
  readonly args: readonly string[];
}

export interface Machine {
  readonly name: string;
  readonly arch: string;
  readonly file: string;
  readonly loc: SourceLocation;
  readonly overrides: readonly string[];
  readonly providers: ReadonlyMap<string, ProviderChoice>;
  readonly assignments: readonly Assignment[];
  readonly console?: string;
  readonly qemu?: QemuSettings;
}

const KEYS = ['name', 'summary', 'arch', 'overrides', 'providers', 'vars', 'console', 'qemu'];
const QEMU_KEYS = ['binary', 'machine', 'cpu', 'memory', 'smp', 'args'];

export function loadMachine(file: string, read: MetadataReader = parseYamlFile): Machine {
  const tree = read(file);
  const m = readMap(tree, KEYS, 'machine', ['arch']);
  const q = get(m, 'qemu');
  let qemu: QemuSettings | undefined;
  if (q) {
    const qm = readMap(q, QEMU_KEYS, 'machine qemu', ['binary', 'machine']);
    const opt = (k: string) => get(qm, k);
    qemu = {
      binary: asString(opt('binary')!, 'qemu binary'),
      machine: asString(opt('machine')!, 'qemu machine'),
      cpu: opt('cpu') ? asString(opt('cpu')!, 'qemu cpu') : undefined,
      memory: opt('memory') ? asNumber(opt('memory')!, 'qemu memory') : 512,
      smp: opt('smp') ? asNumber(opt('smp')!, 'qemu smp') : 1,
      args: opt('args') ? asStringList(opt('args')!, 'qemu args') : [],
    };
  }
  const name = get(m, 'name') ? asString(get(m, 'name')!, 'machine name') : basename(file, '.yaml');
  const overrides = get(m, 'overrides');
  const console = get(m, 'console');
  return {
    name,
    arch: asString(get(m, 'arch')!, 'machine arch'),
    file,
    loc: tree.loc,
    overrides: overrides ? asStringList(overrides, 'machine overrides') : [],
    providers: readProviders(m),
    assignments: readVars(m, Level.Machine),
    console: console ? asString(console, 'machine console') : undefined,
    qemu,
  };
}
