import { describe, expect, it } from "vitest";
import { BenchInputError } from "./bench-input-error.js";
import { parseSweepFlag, splitTopLevel, sweepName, sweepValueText } from "./sweep.js";

describe("--sweep TARGET.KEY=v1,v2,...", () => {
  it("parses values like --param values: JSON when it parses, else the text", () => {
    expect(parseSweepFlag("pin-bias.bias=256,1024,4096")).toEqual({ target: "pin-bias", key: "bias", values: [256, 1024, 4096] });
    expect(parseSweepFlag("gup-throughput.memory=64MiB, 128MiB")).toEqual({ target: "gup-throughput", key: "memory", values: ["64MiB", "128MiB"] });
    expect(parseSweepFlag("x.flag=true,false,\"1\"")).toEqual({ target: "x", key: "flag", values: [true, false, "1"] });
    expect(parseSweepFlag("x.k=1.5")).toEqual({ target: "x", key: "k", values: [1.5] });
  });

  it("keeps commas inside brackets, braces and quotes within one value", () => {
    expect(parseSweepFlag("shared-library-false-positive.processes=[1,1023],[1,1024]").values).toEqual([[1, 1023], [1, 1024]]);
    expect(splitTopLevel('{"a":[1,2]},"x,y",3')).toEqual(['{"a":[1,2]}', '"x,y"', "3"]);
  });

  it("takes the target up to the last dot before =, so a policy id with a dot works", () => {
    expect(parseSweepFlag("my.policy.opt=1")).toMatchObject({ target: "my.policy", key: "opt" });
    expect(sweepName({ target: "pin-bias", key: "bias" })).toBe("pin-bias.bias");
  });

  it("refuses a bad shape, an empty value and a value given twice, naming --sweep", () => {
    const shape = "--sweep must look like WORKLOAD.KEY=v1,v2,... or POLICY.OPTION=v1,v2,... (e.g. pin-bias.bias=256,1024,4096), got ";
    const cases: [string, string][] = [
      ["pin-bias", `${shape}"pin-bias"`],
      ["pin-bias=1", `${shape}"pin-bias=1"`],
      [".bias=1", `${shape}".bias=1"`],
      ["pin-bias.=1", `${shape}"pin-bias.=1"`],
      ["pin-bias.bias", `${shape}"pin-bias.bias"`],
      ["pin-bias.bias=", '--sweep pin-bias.bias: empty value in ""; give comma-separated values, e.g. pin-bias.bias=1,2,3'],
      ["pin-bias.bias=1,,2", '--sweep pin-bias.bias: empty value in "1,,2"; give comma-separated values, e.g. pin-bias.bias=1,2,3'],
      ["pin-bias.bias=1024,1e3,1024", "--sweep pin-bias.bias: the value 1024 is given twice"],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseSweepFlag(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BenchInputError);
      expect((error as BenchInputError).message).toBe(message);
      expect((error as BenchInputError).field).toBe("--sweep");
    }
  });

  it("writes values as they would be typed", () => {
    expect(sweepValueText(1024)).toBe("1024");
    expect(sweepValueText("64MiB")).toBe("64MiB");
    expect(sweepValueText("1024")).toBe('"1024"');
    expect(sweepValueText([1, 2])).toBe("[1,2]");
    expect(sweepValueText(false)).toBe("false");
  });
});
