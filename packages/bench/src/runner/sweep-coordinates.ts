/**
 * A swept cell's coordinates (`{ "pin-bias.bias": 1024 }`: sweep name to value) and how they
 * show in its id: `workload/variant/policy[bias=1024]`.
 * @module
 */
import { sweepValueText } from "./sweep.js";

/** A cell's swept coordinates: `TARGET.KEY` to the value the cell runs with. */
export type SweepCoordinates = Readonly<Record<string, unknown>>;

/** One coordinate, split into target, key and value. */
interface Coordinate {
  readonly target: string;
  readonly key: string;
  readonly value: unknown;
}

function coordinates(sweep: SweepCoordinates): Coordinate[] {
  return Object.entries(sweep).map(([name, value]) => {
    const dot = name.lastIndexOf(".");
    return { target: name.slice(0, dot), key: name.slice(dot + 1), value };
  });
}

/** The coordinates of `sweep` that set parameters of `workload`, by parameter name. */
export function sweptParams(workload: string, sweep: SweepCoordinates | undefined): Record<string, unknown> {
  return Object.fromEntries(coordinates(sweep ?? {}).filter((c) => c.target === workload).map((c) => [c.key, c.value]));
}

/** The coordinates of `sweep` that set options of `policy`, by option name. */
export function sweptOptions(policy: string, sweep: SweepCoordinates | undefined): Record<string, unknown> {
  return Object.fromEntries(coordinates(sweep ?? {}).filter((c) => c.target === policy).map((c) => [c.key, c.value]));
}

/**
 * Cells in their order, those that run their policy with its unswept options first: a goal or a
 * headline contrast stated for a policy (pin-bias as v6.12 ships it) reads one of those when
 * the run has one, not a setting a `--sweep` chose.
 */
export function unsweptPolicyFirst<T extends { readonly policy: string; readonly sweep?: SweepCoordinates }>(cells: readonly T[]): T[] {
  const swept = (c: T) => (Object.keys(sweptOptions(c.policy, c.sweep)).length > 0 ? 1 : 0);
  return cells.map((c, i) => ({ c, i })).sort((a, b) => swept(a.c) - swept(b.c) || a.i - b.i).map((x) => x.c);
}

/** The coordinates as `key=value` texts in id order (see {@link sweepSuffix}). */
function coordinateTexts(workload: string, policy: string, sweep: SweepCoordinates | undefined): string[] {
  const cs = coordinates(sweep ?? {});
  const rank = (c: Coordinate) => (c.target === workload ? 0 : c.target === policy ? 1 : 2);
  cs.sort((a, b) => rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.target < b.target ? -1 : 1));
  const counts = new Map<string, number>();
  for (const c of cs) counts.set(c.key, (counts.get(c.key) ?? 0) + 1);
  return cs.map((c) => `${counts.get(c.key)! > 1 ? `${c.target}.` : ""}${c.key}=${sweepValueText(c.value)}`);
}

/**
 * The id suffix of a cell's coordinates: `[key=value,...]`, the workload's parameters first, then
 * the policy's options, each group in key order; a key is bare (`bias=1024`) unless the workload
 * and the policy sweep keys of the same name, and then both are written `target.key`. Values are
 * written as they would be typed (`64MiB`, `1024`, `[1,2]`). Empty for no coordinate, so an unswept
 * cell keeps its `workload/variant/policy` id.
 */
export function sweepSuffix(workload: string, policy: string, sweep: SweepCoordinates | undefined): string {
  const texts = coordinateTexts(workload, policy, sweep);
  return texts.length === 0 ? "" : `[${texts.join(",")}]`;
}

/** The coordinates as a label (`bias=1024, pages=8`), for reports; empty for none. */
export function sweepLabel(workload: string, policy: string, sweep: SweepCoordinates | undefined): string {
  return coordinateTexts(workload, policy, sweep).join(", ");
}
