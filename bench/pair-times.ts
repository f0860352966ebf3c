// Strata and the tool it is compared with, timed in turns (Strata, tool,
// Strata, tool, …) so both see the same load on a shared machine. The
// figures are medians: of each side's times, and of the ratio within each
// turn, which is what the goal (ratio <= 1.1) is judged on.

export interface PairTimes {
  readonly strataMs: number;
  readonly toolMs: number;
  readonly ratio: number;
  /** Every turn's times, for the reader who wants the spread. */
  readonly turns: readonly [strataMs: number, toolMs: number][];
}

export type Timed = () => Promise<void> | void;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function time(f: Timed): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

export async function pairTimes(strata: Timed, tool: Timed, runs: number): Promise<PairTimes> {
  const turns: [number, number][] = [];
  for (let r = 0; r < runs; r++) turns.push([await time(strata), await time(tool)]);
  const round = (n: number, to = 1) => Math.round(n * to) / to;
  return {
    strataMs: round(median(turns.map((t) => t[0]))),
    toolMs: round(median(turns.map((t) => t[1]))),
    ratio: round(median(turns.map(([s, t]) => s / t)), 100),
    turns: turns.map(([s, t]) => [round(s), round(t)]),
  };
}
