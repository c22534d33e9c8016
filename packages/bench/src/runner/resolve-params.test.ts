import { describe, expect, it } from "vitest";
import { findWorkload } from "../workloads/registry.js";
import { BenchInputError } from "./bench-input-error.js";
import { resolveParams } from "./resolve-params.js";

const def = (id: string) => findWorkload(id)!;
const error = (id: string, overrides: Record<string, unknown>) => {
  try {
    resolveParams(def(id), "tiny", overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(BenchInputError);
    expect((e as BenchInputError).field).toBe("--param");
    return (e as Error).message;
  }
  return "no error";
};

describe("workload parameters", () => {
  it("refuse, before any cell runs, a --param that makes a machine larger than pinlab models, naming it", () => {
    expect(error("gup-throughput", { memory: "999TiB" })).toBe('bad parameters for workload "gup-throughput" (size tiny):\n'
      + '  --param gup-throughput.memory: a cell would build a 1998TiB machine (from memory 1098412116148224, orders ["order0","thp"]); pinlab models at most 256GiB');
    // The machine holds the memory once per folio kind: 100 GiB fits with one kind, not with three.
    expect(resolveParams(def("gup-throughput"), "tiny", { memory: "100GiB", orders: ["order0"] }).memory).toBe(100 * 1024 ** 3);
    expect(error("gup-throughput", { orders: ["order0", "thp", "hugetlb"], memory: "100GiB" })).toMatch(/--param gup-throughput\.memory, gup-throughput\.orders: a cell would build a 300\.06GiB machine/);
    expect(error("rdma-fork", { pages: 1 << 18, forks: 1024 })).toMatch(/--param rdma-fork\.pages, rdma-fork\.forks: a cell would build a 1TiB machine \(from pages 262144, forks 1024\)/);
    expect(error("dio-writeback-race", { pages: 1 << 16, rounds: 1 << 12 })).toMatch(/--param dio-writeback-race\.pages, dio-writeback-race\.rounds: a cell would build a/);
  });

  it("name the --param of any other bad value", () => {
    expect(error("gup-throughput", { foo: 1 })).toMatch(/--param gup-throughput\.foo: Unrecognized key: "foo"; its parameters: .*\bbatch\b.*\bmemory\b/);
    expect(error("pin-overflow", { aliases: -3 })).toMatch(/--param pin-overflow\.aliases: /);
  });
});
