/**
 * Table-driven rows of reference §11: the same case under every policy, one expected outcome
 * per policy. Test support, not built.
 * @module
 */
import type { MachineConfigSchema } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { BASE_VARIANTS, lab, type Lab, type Variant } from "./lab.js";

/** One row: a case run under each variant, and what each variant must produce. */
export interface RowCase<O> {
  /** The row number(s) of reference §11. */
  readonly row: number | string;
  /** What the case does. */
  readonly title: string;
  /** The machine (default 64 MiB of ZONE_NORMAL). */
  readonly machine?: z.input<typeof MachineConfigSchema>;
  /** The columns (default: the four policies with default options). */
  readonly variants?: readonly Variant[];
  /** The outcome each column must produce, by column name. */
  readonly expect: Readonly<Record<string, O>>;
  /** Run the case; call `l.check()` after each step; return the outcome. */
  run(l: Lab, v: Variant): O;
}

/** Register one vitest test per (row, column); the invariant checker runs again at the end. */
export function rowTable<O>(cases: readonly RowCase<O>[]): void {
  for (const c of cases) {
    describe(`row ${c.row}: ${c.title}`, () => {
      for (const v of c.variants ?? BASE_VARIANTS) {
        it(`${v.name} -> ${JSON.stringify(c.expect[v.name])}`, () => {
          const want = c.expect[v.name];
          if (want === undefined) throw new Error(`row ${c.row} states no outcome for ${v.name}`);
          const l = lab(v.policy, v.options ?? {}, c.machine);
          expect(c.run(l, v)).toEqual(want);
          l.check();
        });
      }
    });
  }
}
