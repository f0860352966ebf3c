// Strata and the tool it is compared with, timed in turns so both see the
// same load on a shared machine. Fair to both sides: one untimed run of
// each first (Strata's code compiled by V8, the files and the tool in the
// page cache), then turns whose order alternates (Strata then the tool,
// the tool then Strata, …), so neither always runs first into a load that
// changes during the turn, or into what the other left (dirty pages, a
// collection). The figures are medians: of each side's times, and of the
// ratio within each turn, which is what the goal (ratio <= 1.1) is judged on.

export interface PairTimes {
  readonly strataMs: number;
  readonly toolMs: number;
  readonly ratio: number;
  /** The lowest and highest ratio of a turn. */
  readonly spread: readonly [number, number];
  /** Every turn's times, for the reader who wants the spread. */
  readonly turns: readonly [strataMs: number, toolMs: number][];
}

export type Timed = () => Promise<void> | void;

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function time(f: Timed): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

export async function pairTimes(strata: Timed, tool: Timed, runs: number): Promise<PairTimes> {
  await strata();
  await tool();
  const turns: [number, number][] = [];
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) {
      const s = await time(strata);
      turns.push([s, await time(tool)]);
    } else {
      const t = await time(tool);
      turns.push([await time(strata), t]);
    }
  }
  const round = (n: number, to = 1) => Math.round(n * to) / to;
  const ratios = turns.map(([s, t]) => s / t);
  return {
    strataMs: round(median(turns.map((t) => t[0]))),
    toolMs: round(median(turns.map((t) => t[1]))),
    ratio: round(median(ratios), 100),
    spread: [round(Math.min(...ratios), 100), round(Math.max(...ratios), 100)],
    turns: turns.map(([s, t]) => [round(s), round(t)]),
  };
}
