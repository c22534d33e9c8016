import "reflect-metadata";
import { definePinPolicy, registerPinPolicy } from "@pinlab/core";
import { testPolicy } from "@pinlab/core/testing";
import type { DependencyContainer } from "tsyringe";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { BenchInputError } from "./bench-input-error.js";
import { pluginContainer } from "./load-plugins.js";
import { parseSweepFlag } from "./sweep.js";
import { resolveSweeps, type SweepContext } from "./sweep-resolve.js";

let ctx: SweepContext;
let container: DependencyContainer;
beforeAll(async () => {
  container = await pluginContainer([FAKE_PLUGINS]);
  ctx = { container, workloads: ["pin-overflow", "shared-library-false-positive"], policies: ["fake-get", "fake-bias"], size: "tiny", params: {}, policyOptions: {} };
});

const resolve = (flags: string[], over: Partial<SweepContext> = {}) => resolveSweeps(flags.map(parseSweepFlag), { ...ctx, ...over });
const message = (flags: string[], over: Partial<SweepContext> = {}): string => {
  try {
    resolve(flags, over);
  } catch (e) {
    expect(e).toBeInstanceOf(BenchInputError);
    expect((e as BenchInputError).field).toBe("--sweep");
    return (e as Error).message;
  }
  return "no error";
};

describe("checking --sweep against the registries and the matrix", () => {
  it("tells workload sweeps from policy sweeps and puts them in canonical order", () => {
    expect(resolve(["fake-bias.bias=256,1024", "pin-overflow.aliases=2,4"])).toEqual([
      { target: "pin-overflow", kind: "workload", key: "aliases", values: [2, 4] },
      { target: "fake-bias", kind: "policy", key: "bias", values: [256, 1024] },
    ]);
  });

  it("refuses, naming --sweep TARGET.KEY and what is wrong", () => {
    const cases: [string[], Partial<SweepContext>, string][] = [
      [["nope.bias=1"], {}, '--sweep nope.bias: "nope" is neither a workload nor a registered policy; workloads: dio-writeback-race, rdma-fork, rdma-file-truncate, odp-churn, shared-library-false-positive, longterm-cma, pin-overflow, gup-throughput; policies: fake-get, fake-bias, test-exact'],
      [["fake-bias.bias=2", "fake-bias.bias=4"], {}, "--sweep fake-bias.bias: is given twice; give every value in one --sweep"],
      [["test-exact.x=1"], {}, '--sweep test-exact.x: policy "test-exact" is not in --policies (fake-get, fake-bias); add it to --policies or drop the sweep'],
      [["fake-bias.biass=1"], {}, '--sweep fake-bias.biass: policy "fake-bias" has no option "biass"; its options: bias'],
      [["fake-get.bias=1"], {}, '--sweep fake-get.bias: policy "fake-get" has no option "bias"; it has no options'],
      [["fake-bias.bias=1024,1"], {}, "--sweep fake-bias.bias: bad value 1: bias: Too small: expected number to be >=2"],
      [["fake-bias.bias=1024,big"], {}, "--sweep fake-bias.bias: bad value big: bias: Invalid input: expected number, received string"],
      [["rdma-fork.pages=1"], {}, '--sweep rdma-fork.pages: workload "rdma-fork" is not in --workloads (pin-overflow, shared-library-false-positive); add it to --workloads or drop the sweep'],
      [["pin-overflow.alias=1"], {}, '--sweep pin-overflow.alias: workload "pin-overflow" has no parameter "alias"; its parameters: samples, warmup, aliases, maxPins'],
      [["pin-overflow.aliases=2,-1"], {}, "--sweep pin-overflow.aliases: bad value -1: aliases: Too small: expected number to be >=1"],
      [["pin-overflow.aliases=2,4"], { params: { "pin-overflow": { aliases: 3 } } }, "--sweep pin-overflow.aliases: pin-overflow.aliases is also set by --param; set it one way (--param for one value, --sweep for several)"],
    ];
    for (const [flags, over, expected] of cases) expect(message(flags, over)).toBe(expected);
  });

  it("refuses a name that is both a workload and a registered policy", async () => {
    const c = await pluginContainer([FAKE_PLUGINS]);
    registerPinPolicy(c, definePinPolicy({ meta: { id: "pin-overflow", summary: "a policy named like a workload", kernel: "test", options: z.object({}).strict(), capabilities: testPolicy.meta.capabilities }, create: () => { throw new Error("not built"); } }), "test");
    expect(message(["pin-overflow.aliases=1"], { container: c })).toBe('--sweep pin-overflow.aliases: "pin-overflow" is both a workload and a registered policy, so the sweep is ambiguous');
  });

  it("takes any workload when --workloads is not given, and checks values with the config's options for the policy", () => {
    expect(resolve(["rdma-fork.pages=4"], { workloads: undefined })[0].kind).toBe("workload");
    expect(resolve(["fake-bias.bias=8"], { policyOptions: { "fake-bias": { bias: 16 } } })[0].values).toEqual([8]);
  });
});
