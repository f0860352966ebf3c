import { readFileSync } from 'node:fs';

// Strata and the tool it is compared with, timed in turns so both see the
// same load on a shared machine. Fair to both sides: one untimed run of
// each first (Strata's code compiled by V8, the files and the tool in the
// page cache), then turns whose order alternates (Strata then the tool,
// the tool then Strata, …), so neither always runs first into a load that
// changes during the turn, or into what the other left (dirty pages, a
// collection). The figures are medians: of each side's times, and of the
// ratio within each turn, which is what the goal (ratio <= 1.1) is judged on.
// `fresh`, if given, runs untimed before each timed run of a side: the
// image bench removes that side's output of the run before, so neither
// times freeing it (20-50 ms for the bench's 36-66 MB images on this
// machine's ext4), which each side paid at a different moment: the tool's
// shell truncating its output as it started, beside tar, and Strata's
// rename over the old image at its very end.
//
// Each side's CPU time too (user + system): this process's own (all its
// threads, zlib's on libuv's pool included) and that of the children it
// waited for (the tool's pipeline, or zstd, mksquashfs, mkfs.vfat for
// Strata). On a machine shared with other work, wall time moves by a
// factor of two from one turn to the next; CPU time barely does, and
// says whether a side does more work or only waits more.

export interface PairTimes {
  readonly strataMs: number;
  readonly toolMs: number;
  readonly ratio: number;
  /** The lowest and highest ratio of a turn. */
  readonly spread: readonly [number, number];
  /** Median CPU time of each side, and the median of the per-turn ratio. */
  readonly cpu: { readonly strataMs: number; readonly toolMs: number; readonly ratio: number };
  /** Every turn's times, for the reader who wants the spread: wall, then CPU. */
  readonly turns: readonly [strataMs: number, toolMs: number, strataCpuMs: number, toolCpuMs: number][];
}

export type Timed = () => Promise<void> | void;

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** CPU ms of the children this process has waited for: cutime + cstime of proc(5), in clock ticks (100 a second on Linux). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name may hold spaces; field 3 (state) comes first
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) * 10;
}

function cpuMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + childrenCpuMs();
}

async function time(f: Timed): Promise<[wall: number, cpu: number]> {
  const c0 = cpuMs();
  const t0 = performance.now();
  await f();
  return [performance.now() - t0, cpuMs() - c0];
}

/** What runs untimed before each timed run of a side (see above). */
export interface Fresh {
  readonly strata?: () => void;
  readonly tool?: () => void;
}

export async function pairTimes(strata: Timed, tool: Timed, runs: number, fresh: Fresh = {}): Promise<PairTimes> {
  await strata();
  await tool();
  const timeStrata = () => (fresh.strata?.(), time(strata));
  const timeTool = () => (fresh.tool?.(), time(tool));
  const turns: [number, number, number, number][] = [];
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) {
      const s = await timeStrata();
      const t = await timeTool();
      turns.push([s[0], t[0], s[1], t[1]]);
    } else {
      const t = await timeTool();
      const s = await timeStrata();
      turns.push([s[0], t[0], s[1], t[1]]);
    }
  }
  const round = (n: number, to = 1) => Math.round(n * to) / to;
  const ratios = turns.map(([s, t]) => s / t);
  return {
    strataMs: round(median(turns.map((t) => t[0]))),
    toolMs: round(median(turns.map((t) => t[1]))),
    ratio: round(median(ratios), 100),
    spread: [round(Math.min(...ratios), 100), round(Math.max(...ratios), 100)],
    cpu: {
      strataMs: round(median(turns.map((t) => t[2]))),
      toolMs: round(median(turns.map((t) => t[3]))),
      ratio: round(median(turns.map((t) => t[2] / Math.max(t[3], 1))), 100),
    },
    turns: turns.map((t) => t.map((n) => round(n)) as [number, number, number, number]),
  };
}
