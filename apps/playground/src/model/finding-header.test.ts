import { describe, expect, it } from "vitest";
import { orderText, parseFindingHeader } from "./finding-header.js";
import { dioFindingText } from "./test-support.js";

describe("an explore finding's header", () => {
  it("reads class, outcome, policy, kernel, order and source from a finding", () => {
    expect(parseFindingHeader(dioFindingText())).toEqual({
      class: "dma_after_clean", outcome: "undetected", policy: "legacy-get", kernel: "v5.3",
      order: [["wb", "wb", "dio", "dio"]], preemptions: 0, source: "scenarios/explore-dio-writeback.yaml",
    });
  });

  it("reads a failed expectation, with the step it failed at", () => {
    const f = parseFindingHeader(dioFindingText("pinlab explore finding: expectation failed: file_data.disk at step 11 under legacy-get @v5.3"));
    expect(f).toMatchObject({ class: "expectation", outcome: "file_data.disk at step 11", policy: "legacy-get", kernel: "v5.3", step: 11 });
  });

  it("reads several blocks, a plural count, CRLF line ends and a policy named like a word of the outcome", () => {
    const text = "# pinlab explore finding: cow_leak detected under under @v6.12\r\n# order (2 preemptions): [a, b, a] [x, y]\r\n\r\nname: n\r\n";
    expect(parseFindingHeader(text)).toMatchObject({ class: "cow_leak", outcome: "detected", policy: "under", kernel: "v6.12", order: [["a", "b", "a"], ["x", "y"]], preemptions: 2 });
  });

  it("is no finding without the header, with it below the YAML, or with an odd first line", () => {
    const plain = dioFindingText().split("\n").slice(4).join("\n");
    expect(parseFindingHeader(plain)).toBeUndefined();
    expect(parseFindingHeader(`${plain}\n# pinlab explore finding: dma_after_clean undetected under legacy-get @v5.3\n`)).toBeUndefined();
    expect(parseFindingHeader(dioFindingText("pinlab explore finding: dma_after_clean undetected"))).toBeUndefined();
    expect(parseFindingHeader(dioFindingText("pinlab explore finding: dma_after_clean under legacy-get @v5.3"))).toBeUndefined();
    expect(parseFindingHeader("")).toBeUndefined();
  });

  it("leaves out an odd order line and keeps the rest", () => {
    const text = dioFindingText().replace("[wb, wb, dio, dio]", "[wb, <script>]");
    const f = parseFindingHeader(text);
    expect(f?.class).toBe("dma_after_clean");
    expect(f?.order).toBeUndefined();
    expect(f?.preemptions).toBeUndefined();
  });

  it("writes the order back as the header does", () => {
    const line = dioFindingText().split("\n")[1];
    const f = parseFindingHeader(dioFindingText());
    expect(line).toBe(`# order (0 preemptions): ${orderText(f?.order ?? [])}`);
  });
});
