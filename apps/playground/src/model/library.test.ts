import { describe, expect, it } from "vitest";
import { LIBRARY, libraryEntry, libraryIdOf, topLevelString } from "./library.js";

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

  it("reads plain top-level strings", () => {
    expect(topLevelString("name: x # c\ndescription: 'a b'\n", "description")).toBe("a b");
    expect(topLevelString("  description: nested\n", "description")).toBe("");
  });
});
