// One row of the bench's results table (bench/results.json and the printed table), shared by every
// group so each is checked against its goal the same way.

export interface ResultRow<G extends string = string> {
  /** Which part of the bench measured it (BENCH_ONLY runs one part). */
  group: G;
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  /** value / baselineValue. */
  ratio: number;
  goal: string;
  /** What the goal is checked on: the ratio or the value itself; "none" for a figure only reported. */
  goalOn: "ratio" | "value" | "none";
  goalThreshold: number;
  goalComparison: ">=" | "<";
  met: boolean;
}

/** A row with its ratio worked out and its goal checked. */
export function resultRow<G extends string>(group: G, r: Omit<ResultRow<G>, "ratio" | "met" | "group">): ResultRow<G> {
  const ratio = r.baselineValue > 0 ? r.value / r.baselineValue : Number.NaN;
  const checked = r.goalOn === "ratio" ? ratio : r.value;
  const met = r.goalOn === "none" || (r.goalComparison === ">=" ? checked >= r.goalThreshold : checked < r.goalThreshold);
  return { group, ...r, ratio, met };
}
