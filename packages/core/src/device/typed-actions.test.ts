/**
 * Device actions typed from their schemas: a handler's argument is `ActionArgs` of its action's
 * fields (checked by the compiler here: `expectTypeOf`, and `@ts-expect-error` lines that must
 * stay errors), and at run time core checks each call with the schema, resolves the references
 * and names the device, the action and the field when something is wrong.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { Inode } from "../fs/inode.js";
import type { Process } from "../mm/process.js";
import { attachDevice } from "../instance/attach.js";
import { createKernel } from "../instance/create-kernel.js";
import { PluginContractError, UnknownPluginError } from "../plugin/plugin-errors.js";
import { registerDevice } from "../plugin/registry.js";
import { testContainer } from "../testing/kernel.js";
import { ENOENT } from "../errno.js";
import { kernelActionRefs } from "./action-dispatch.js";
import { actionFields, type ActionArgs } from "./action-fields.js";
import { defineDevice, DeviceArgError, type ActionHandler, type DeviceActionResult } from "./device-plugin.js";

const fields = z
  .object({
    proc: actionFields.proc,
    addr: actionFields.addr,
    file: actionFields.file.optional(),
    length: actionFields.size,
    latency: actionFields.time,
    region: actionFields.name,
    mode: z.enum(["ro", "rw"]),
    count: z.number().int().optional(),
  })
  .strict();

type Args = ActionArgs<typeof fields>;

/** A device whose one action, `go`, returns what its handler received. */
const echo = defineDevice({
  meta: {
    id: "echo", summary: "returns its fields", driver: "none", options: z.object({}).strict(),
    actions: { go: { summary: "echo", fields }, stop: { summary: "nothing", fields: z.object({}).strict() } },
  },
  create: () => ({
    actions: {
      go(args, call) {
        expectTypeOf(args.proc).toEqualTypeOf<Process>();
        expectTypeOf(args.length).toEqualTypeOf<number>();
        // @ts-expect-error: a size arrives as a number, not as the string a scenario writes
        const written: string = args.length;
        return { ok: true, value: { args, as: call.as, written } };
      },
      stop: () => ({ ok: true }),
    },
    view: () => ({ frames: [], counters: {} }),
  }),
});

function attached(buggy?: { create: () => unknown }) {
  const c = testContainer();
  registerDevice(c, buggy === undefined ? echo : { ...echo, create: buggy.create } as never, "test");
  const inst = createKernel({ machine: { memory: "16MiB" }, policy: "test-exact" }, { container: c });
  const p = inst.kernel.spawn("p1");
  return { inst, p };
}

const good = { proc: "p1", addr: "buf+4KiB", length: "8KiB", latency: "2us", region: "mr1", mode: "rw" };

describe("typed device actions", () => {
  it("types each field from its schema: references become what they name, sizes and times numbers", () => {
    expectTypeOf<Args["proc"]>().toEqualTypeOf<Process>();
    expectTypeOf<Args["addr"]>().toEqualTypeOf<number>();
    expectTypeOf<Args["file"]>().toEqualTypeOf<Inode | undefined>();
    expectTypeOf<Args["length"]>().toEqualTypeOf<number>();
    expectTypeOf<Args["latency"]>().toEqualTypeOf<number>();
    expectTypeOf<Args["region"]>().toEqualTypeOf<string>();
    expectTypeOf<Args["mode"]>().toEqualTypeOf<"ro" | "rw">();
    expectTypeOf<Args["count"]>().toEqualTypeOf<number | undefined>();
    // @ts-expect-error: the schema declares no `bogus`
    expectTypeOf<Args["bogus"]>().toBeUnknown();
    // @ts-expect-error: a handler reading a field of the wrong type does not compile
    const wrong: ActionHandler<typeof fields> = ({ mode }): DeviceActionResult => ({ ok: true, value: mode === "wo" });
    expect(typeof wrong).toBe("function");
  });

  it("refuses, at compile time, a device without a handler for a declared action", () => {
    const partial = defineDevice({
      meta: { ...echo.meta, id: "partial" },
      create: () => ({
        // @ts-expect-error: no handler for `stop`
        actions: { go: () => ({ ok: true }) },
        view: () => ({ frames: [], counters: {} }),
      }),
    });
    expect(partial.meta.id).toBe("partial");
  });

  it("hands the handler the fields parsed and resolved, and the step's as", () => {
    const { inst, p } = attached();
    const dev = attachDevice(inst, { name: "d0", kind: "echo" });
    const r = dev.perform({ action: "go", fields: good, as: "x", refs: kernelActionRefs(inst.kernel, new Map([["buf", 0x10000]])) });
    expect(r).toEqual({ ok: true, value: { args: { proc: p, addr: 0x11000, length: 8192, latency: 2000, region: "mr1", mode: "rw" }, as: "x", written: 8192 } });
  });

  it("names the device, the action and the field of a value the schema refuses or that names nothing", () => {
    const { inst } = attached();
    const dev = attachDevice(inst, { name: "d0", kind: "echo" });
    const refs = kernelActionRefs(inst.kernel, new Map([["buf", 0x10000]]));
    const fails = (fields: Record<string, unknown>, action = "go") => {
      try {
        dev.perform({ action, fields, refs });
      } catch (e) {
        if (e instanceof DeviceArgError) return [e.field, e.message];
        throw e;
      }
      return undefined;
    };
    expect(fails({ ...good, length: "8KB" })).toEqual(["length", 'device "d0" (echo), action go, field "length": unknown size unit "KB" in "8KB" (use B, KiB, MiB, GiB or TiB)']);
    expect(fails({ ...good, bogus: 1 })?.[0]).toBe("bogus");
    expect(fails({ ...good, mode: "wo" })?.[0]).toBe("mode");
    expect(fails({ ...good, addr: "nope" })).toEqual(["addr", 'device "d0" (echo), action go, field "addr": "nope" is not a bound address']);
    // A process that does not exist is the kernel's answer, ENOENT (as touch and gup give it), not a bad field.
    expect(() => fails({ ...good, proc: "ghost" })).toThrow(expect.objectContaining({ errno: ENOENT, message: expect.stringMatching(/ghost/) }));
    expect(fails({}, "fly")).toEqual(["action", 'device "d0" (echo), action fly, field "action": echo has no action "fly"; expected one of: go, stop']);
  });

  it("refuses, when attaching, a device whose create() returns no handler for a declared action, or nothing", () => {
    const missing = attached({ create: () => ({ actions: { go: () => ({ ok: true }) }, view: () => ({ frames: [], counters: {} }) }) });
    expect(() => attachDevice(missing.inst, { name: "d0", kind: "echo" })).toThrow(PluginContractError);
    expect(() => attachDevice(missing.inst, { name: "d0", kind: "echo" })).toThrow(
      'device "d0" (echo, test): create() returned object, not a DeviceInstance: { actions: a handler for each of go, stop; view() }: a bug in the device plugin',
    );
    const nothing = attached({ create: () => null });
    expect(() => attachDevice(nothing.inst, { name: "d1", kind: "echo" })).toThrow(/create\(\) returned null, not a DeviceInstance/);
    expect(() => attachDevice(nothing.inst, { name: "d2", kind: "nope" })).toThrow(new UnknownPluginError('unknown device kind "nope"; registered kinds: echo'));
  });
});
