import { describe, expect, it } from "vitest";
import { drawable, LIBRARY, libraryEntry, libraryIdOf, topLevelString } from "./library.js";

describe("scenario library", () => {
  it("bundles the repository's scenarios", () => {
    expect(LIBRARY.length).toBeGreaterThanOrEqual(30);
    expect(libraryEntry("rdma-mr-fork")?.description).toBe("RDMA region survives fork only with FOLL_PIN");
    expect(LIBRARY.map((e) => e.id)).toEqual([...LIBRARY.map((e) => e.id)].sort((a, b) => a.localeCompare(b)));
  });

  it("names the library scenario only when the text is exactly its text", () => {
    const text = libraryEntry("rdma-mr-fork")!.text;
    expect(libraryIdOf(text)).toBe("rdma-mr-fork");
    expect(libraryIdOf(`${text}\n# edited\n`)).toBe("");
  });

  it("leaves out the scenarios of gigabyte machines with 1 GiB hugetlb pages", () => {
    expect(drawable("machine: { memory: 2GiB, hugetlb_1g: 1 }\n")).toBe(false);
    expect(drawable("machine: { memory: 64MiB }\n")).toBe(true);
    expect(drawable("machine: { memory: 64MiB, hugetlb_1g: 0 }\n")).toBe(true);
    expect(libraryEntry("hugetlb-1g-rdma-pin")).toBeUndefined();
    expect(libraryEntry("hugetlb-rdma-fork")).toBeDefined();
  });

  it("reads plain top-level strings", () => {
    expect(topLevelString("name: x # c\ndescription: 'a b'\n", "description")).toBe("a b");
    expect(topLevelString("  description: nested\n", "description")).toBe("");
  });
});
