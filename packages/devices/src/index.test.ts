/**
 * The package registry: every device is registered explicitly, under its own id, with complete
 * metadata whose schemas accept what docs/reference/scenario-format.md says a scenario may write.
 */
import { attachDevice, createKernel, DuplicateDeviceError, listDevices, PluginOptionsError, pluginSource, type DeviceDescriptor } from "@pinlab/core";
import { testContainer } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import { devices, register } from "./index.js";

describe("registry", () => {
  it("maps each kind to the descriptor with that id", () => {
    expect(Object.keys(devices)).toEqual(["rdma-mr", "odp-mirror", "direct-io", "hmm-dmirror"]);
    for (const [kind, d] of Object.entries(devices)) expect(d.meta.id).toBe(kind);
  });

  it("registers nothing on import and everything on register(), attributed to @pinlab/devices", () => {
    const c = testContainer();
    expect(listDevices(c)).toEqual([]);
    register(c);
    expect(listDevices(c).map((d) => [d.meta.id, pluginSource(d)])).toEqual([
      ["rdma-mr", "@pinlab/devices"], ["odp-mirror", "@pinlab/devices"], ["direct-io", "@pinlab/devices"], ["hmm-dmirror", "@pinlab/devices"],
    ]);
    expect(() => register(c)).toThrow(/"rdma-mr" is claimed twice: by @pinlab\/devices and by @pinlab\/devices/);
  });

  it("attaches each kind with default options and rejects unknown options by name", () => {
    const c = testContainer();
    register(c);
    const inst = createKernel({ machine: { memory: "16MiB" }, policy: "test-exact" }, { container: c });
    for (const kind of Object.keys(devices)) expect(attachDevice(inst, { name: `${kind}0`, kind }).view().frames).toEqual([]);
    expect(() => attachDevice(inst, { name: "x", kind: "odp-mirror", options: { fill: "always" } })).toThrow(PluginOptionsError);
    expect(() => attachDevice(inst, { name: "odp-mirror0", kind: "odp-mirror" })).toThrow(DuplicateDeviceError);
    expect(() => attachDevice(inst, { name: "y", kind: "rdma-mr", options: { bogus: 1 } })).toThrow(/bad options for device "y" \(rdma-mr\):\n {2}options: Unrecognized key: "bogus"/);
  });
});

describe("metadata", () => {
  for (const d of Object.values(devices)) {
    it(`${d.meta.id}: documents itself and has strict schemas`, () => {
      expect(d.meta.summary.length).toBeGreaterThan(20);
      expect(d.meta.driver).toMatch(/v6\.12/);
      expect(d.meta.description?.length ?? 0).toBeGreaterThan(200);
      expect(d.meta.options.safeParse({}).success).toBe(true);
      expect(d.meta.options.safeParse({ nonsense: true }).success).toBe(false);
      for (const [name, a] of Object.entries(d.meta.actions)) {
        expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(a.summary.length).toBeGreaterThan(10);
        expect(a.fields.safeParse({ nonsense: 1 }).success).toBe(false);
      }
    });
  }
});

describe("the scenario contract (docs/reference/scenario-format.md, device actions)", () => {
  const accepts = (kind: keyof typeof devices, action: string, fields: Record<string, unknown>) => {
    const d: DeviceDescriptor = devices[kind];
    return d.meta.actions[action].fields.safeParse(fields).success;
  };

  it("accepts the documented fields of every action", () => {
    expect(accepts("rdma-mr", "reg_mr", { proc: "p1", addr: "buf", length: "16KiB", access: ["local_write", "remote_write", "remote_read"] })).toBe(true);
    expect(accepts("rdma-mr", "dereg_mr", { region: "mr" })).toBe(true);
    expect(accepts("rdma-mr", "dma_write", { region: "mr", offset: 0, data: "lost" })).toBe(true);
    expect(accepts("rdma-mr", "dma_read", { region: "mr", offset: "4KiB", length: 5 })).toBe(true);
    expect(accepts("odp-mirror", "reg_mr", { proc: "p1", addr: "buf+8KiB", length: 8192 })).toBe(true);
    expect(accepts("odp-mirror", "prefetch", { region: "mr", offset: 0, length: "8KiB" })).toBe(true);
    expect(accepts("odp-mirror", "dma_write", { region: "mr", offset: 0, data: "x" })).toBe(true);
    expect(accepts("odp-mirror", "dma_read", { region: "mr", offset: 0, length: 1 })).toBe(true);
    expect(accepts("direct-io", "read", { proc: "p1", addr: "buf", length: "4KiB", file: "data", offset: 0 })).toBe(true);
    expect(accepts("direct-io", "write", { proc: "p1", addr: 65536, length: 512, file: "data", offset: "1MiB" })).toBe(true);
  });

  it("rejects malformed values", () => {
    expect(accepts("rdma-mr", "reg_mr", { proc: "p1", addr: "buf", length: "16KB" })).toBe(false);
    expect(accepts("rdma-mr", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["local_read"] })).toBe(false);
    expect(accepts("rdma-mr", "dma_write", { region: "mr", offset: 0 })).toBe(false);
    expect(accepts("direct-io", "read", { proc: "1p", addr: "buf", length: 512, file: "data", offset: 0 })).toBe(false);
    expect(accepts("odp-mirror", "reg_mr", { proc: "p1", addr: -4096, length: 4096 })).toBe(false);
  });

  it("parses the documented options with units and defaults", () => {
    expect(devices["direct-io"].meta.options.parse({ latency: "50us" })).toEqual({ latency: 50_000, pinCall: "pin", logicalBlockSize: 512 });
    expect(devices["odp-mirror"].meta.options.parse({ fill: "pin" })).toMatchObject({ fill: "pin", faultLatency: 0, faultTimeout: 1_000_000_000 });
    expect(devices["rdma-mr"].meta.options.parse({})).toEqual({ capIpcLock: false, pinCall: "auto", dmaLatency: 0 });
    expect(devices["direct-io"].meta.options.safeParse({ latency: "50 parsecs" }).success).toBe(false);
  });
});
