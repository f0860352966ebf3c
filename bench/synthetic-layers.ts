import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// A synthetic project shaped like a real product tree, for the parse
// benchmark: four layers (core, a BSP, a distro layer, a product layer) with
// N recipes spread over them, shared classes and include fragments, appends
// to about one recipe in ten, virtual providers, machine/arch/libc overrides
// and about thirty variables and five tasks per recipe (poky's recipes
// average a few dozen assignments each once classes are counted).

const LAYERS = [
  { name: 'core', priority: 5, share: 0.6 },
  { name: 'bsp', priority: 7, share: 0.1 },
  { name: 'distro', priority: 8, share: 0.2 },
  { name: 'product', priority: 10, share: 0.1 },
];
const CLASSES = ['autotools', 'cmake', 'meson', 'pkgconfig', 'cross-musl', 'update-rc', 'useradd', 'systemd', 'python3', 'kernel-module'];
const SHA = 'faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694';

function write(root: string, rel: string, text: string): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

function classText(name: string, i: number): string {
  const lines = [`inherit: [${i > 0 ? CLASSES[i - 1] : 'base'}]`, 'vars:'];
  for (let v = 0; v < 8; v++) lines.push(`  ${name.toUpperCase().replace(/-/g, '_')}_OPT${v}: "--opt-${v} \${PN}"`);
  lines.push(
    `  EXTRA_FLAGS:append: " -D${name.replace(/-/g, '_')}"`,
    '  CFLAGS:append:aarch64: " -mcpu=cortex-a53"',
    'tasks:',
    `  configure: ./configure --host=\${TARGET_ARCH} \${EXTRA_FLAGS}`,
    '  compile: make -j${JOBS}',
    '',
  );
  return lines.join('\n');
}

function recipeText(n: number, total: number): string {
  const name = `pkg${n}`;
  const deps = [1, 7, 31]
    .map((k) => n - k)
    .filter((d) => d >= 0)
    .map((d) => `pkg${d}`);
  if (n % 50 === 0) deps.push('virtual/libc');
  const lines = [
    ...(n % 5 === 0 ? ['include: [common-flags]'] : []),
    `name: ${name}`,
    `version: ${1 + (n % 3)}.${n % 17}.${n % 5}`,
    'license: MIT',
    `summary: synthetic package ${n} of ${total}`,
    `inherit: [${CLASSES[n % CLASSES.length]}, ${CLASSES[(n * 7) % CLASSES.length]}]`,
    `depends: [${deps.join(', ')}]`,
    ...(n % 100 === 1 ? [`provides: [virtual/service${n % 3}]`] : []),
    'sources:',
    `  - url: https://downloads.example.org/${name}/${name}-\${PV}.tar.gz`,
    `    sha256: ${SHA}`,
    'vars:',
  ];
  for (let v = 0; v < 20; v++) lines.push(`  VAR_${v}: "value-${v} \${PN} \${PV}${v > 0 ? ` \${VAR_${v - 1}}` : ''}"`);
  lines.push(
    '  EXTRA_FLAGS: --enable-shared',
    '  EXTRA_FLAGS:append:qemuarm64: " --enable-qemu"',
    '  EXTRA_FLAGS:remove: --enable-static',
    '  CFLAGS: -O2',
    '  CFLAGS:pn-pkg1: -O0',
    '  CFLAGS:prepend:musl: "-D_GNU_SOURCE "',
    '  DESC:default: "${SUMMARY}"',
    'tasks:',
    '  install: |',
    '    install -d $D/usr/bin',
    `    install -m 0755 ${name} $D/usr/bin/${name}`,
    'packages:',
    `  ${name}: [/usr/bin/**]`,
    `  ${name}-doc: [/usr/share/**]`,
    'rdepends:',
    `  ${name}: [${deps.filter((d) => d.startsWith('pkg')).join(', ')}]`,
    '',
  );
  return lines.join('\n');
}

function appendText(n: number): string {
  return [
    `append: pkg${n}`,
    'vars:',
    '  EXTRA_FLAGS:append: " --product-tuning"',
    '  PRODUCT_NOTE: tuned',
    'tasks:',
    '  install:append: |',
    '    echo product >> $D/usr/share/note',
    '',
  ].join('\n');
}

/** Writes the synthetic project into `root` and returns the strata.yaml folder. */
export function writeSyntheticProject(root: string, recipes: number): string {
  let next = 0;
  LAYERS.forEach((layer, li) => {
    const dir = join(root, 'layers', layer.name);
    write(dir, 'layer.yaml', `name: ${layer.name}\nversion: 1.0\npriority: ${layer.priority}\nseries: [2026]\n${li ? 'depends: [core >= 1.0]\n' : ''}`);
    const count = li === LAYERS.length - 1 ? recipes - next : Math.round(recipes * layer.share);
    for (let i = 0; i < count; i++, next++) write(dir, `recipes/group${next % 100}/pkg${next}/pkg${next}.yaml`, recipeText(next, recipes));
    if (li === 0) {
      write(dir, 'classes/base.yaml', 'vars:\n  BASE_TOOL: make\n');
      CLASSES.forEach((c, i) => write(dir, `classes/${c}.yaml`, classText(c, i)));
      write(dir, 'include/common-flags.yaml', 'vars:\n  COMMON_FLAGS: -fstack-protector-strong\n  CFLAGS:append: " ${COMMON_FLAGS}"\n');
      write(dir, 'recipes/libc/musl.yaml', 'name: musl\nversion: 1.2.3\nprovides: [virtual/libc]\n');
      write(dir, 'machines/qemuarm64.yaml', 'arch: aarch64\noverrides: [qemuall]\n');
      write(dir, 'distros/synthetic.yaml', 'version: "1"\nlibc: musl\npreferred-versions:\n  pkg3: "1.%"\n');
    }
    if (layer.name === 'product') for (let n = 0; n < recipes; n += 10) write(dir, `recipes/appends/pkg${n}.append.yaml`, appendText(n));
  });
  write(root, 'strata.yaml', `layers:\n${LAYERS.map((l) => `  - layers/${l.name}\n`).join('')}machine: qemuarm64\ndistro: synthetic\n`);
  return root;
}
