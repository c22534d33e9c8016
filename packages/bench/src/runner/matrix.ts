/**
 * The matrix: which cells a run has, in canonical order (workloads in registry order, the
 * contributed ones (plugin workloads, `--scenarios`) after them, then
 * variants in declaration order, then policies in the order given, then kernel eras oldest
 * first), checked against what is registered.
 * @module
 */
import { listDevices, listPolicies } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { NO_DEVICE, variantDevice, type WorkloadDefinition } from "../workloads/define-workload.js";
import { workloadsOf } from "../workloads/workload-catalog.js";
import { BenchInputError } from "./bench-input-error.js";
import type { CellSpec } from "./cell.js";
import { kernelsOfPolicy, policyKernels } from "./kernel-axis.js";
import { sweepSuffix, type SweepCoordinates } from "./sweep-coordinates.js";

/** What to run. */
export interface MatrixSelection {
  /** Workload ids; undefined = all. */
  readonly workloads?: readonly string[];
  /** Policy ids, or `all` / undefined for every registered policy. */
  readonly policies?: readonly string[] | "all";
  /** Device kinds (or `none`); undefined = every variant whose device is registered. */
  readonly devices?: readonly string[];
  /**
   * The kernel-era axis (see `kernel-axis.ts`): the eras every policy runs at, or null /
   * undefined for each policy at its own era.
   */
  readonly kernelAxis?: readonly string[] | null;
}

/**
 * The id of a cell: `workload/variant/policy`, with `@era` when the run has a kernel axis
 * (`.../pin-bias@v5.3`: without `--kernels` every cell runs at its policy's own era and keeps the
 * id it always had), then its swept coordinates when it has some (`.../pin-bias[bias=1024]`, see
 * {@link sweepSuffix}).
 */
export function cellId(workload: string, variant: string, policy: string, sweep?: SweepCoordinates, kernel?: string): string {
  return `${workload}/${variant}/${policy}${kernel !== undefined ? `@${kernel}` : ""}${sweepSuffix(workload, policy, sweep)}`;
}

/**
 * What a cell's seed is derived from: its id without the era, so a cell runs with the same seed
 * at every era (and as in a run without `--kernels`): across eras only the kernel differs.
 */
export function seedId(c: Pick<CellSpec, "workload" | "variant" | "policy" | "sweep">): string {
  return cellId(c.workload, c.variant, c.policy, c.sweep);
}

/** True when `c`'s id carries its era (the run had a kernel axis); false when a field it needs is missing. */
export function eraInId(c: Pick<CellSpec, "policy" | "sweep"> & Partial<Pick<CellSpec, "id" | "workload" | "variant" | "kernel">>): boolean {
  if (c.kernel === undefined || c.id === undefined || c.workload === undefined || c.variant === undefined) return false;
  return c.id === cellId(c.workload, c.variant, c.policy, c.sweep, c.kernel);
}

/** Resolve the workloads of a selection among those `container` knows; throws naming the unknown ones and listing the known. */
export function selectWorkloads(container: DependencyContainer, ids: readonly string[] | undefined): WorkloadDefinition[] {
  const all = workloadsOf(container);
  if (ids === undefined) return all;
  const known = all.map((w) => w.meta.id);
  if (ids.length === 0) throw new BenchInputError(`--workloads selects no workload; known workloads: ${known.join(", ")}`, "--workloads");
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new BenchInputError(`--workloads: unknown workload${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; known workloads: ${known.join(", ")}`, "--workloads");
  return all.filter((w) => ids.includes(w.meta.id));
}

