import { describe, expect, it } from "vitest";
import { formatValue } from "./format-value.js";

describe("formatValue", () => {
  it("quotes strings as YAML double-quoted strings, NULs and control bytes escaped", () => {
    expect(formatValue("\0\0ab")).toBe(String.raw`"\0\0ab"`);
    expect(formatValue({ proc: "p1", data: "x\ty\x7f" })).toBe(String.raw`{ proc: "p1", data: "x\ty\x7f" }`);
    expect(formatValue(["", "\uDCC3"])).toBe(String.raw`["", "\uDCC3"]`);
  });

  it("shows addresses in hex and small numbers as they are", () => {
    expect(formatValue(0x7efffffc000)).toBe("0x7efffffc000");
    expect(formatValue(4)).toBe("4");
    expect(formatValue(null)).toBe("-");
  });
});
