/**
 * What a workload is: metadata (id, summary, the real pattern it models and where that comes
 * from, a zod schema of its parameters, its sizes and its device variants) plus a factory that
 * builds one cell's runner. One object per workload, made by {@link defineWorkload}, in the
 * typescript-eslint "one object per rule" style; `registry.ts` lists them all explicitly.
 * @module
 */
import { z } from "zod";
import { formatZodIssues, isPluginId } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import type { SampleProbe } from "../probe/sample-probe.js";

/** Workload sizes: `tiny` (tests, smoke runs), `small` (the default matrix), `default`, `large`. */
export const SIZE_NAMES = ["tiny", "small", "default", "large"] as const;

/** A workload size. */
export type SizeName = (typeof SIZE_NAMES)[number];

/** The sampling parameters every workload has: measured samples and warm-up samples before them. */
export const samplingShape = {
  /** Measured samples (each one a fresh run of the story, or one more pass over the same memory). */
  samples: z.number().int().min(1).max(10_000),
  /** Samples run first and thrown away (JIT warm-up, as tinybench and mitata do). */
  warmup: z.number().int().min(0).max(10_000),
};

/** Build a workload's parameter schema: the sampling parameters plus its own, strict. */
export function workloadParams<T extends z.ZodRawShape>(shape: T) {
  return z.object({ ...samplingShape, ...shape }).strict();
}

/** One device variant of a workload: which device plugin (if any) drives it, and how. */
export interface WorkloadVariant {
  /** Unique within the workload, e.g. `"fsdax"`; part of the cell id. */
  readonly id: string;
  /** The device kind it needs (`rdma-mr`...), or undefined when the workload calls the GUP API itself. */
  readonly device?: string;
  /** One line saying what differs in this variant. */
  readonly summary: string;
}

/** The device column of a cell whose variant needs no device plugin. */
export const NO_DEVICE = "none";

/** The device column of a variant: its device kind, or {@link NO_DEVICE}. */
export function variantDevice(v: WorkloadVariant): string {
  return v.device ?? NO_DEVICE;
}

/** Descriptive metadata of a workload: drives the CLI's listing, the report and the docs. */
export interface WorkloadMeta<S extends z.ZodObject = z.ZodObject> {
  /** Unique id, kebab-case (`--workloads` takes it). */
  readonly id: string;
  /** One-line summary of what it measures. */
  readonly summary: string;
  /** The real pattern it models. */
  readonly models: string;
  /** Where that pattern comes from (reference sections, kernel sources, mailing-list threads). */
  readonly source: string;
  /** Schema of its parameters (including `samples` and `warmup`). */
  readonly params: S;
  /** Parameters of each size. */
  readonly sizes: Readonly<Record<SizeName, z.input<S>>>;
  /** Its device variants; a cell is workload x variant x policy. */
  readonly variants: readonly WorkloadVariant[];
  /**
   * Policy options this workload runs each policy with (by policy id), when the story needs a
   * particular era of a policy; recorded in every cell so reports say so.
   */
  readonly policyOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** What to look at in its results (one or two sentences for the report). */
  readonly lookFor: string;
  /**
   * Rough seconds one cell takes at each size on one core; the runner starts the heaviest cells
   * first so the workers finish together. It changes no result.
   */
  readonly cost: Readonly<Record<SizeName, number>>;
}

/** What a workload's factory receives for one cell. */
export interface CellEnv<P> {
  /** Validated parameters. */
  readonly params: P;
  /** The device variant. */
  readonly variant: WorkloadVariant;
  /** The policy id. */
  readonly policy: string;
  /** Options the policy runs with in this cell. */
  readonly policyOptions: Readonly<Record<string, unknown>>;
  /** The cell's seed (derived from the run's seed and the cell id). */
  readonly seed: number;
  /**
   * The kernel era the cell runs (`v5.3`...); undefined = the policy's own era. Kernels built
   * with `buildCellKernel` run it; a workload never special-cases an era.
   */
  readonly kernel?: string;
  /** The container holding the registered policies and devices. */
  readonly container: DependencyContainer;
}

/** One cell's runner: called for every warm-up and measured sample with a fresh probe. */
export interface CellRunner {
  /** Run one sample: build what it needs, run the story, time grabs and releases through `probe`. */
  sample(probe: SampleProbe): void;
}

/** A workload: metadata plus a factory of cell runners. */
export interface WorkloadDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Metadata. */
  readonly meta: WorkloadMeta<S>;
  /** Prepare a cell (untimed setup shared by its samples) and return its runner. */
  create(env: CellEnv<z.output<S>>): CellRunner;
}

/**
 * The mark {@link defineWorkload} puts on a definition, so a plugin module's exports can be told
 * apart from policy and device descriptors: a global symbol, so two copies of @pinlab/bench agree.
 */
export const WORKLOAD_BRAND: unique symbol = Symbol.for("pinlab.bench.workload") as never;

/** True for a workload definition made by {@link defineWorkload} (by any copy of @pinlab/bench). */
export function isWorkloadDefinition(x: unknown): x is WorkloadDefinition {
  return typeof x === "object" && x !== null && (x as { [WORKLOAD_BRAND]?: unknown })[WORKLOAD_BRAND] === true;
}

/**
 * Check a definition's metadata except its id (variant ids, sizes valid against the schema) and
 * mark it as a workload. {@link defineWorkload} checks the id too; a scenario workload's id
 * (`scenario:NAME`) is made by the bench, not chosen by a plugin.
 */
export function checkedWorkload<S extends z.ZodObject>(def: WorkloadDefinition<S>): WorkloadDefinition<S> {
  const { meta } = def;
  const seen = new Set<string>();
  for (const v of meta.variants) {
    if (!isPluginId(v.id)) throw new Error(`workload "${meta.id}": variant id "${v.id}" must be lower-case kebab-case`);
    if (seen.has(v.id)) throw new Error(`workload "${meta.id}": variant "${v.id}" is declared twice`);
    seen.add(v.id);
  }
  if (meta.variants.length === 0) throw new Error(`workload "${meta.id}" declares no variant`);
  for (const size of SIZE_NAMES) {
    const r = meta.params.safeParse(meta.sizes[size]);
    if (!r.success) throw new Error(`workload "${meta.id}": size "${size}" does not fit its schema: ${formatZodIssues(r.error.issues).join("; ")}`);
  }
  if (typeof def.create !== "function") throw new Error(`workload "${meta.id}" has no create() function`);
  Object.defineProperty(def, WORKLOAD_BRAND, { value: true });
  return def;
}

/** Make a workload definition, checking its metadata (ids, sizes valid against the schema). */
export function defineWorkload<S extends z.ZodObject>(def: WorkloadDefinition<S>): WorkloadDefinition<S> {
  if (!isPluginId(def.meta.id)) throw new Error(`workload id "${def.meta.id}" must be lower-case kebab-case`);
  return checkedWorkload(def);
}
