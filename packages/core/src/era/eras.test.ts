/**
 * The era table: every era is the one before plus its changes, each change cites a commit, and
 * `expect_by_kernel` keys select the eras they name.
 */
import { describe, expect, it } from "vitest";
import { eraById, eraIndex, eraMatches, findEra, KERNEL_ERA_IDS, unknownEraMessage } from "./era-lookup.js";
import { DEFAULT_KERNEL, KERNEL_ERAS } from "./eras.js";

describe("kernel eras", () => {
  it("lists the eras the issue names, oldest first, ending at the default", () => {
    for (const id of ["v4.8", "v4.15", "v5.3", "v5.7", "v5.8", "v5.9", "v5.11", "v5.19", "v6.5", "v6.12"]) expect(KERNEL_ERA_IDS).toContain(id);
    expect(KERNEL_ERA_IDS[KERNEL_ERA_IDS.length - 1]).toBe(DEFAULT_KERNEL);
    expect(KERNEL_ERAS.map((e) => e.date)).toEqual([...KERNEL_ERAS.map((e) => e.date)].sort());
  });

  it("builds each era as the one before plus its changes, every change citing a 12-digit commit and a title", () => {
    for (let i = 1; i < KERNEL_ERAS.length; i++) {
      const before = KERNEL_ERAS[i - 1].rules;
      const era = KERNEL_ERAS[i];
      const changed = new Set(era.changes.map((c) => c.rule));
      for (const c of era.changes) {
        expect(c.commit).toMatch(/^[0-9a-f]{12}$/);
        expect(c.title.length).toBeGreaterThan(5);
        expect(era.rules[c.rule]).toBe(c.value);
      }
      for (const [rule, value] of Object.entries(era.rules)) if (!changed.has(rule as keyof typeof era.rules)) expect(value, `${era.id} ${rule}`).toBe(before[rule as keyof typeof before]);
    }
  });

  it("has the rules of the research at the eras that matter", () => {
    expect(eraById("v5.3").rules).toMatchObject({ cowReuse: "mapcount", forkPinned: "share", follPin: "get", unshare: "none", longtermFsdax: "refused", longtermMigrate: "cma" });
    expect(eraById("v5.8").rules).toMatchObject({ gupReadCow: true, follPin: "counted", cowReuse: "mapcount" });
    expect(eraById("v5.9-rc4").rules).toMatchObject({ cowReuse: "refcount", gupReadCow: false, forkPinned: "share" });
    expect(eraById("v5.9").rules).toMatchObject({ forkPinned: "early-cow", swapinReuse: "mapcount", thpReuse: "mapcount", gupFastForkSeq: false });
    expect(eraById("v5.11").rules).toMatchObject({ forkPinned: "early-cow", cowReuse: "refcount", gupFastForkSeq: true });
    expect(eraById("v5.11").changes.map((c) => c.commit)).toEqual(["57efa1fe5957"]);
    expect(eraById("v6.12").rules.gupFastForkSeq).toBe(true);
    expect(eraById("v6.12").rules).toMatchObject({ cowReuse: "anon-exclusive", forkPinned: "anon-exclusive", unshare: "anon-longterm", longtermFileWrite: "refused", zeroPagePinned: false, forceWrite: "anon-exclusive" });
    expect(eraById("v4.8").rules).toMatchObject({ forceWrite: "games", longtermFsdax: "allowed", daxBusyWait: false });
  });

  it("finds eras by id and names the known ones for an unknown id", () => {
    expect(findEra("v5.3")?.release).toBe("Linux 5.3");
    expect(findEra("v5.4")).toBeUndefined();
    expect(() => eraById("v5.4")).toThrow(unknownEraMessage("v5.4"));
    expect(unknownEraMessage("v9")).toContain("v4.8, v4.9, v4.15");
    expect(eraIndex("v4.8")).toBe(0);
    expect(eraIndex("nope")).toBe(-1);
  });

  it.each([
    ["v5.8", "v5.8", true], ["v5.8", "v5.9", false],
    [">=v5.9", "v5.9", true], [">=v5.9", "v5.9-rc4", false], [">v5.9", "v5.9", false], [">v5.9", "v6.12", true],
    ["<v5.9", "v5.9-rc4", true], ["<v5.9", "v5.9", false], ["<=v5.8", "v5.8", true], ["<=v5.8", "v5.9-rc4", false],
    ["v5.9-rc4..v5.18", "v5.9", true], ["v5.9-rc4..v5.18", "v5.19", false], ["v5.9-rc4..v5.18", "v5.8", false],
  ])("key %s matches %s: %s", (key, id, matches) => {
    expect(eraMatches(key, id)).toBe(matches);
  });

  it.each(["v5.4", ">=v9", "v5.18..v5.9", "5.3", "v5.3..", "~v5.3"])("key %s is not a key", (key) => {
    expect(eraMatches(key, "v5.3")).toBeUndefined();
  });
});
