/**
 * Names in a scenario: every name is defined (declared, or bound by an earlier step) before it
 * is used, and used as what it is. (issue 21) Inside a concurrent block a step may not rely on a
 * name (or a forked process) made by another thread of the same block: the order is not fixed.
 * @module
 */
import { ADDR_PATTERN } from "../sim/field-schemas.js";
import type { Step } from "./schema/steps.js";
import type { ScenarioHeader } from "./schema/scenario.js";
import type { ScenarioProblem } from "./scenario-error.js";
import type { SourceMap } from "./source-map.js";
import type { PluginView } from "./registry-view.js";
import { fieldIn, type RawBlock, type SourcePath } from "./concurrent-block.js";

/** What a name bound by `as` (or a declaration) refers to. */
type NameKind = "address" | "handle" | "device" | "value";

/** Check that every name is defined (declared, or bound by an earlier step) before it is used. */
export function checkNames(
  header: Omit<ScenarioHeader, "steps">, steps: readonly Step[], where: { readonly paths: readonly SourcePath[]; readonly blocks: readonly RawBlock[] },
  file: string, map: SourceMap, plugins: PluginView, problems: ScenarioProblem[],
): void {
  const procs = new Set(header.processes.map((p) => (typeof p === "string" ? p : p.name)));
  const files = new Set(header.files.map((f) => f.name));
  const fileSystems = new Map(header.files.map((f) => [f.name, f.fs]));
  const devices = new Map(header.devices.map((d) => [d.name, d.kind]));
  const bound = new Map<string, NameKind>();
  const boundBy = new Map<string, string>(); // a device result's name -> the device that made it
  // (issue 21) Which thread of which block made a name or a process: another thread of that block may not use it.
  const madeIn = new Map<string, string>();
  // A block's flat steps are its schedule's starts (one per step; its order has one entry per part).
  const threadOf = (i: number): string | undefined => {
    const b = where.blocks.findIndex((x) => i >= x.start && i < x.start + x.schedule.starts.length);
    return b < 0 ? undefined : `${b}:${where.blocks[b].schedule.starts[i - where.blocks[b].start].thread}`;
  };
  steps.forEach((step, i) => {
    const here = threadOf(i);
    const at = (path: PropertyKey[], field: string, message: string) =>
      problems.push({ file, pos: map.pos([...where.paths[i], ...path]), step: i, op: step.op, field: fieldIn(where.paths[i], field), message });
    /** True (and a problem) when `name` was made by another thread of this step's block. */
    const otherThread = (name: string, path: PropertyKey[]): boolean => {
      const made = madeIn.get(name);
      if (here === undefined || made === undefined || made.split(":")[0] !== here.split(":")[0] || made === here) return false;
      at(path, path.join("."), `"${name}" is made by thread "${made.split(":")[1]}" of the same concurrent block: another thread cannot rely on it (the threads' order is not fixed); use it after the block`);
      return true;
    };
    const needProc = (name: string | undefined, path: PropertyKey[]) => {
      if (name !== undefined && !procs.has(name)) at(path, path.join("."), `unknown process "${name}"; known here: ${[...procs].join(", ") || "(none)"}`);
      else if (name !== undefined) otherThread(name, path);
    };
    const needFile = (name: string | undefined, path: PropertyKey[]) => {
      if (name !== undefined && !files.has(name)) at(path, path.join("."), `unknown file "${name}"; declared files: ${[...files].join(", ") || "(none)"}`);
    };
    const needAddr = (v: unknown, path: PropertyKey[]) => {
      if (typeof v !== "string") return;
      const name = ADDR_PATTERN.exec(v)?.[1];
      if (name === undefined) return;
      const kind = bound.get(name);
      if (kind !== undefined && otherThread(name, path)) return;
      if (kind === undefined) at(path, path.join("."), `"${name}" is used before it is defined (bind it with "as" on an earlier mmap)`);
      else if (kind !== "address") at(path, path.join("."), `"${name}" names a ${kind === "handle" ? "gup handle" : kind === "device" ? "device result" : "step result"}, not an address`);
    };
    const needHandle = (name: string, path: PropertyKey[], allowDevice: boolean) => {
      const kind = bound.get(name);
      if (kind !== undefined && otherThread(name, path)) return;
      if (kind === undefined) at(path, path.join("."), `"${name}" is used before it is defined (bind it with "as" on an earlier ${allowDevice ? "gup or device" : "gup"} step)`);
      else if (kind !== "handle" && !(allowDevice && kind === "device")) at(path, path.join("."), `"${name}" does not name a ${allowDevice ? "gup handle or device region" : "gup handle"}`);
    };
    // A device step's `region` / `io` is looked up in that device's own table: only a name a device action bound will do.
    const needDeviceName = (name: string, path: PropertyKey[], device: string) => {
      const kind = bound.get(name);
      if (kind !== undefined && otherThread(name, path)) return;
      if (kind === undefined) at(path, path.join("."), `"${name}" is used before it is defined (bind it with "as" on an earlier device step)`);
      else if (kind !== "device") at(path, path.join("."), `"${name}" names a ${kind === "handle" ? "gup handle" : kind === "address" ? "mapping address" : "step result"}, not a device region (a name bound by "as" on a device step, e.g. reg_mr)`);
      else if (boundBy.get(name) !== device) at(path, path.join("."), `"${name}" was made by device "${boundBy.get(name)}", not by "${device}": a device looks names up in its own table`);
    };
    const checkExpect = (e: NonNullable<Step["expect"]>, path: PropertyKey[]) => {
      const pages = e.page === undefined ? [] : Array.isArray(e.page) ? e.page : [e.page];
      pages.forEach((p, j) => {
        const pp = Array.isArray(e.page) ? [...path, "page", j] : [...path, "page"];
        needProc(p.proc, [...pp, "proc"]);
        needAddr(p.addr, [...pp, "addr"]);
        const sf = p.same_frame_as;
        if (sf !== undefined && "proc" in sf) {
          needProc(sf.proc, [...pp, "same_frame_as", "proc"]);
          needAddr(sf.addr, [...pp, "same_frame_as", "addr"]);
        } else if (sf !== undefined) {
          needHandle(sf.region, [...pp, "same_frame_as", "region"], true);
        }
      });
      (e.data === undefined ? [] : Array.isArray(e.data) ? e.data : [e.data]).forEach((d, j) => {
        const dp = Array.isArray(e.data) ? [...path, "data", j] : [...path, "data"];
        needProc(d.proc, [...dp, "proc"]);
        needAddr(d.addr, [...dp, "addr"]);
      });
      (e.file_data === undefined ? [] : Array.isArray(e.file_data) ? e.file_data : [e.file_data]).forEach((fd, j) => {
        const fp = Array.isArray(e.file_data) ? [...path, "file_data", j] : [...path, "file_data"];
        needFile(fd.file, [...fp, "file"]);
        const fs = fileSystems.get(fd.file);
        if (fd.from === "disk" && (fs === "shmem" || fs === "hugetlbfs")) {
          at([...fp, "from"], [...fp, "from"].join("."), `"${fd.file}" is a ${fs} file: it has no backing store to read (from: disk reads what writeback stored, on ext4 or fsdax)`);
        }
      });
      for (const [c, v] of [["pinned_vm", e.counters?.pinned_vm], ["locked_vm", e.counters?.locked_vm]] as const) if (v !== undefined && "proc" in v) needProc(v.proc, [...path, "counters", c, "proc"]);
      if (e.file_pins !== undefined) needProc(e.file_pins.proc, [...path, "file_pins", "proc"]);
      if (e.device_counters !== undefined && !devices.has(e.device_counters.device)) {
        at([...path, "device_counters", "device"], "device_counters.device", `unknown device "${e.device_counters.device}"; declared devices: ${[...devices.keys()].join(", ") || "(none)"}`);
      }
    };
    // Fields read by the step.
    const s = step as Record<string, unknown>;
    if (typeof s.proc === "string") needProc(s.proc, ["proc"]);
    if (typeof s.file === "string") needFile(s.file, ["file"]);
    for (const key of ["addr", "after", "new_addr"]) if (s[key] !== undefined) needAddr(s[key], [key]);
    if (step.op === "release" || step.op === "peek" || step.op === "poke") needHandle(step.handle, ["handle"], false);
    if (step.op === "gup" && step.owner !== undefined && "mm" in step.owner) needProc(step.owner.mm, ["owner", "mm"]);
    // A holder is a declared device or a gup handle bound earlier (the oracle's holder names).
    if (step.op === "dump" && step.holder !== undefined && !devices.has(step.holder) && bound.get(step.holder) !== "handle") {
      at(["holder"], "holder", `"${step.holder}" names no holder: give a declared device (${[...devices.keys()].join(", ") || "none declared"}) or a gup handle bound by "as" on an earlier gup step`);
    }
    if (step.op === "device") {
      for (const key of ["region", "io"]) if (typeof s[key] === "string") needDeviceName(s[key] as string, [key], step.device);
      void plugins;
    }
    // Expectations are checked after the step: names it binds are visible to them.
    if (step.op === "fork") {
      // A process name is given once: declared, or made by one fork.
      if (procs.has(step.child)) at(["child"], "child", `a process named "${step.child}" already exists (declared or forked earlier); give the child a new name`);
      procs.add(step.child);
      if (here !== undefined) madeIn.set(step.child, here);
      else madeIn.delete(step.child);
    }
    if (step.as !== undefined) {
      bound.set(step.as, step.op === "mmap" || step.op === "mremap" ? "address" : step.op === "gup" ? "handle" : step.op === "device" ? "device" : "value");
      if (here !== undefined) madeIn.set(step.as, here);
      else madeIn.delete(step.as);
      if (step.op === "device") boundBy.set(step.as, step.device);
      else boundBy.delete(step.as);
    }
    if (step.expect !== undefined) checkExpect(step.expect, ["expect"]);
    for (const [pol, e] of Object.entries(step.expect_by_policy ?? {})) checkExpect(e, ["expect_by_policy", pol]);
  });
}
