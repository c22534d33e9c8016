/**
 * Multiplying the matrix by the sweeps: a workload sweep applies to that workload's cells, a
 * policy sweep to that policy's cells, and a cell several sweeps apply to gets their cartesian
 * product.
 * @module
 */
import { BenchInputError } from "./bench-input-error.js";
import type { CellSpec } from "./cell.js";
import { sweepSuffix } from "./sweep-coordinates.js";
import { sweepName, type Sweep } from "./sweep.js";

/** True when sweep `s` applies to cell `c`. */
export function sweepApplies(s: Sweep, c: { readonly workload: string; readonly policy: string }): boolean {
  return s.kind === "workload" ? c.workload === s.target : c.policy === s.target;
}

/** The cartesian product of lists, the first list varying slowest. */
function product(lists: readonly (readonly unknown[])[]): unknown[][] {
  return lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}

/**
 * Expand `cells` by `sweeps` (in their canonical order): each cell is replaced by one cell per
 * combination of the values of the sweeps that apply to it, in product order (the first sweep
 * varying slowest, values in the order given), with its coordinates in `sweep` and in its id.
 * A cell no sweep applies to is kept as it is. Throws {@link BenchInputError} naming `--sweep`
 * when a sweep applies to no cell (its workload's variants were all filtered out, say).
 */
export function expandSweeps(cells: readonly CellSpec[], sweeps: readonly Sweep[]): CellSpec[] {
  for (const s of sweeps) {
    if (!cells.some((c) => sweepApplies(s, c))) {
      throw new BenchInputError(`--sweep ${sweepName(s)}: applies to no cell of the matrix (no cell has ${s.kind} "${s.target}" after --devices and the registered devices)`, "--sweep");
    }
  }
  return cells.flatMap((c) => {
    const applying = sweeps.filter((s) => sweepApplies(s, c));
    if (applying.length === 0) return [c];
    return product(applying.map((s) => s.values)).map((combo) => {
      const sweep = Object.fromEntries(applying.map((s, i) => [sweepName(s), combo[i]]));
      // The unswept id (with its era, when the run has a kernel axis) is the prefix of the swept one.
      return { ...c, id: `${c.id}${sweepSuffix(c.workload, c.policy, sweep)}`, sweep };
    });
  });
}

/** A cell's place among the sweeps' values (per sweep, the index of its value, -1 when the sweep does not apply): compare lexicographically for canonical order. */
export function sweepRank(c: Pick<CellSpec, "sweep">, sweeps: readonly Sweep[]): number[] {
  return sweeps.map((s) => {
    const name = sweepName(s);
    if (c.sweep === undefined || !Object.hasOwn(c.sweep, name)) return -1;
    const v = JSON.stringify(c.sweep[name]);
    return s.values.findIndex((x) => JSON.stringify(x) === v);
  });
}

/** Lexicographic comparison of two {@link sweepRank}s. */
export function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