/** Resolve the policies of a selection against the registered ones. */
export function selectPolicies(container: DependencyContainer, policies: readonly string[] | "all" | undefined): string[] {
  const known = listPolicies(container).map((p) => p.meta.id);
  if (known.length === 0) throw new BenchInputError("no pin policies are registered: pass plugin modules that register some", "--policies");
  if (policies === undefined || policies === "all") return known;
  if (policies.length === 0) throw new BenchInputError(`--policies selects no policy; registered policies: ${known.join(", ")} (or all)`, "--policies");
  const unknown = policies.filter((p) => p !== "all" && !known.includes(p));
  if (unknown.length > 0) throw new BenchInputError(`--policies: unknown polic${unknown.length > 1 ? "ies" : "y"} ${unknown.map((u) => `"${u}"`).join(", ")}; registered policies: ${known.join(", ")} (or all)`, "--policies");
  return policies.includes("all") ? known : [...new Set(policies)];
}

/** Expand a selection into cells, in canonical order. */
export function expandMatrix(container: DependencyContainer, sel: MatrixSelection): CellSpec[] {
  const workloads = selectWorkloads(container, sel.workloads);
  const policies = selectPolicies(container, sel.policies);
  const registered = new Set(listDevices(container).map((d) => d.meta.id));
  if (sel.devices !== undefined) {
    const known = new Set<string>(["none"]);
    for (const w of workloadsOf(container)) for (const v of w.meta.variants) known.add(variantDevice(v));
    const unknown = sel.devices.filter((d) => !known.has(d));
    if (unknown.length > 0) throw new BenchInputError(`--devices: unknown device ${unknown.map((u) => `"${u}"`).join(", ")}; devices the workloads use: ${[...known].sort().join(", ")} (a device plugin joins the bench through a scenario that uses it: --scenarios FILE)`, "--devices");
    const missing = sel.devices.filter((d) => d !== "none" && !registered.has(d));
    if (missing.length > 0) throw new BenchInputError(`--devices: ${missing.map((m) => `"${m}"`).join(", ")} ${missing.length > 1 ? "are" : "is"} not registered; registered devices: ${[...registered].sort().join(", ") || "(none)"}`, "--devices");
  }
  const own = policyKernels(container, policies);
  const axis = sel.kernelAxis ?? null;
  const cells: CellSpec[] = [];
  for (const w of workloads) {
    for (const v of w.meta.variants) {
      const device = variantDevice(v);
      if (v.device !== undefined && !registered.has(v.device)) continue;
      if (sel.devices !== undefined && !sel.devices.includes(device)) continue;
      for (const policy of policies) {
        for (const kernel of kernelsOfPolicy(axis, own[policy])) {
          cells.push({ id: cellId(w.meta.id, v.id, policy, undefined, axis !== null ? kernel : undefined), workload: w.meta.id, variant: v.id, device, policy, kernel });
        }
      }
    }
  }
  if (cells.length === 0) throw emptyMatrixError(workloads, registered, sel);
  return cells;
}

/** Why a selection has no cell: which variants the workloads have, and which filter dropped them. */
function emptyMatrixError(workloads: readonly WorkloadDefinition[], registered: ReadonlySet<string>, sel: MatrixSelection): BenchInputError {
  const variants = workloads.flatMap((w) => w.meta.variants.map((v) => ({ label: `${w.meta.id}[${v.id}]`, device: variantDevice(v) })));
  const shown = (vs: typeof variants) => vs.map((v) => `${v.label} (${v.device})`).join(", ");
  const missing = variants.filter((v) => v.device !== NO_DEVICE && !registered.has(v.device));
  const usable = variants.filter((v) => !missing.includes(v));
  const reasons: string[] = [];
  if (missing.length > 0) reasons.push(`${shown(missing)} need${missing.length === 1 ? "s" : ""} a device that is not registered`);
  if (sel.devices !== undefined && usable.length > 0) reasons.push(`--devices ${sel.devices.join(",")} keeps none of ${shown(usable)}`);
  const workloadsText = sel.workloads === undefined ? "every workload" : `--workloads ${sel.workloads.join(",")}`;
  return new BenchInputError(`no cell matches the selection (${workloadsText}${sel.devices !== undefined ? ` with --devices ${sel.devices.join(",")}` : ""}): ${reasons.join("; ")}`, sel.devices !== undefined ? "--devices" : "--workloads");
}
