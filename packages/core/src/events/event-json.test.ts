import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { payloadJsonTail } from "./event-json.js";
import type { KernelEventPayloads } from "./event-types.js";

const num = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 2 ** 53, 1e21, Number.NaN, Infinity));
const text = fc.string({ unit: "binary" });

describe("payloadJsonTail", () => {
  it("writes a gup payload exactly as JSON.stringify does, errno and holder present or not", () => {
    const gup = fc.record({
      call: text, pid: num, start: num, nrPages: num, flags: fc.array(text, { maxLength: 4 }), mode: fc.constantFrom("get" as const, "pin" as const),
      got: num, errno: fc.option(text, { nil: undefined }), fastPages: num, slowPages: num, migrated: num, holder: fc.option(text, { nil: undefined }),
    });
    fc.assert(fc.property(gup, (p: KernelEventPayloads["gup"]) => {
      expect(payloadJsonTail("gup", p)).toBe(JSON.stringify(p).slice(1));
    }), { numRuns: 500 });
  });

  it("writes a release payload exactly as JSON.stringify does", () => {
    const release = fc.record({ call: text, pages: num, dirty: fc.boolean(), mode: fc.constantFrom("get" as const, "pin" as const), holder: fc.option(text, { nil: undefined }) });
    fc.assert(fc.property(release, (p: KernelEventPayloads["release"]) => {
      expect(payloadJsonTail("release", p)).toBe(JSON.stringify(p).slice(1));
    }), { numRuns: 500 });
  });

  it("falls back to JSON.stringify for every other event, the empty payload included", () => {
    expect(payloadJsonTail("exit", { pid: 1, pages: 2 })).toBe('"pid":1,"pages":2}');
    expect(payloadJsonTail("settle" as never, {} as never)).toBe("}");
  });
});
