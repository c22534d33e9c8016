import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eraById, KERNEL_ERA_IDS, KERNEL_ERAS } from "@pinlab/core";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { tempDir } from "../test-support/temp-dir.js";
import { changesBetween, singleChangeEra } from "./era-bisect.js";
import { eraRanges } from "./render-timeline.js";
import type { Timeline } from "./timeline-types.js";

const run = async (args: string[]) => {
  const io = captureIo(REPO_ROOT);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

const SWAP_COW = "scenarios/swap-cow-vmsplice.yaml";

async function timeline(args: string[]): Promise<{ code: number; t: Timeline }> {
  const r = await run(["timeline", ...args, "--format", "json"]);
  expect(r.err).toBe("");
  return { code: r.code, t: JSON.parse(r.out) as Timeline };
}

describe("the single-change bisect", () => {
  it("takes every change after the earlier era up to the later one, and applies one at a time", () => {
    const between = changesBetween(eraById("v5.8"), eraById("v5.9"));
    expect(between.map((c) => [c.era.id, c.change.commit])).toEqual([
      ...eraById("v5.9-rc4").changes.map((c) => ["v5.9-rc4", c.commit]),
      ...eraById("v5.9").changes.map((c) => ["v5.9", c.commit]),
    ]);
    const a = eraById("v5.8");
    const one = singleChangeEra(a, eraById("v5.9-rc4").changes[0]);
    expect(one.id).toBe("v5.8");
    const differ = Object.keys(a.rules).filter((k) => (a.rules as unknown as Record<string, unknown>)[k] !== (one.rules as unknown as Record<string, unknown>)[k]);
    expect(differ).toEqual([eraById("v5.9-rc4").changes[0].rule]);
    expect(changesBetween(KERNEL_ERAS[0], KERNEL_ERAS[KERNEL_ERAS.length - 1]).length).toBe(KERNEL_ERAS.reduce((n, e) => n + e.changes.length, 0));
  });

  it("writes eras as runs of adjacent ones", () => {
    expect(eraRanges(["v4.8", "v4.9", "v5.8", "v5.9-rc4", "v6.12"], KERNEL_ERA_IDS)).toBe("v4.8..v4.9, v5.8..v5.9-rc4, v6.12");
    expect(eraRanges([], KERNEL_ERA_IDS)).toBe("");
  });
});

describe("pinlab timeline", () => {
  it("finds the vmsplice leak's eras on swap-cow-vmsplice under legacy-get, and the commits that open and close it", async () => {
    const { code, t } = await timeline([SWAP_COW, "--policy", "legacy-get"]);
    expect(code).toBe(0);
    expect(t.kernels.map((k) => k.id)).toEqual(KERNEL_ERA_IDS);
    expect(t.policies.map((p) => p.policy)).toEqual(["legacy-get"]);
    const p = t.policies[0];
    const leak = p.hazards.find((h) => h.hazard === "cow_leak/undetected")!;
    expect(leak.eras).toEqual(["v4.8", "v4.9", "v4.15", "v5.3", "v5.7", "v5.8", "v5.9-rc4", "v5.9", "v5.11"]);
    expect(leak.steps["v5.7"]).toEqual([7, 18, 27, 36]);
    expect(leak.steps["v5.8"]).toEqual([27]);
    expect(leak.steps["v5.9-rc4"]).toEqual([7, 18, 36]);
    expect(leak.steps["v5.9"]).toEqual([7, 18, 36]);
    const at = (era: string) => leak.changes.find((c) => c.era === era)!;
    // v5.8: GUP breaks COW for reads; that one change alone gives v5.8's record.
    expect(at("v5.8")).toMatchObject({ kind: "steps", alone: true });
    expect(at("v5.8").cite.map((c) => c.commit)).toEqual(["17839856fd58"]);
    // v5.9-rc4: no one change alone gives steps 7, 18, 36 (each undoes a different case): both are cited.
    expect(at("v5.9-rc4")).toMatchObject({ kind: "steps", alone: false });
    expect(at("v5.9-rc4").cite.map((c) => c.commit).sort()).toEqual(eraById("v5.9-rc4").changes.map((c) => c.commit).sort());
    // v5.18: swap-in decides by refcount.
    expect(at("v5.18")).toMatchObject({ kind: "goes", alone: true });
    expect(at("v5.18").cite.map((c) => c.commit)).toContain("c145e0b47c77");
    expect(leak.changes.map((c) => c.era)).toEqual(["v5.8", "v5.9-rc4", "v5.18"]);
    // Per step: case 3 (step 27) stops leaking at v5.9-rc4 because of the do_wp_page() simplification alone.
    const s27 = p.steps.filter((s) => s.step === 27);
    expect(s27.map((s) => s.era)).toEqual(["v5.9-rc4"]);
    expect(s27[0].before.hazards).toEqual(["cow_leak/undetected"]);
    expect(s27[0].after.hazards).toEqual([]);
    expect(s27[0].cite.map((c) => c.commit)).toEqual(["09854ba94c6a"]);
    // Step 7 (case 1) comes back at v5.9-rc4 because the v5.8 workaround is removed.
    expect(p.steps.find((s) => s.step === 7 && s.era === "v5.9-rc4")!.cite.map((c) => c.commit)).toEqual(["a308c71bf1e6"]);
    // Bisect runs only at change points: v5.8, v5.9-rc4 and v5.18 (and each pair once).
    const pairs = ["v5.8", "v5.9-rc4", "v5.18"].map((e) => changesBetween(KERNEL_ERAS[KERNEL_ERA_IDS.indexOf(e) - 1], eraById(e)).length);
    expect(p.bisectRuns).toBe(pairs.reduce((a, b) => a + b, 0));
    expect(p.runs.map((r) => r.kernel)).toEqual(KERNEL_ERA_IDS);
    expect(p.runs.every((r) => r.passed)).toBe(true);
  });

  it("prints the same in text: era lines, hazard change points with commit and title, step changes", async () => {
    const r = await run(["timeline", SWAP_COW, "--policy", "legacy-get"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {4}v5\.8 +cow_leak\/undetected {2}pass/m);
    expect(r.out).toContain("cow_leak/undetected: v4.8..v5.11\n");
    expect(r.out).toMatch(/moves at v5\.8 \(at step 27\):\n\s+17839856fd58 "gup: document and work around "COW can break either way" issue"/);
    expect(r.out).toMatch(/step 27 \(peek\) v5\.8 -> v5\.9-rc4: .*\[cow_leak\/undetected\] -> .*\n\s+09854ba94c6a "mm: do_wp_page\(\) simplification"/);
    expect(r.out).toMatch(/PASS history\[0\] cow_leak\/undetected v4\.8\.\.v5\.18/);
  });

  it("runs only the eras --kernels names, and then does not check history", async () => {
    const { code, t } = await timeline([SWAP_COW, "--policy", "pin-bias", "--kernels", "v5.9,v5.7,v5.8"]);
    expect(code).toBe(0);
    expect(t.kernels.map((k) => k.id)).toEqual(["v5.7", "v5.8", "v5.9"]);
    expect(t.historyChecked).toBe(false);
    expect(t.policies[0].history).toEqual([]);
    // v5.8 -> v5.9 spans v5.9-rc4's changes too.
    const leak = t.policies[0].hazards.find((h) => h.hazard === "cow_leak/undetected")!;
    expect(leak.changes.find((c) => c.era === "v5.9")!.from).toBe("v5.8");
    const text = await run(["timeline", SWAP_COW, "--policy", "pin-bias", "--kernels", "v5.7,v5.8"]);
    expect(text.out).toContain("history not checked: it needs every era");
  });

  it("fails a history entry that disagrees with the eras or cites the wrong commit, and exits 1", async () => {
    const dir = tempDir("pinlab-timeline-");
    const file = join(dir, "h.yaml");
    const text = readFileSync(join(REPO_ROOT, SWAP_COW), "utf8").replace(/^history:\n(?: {2}- .*\n)+/m, [
      "history:",
      "  - { hazard: cow_leak/undetected, from: v4.8, to: v5.18, cite: [c145e0b47c77] }",
      "  - { hazard: cow_leak/undetected, from: v4.9, to: v5.8, cite: [09854ba94c6a] }",
      "  - { hazard: cow_leak, from: v4.8 }",
      "  - { hazard: cow_divergence, policy: pin-bias, from: v4.8 }",
      "",
    ].join("\n"));
    writeFileSync(file, text);
    const { code, t } = await timeline([file, "--policy", "legacy-get"]);
    expect(code).toBe(1);
    const checks = t.policies[0].history;
    expect(checks.map((h) => [h.index, h.pass])).toEqual([[0, true], [1, false], [2, true]]);
    expect(checks[1].problems).toEqual([
      "already recorded at v4.8, the era before from",
      "still recorded at v5.8 (to)",
      expect.stringMatching(/^cites 09854ba94c6a, but the timeline cites .* for the change at v4\.9 and v5\.8$/),
    ]);
    const out = (await run(["timeline", file, "--policy", "legacy-get"])).out;
    expect(out).toMatch(/FAIL history\[1\] cow_leak\/undetected v4\.9\.\.v5\.8/);
    expect(out).toContain("✗ still recorded at v5.8 (to)");
  });

  it("refuses bad input as run does: a missing file, a malformed scenario, an unknown era or policy", async () => {
    expect(await run(["timeline", "nope.yaml"])).toMatchObject({ code: 2, out: "" });
    expect((await run(["timeline", "nope.yaml"])).err).toMatch(/nope\.yaml/);
    const bad = await run(["timeline", "scenarios/invalid/81-machine-kernel-unknown.yaml"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/81-machine-kernel-unknown\.yaml:4:\d+: field "machine\.kernel": unknown kernel "v5\.10"/);
    expect(await run(["timeline", SWAP_COW, "--kernels", "v5.8,v9"])).toMatchObject({ code: 2, err: `pinlab: --kernels: unknown kernel "v9"; kernels: ${KERNEL_ERA_IDS.join(", ")}\n` });
    expect((await run(["timeline", SWAP_COW, "--kernels", ","])).err).toContain("--kernels names no kernel era");
    expect((await run(["timeline", SWAP_COW, "--policy", "frob"])).err).toMatch(/unknown policy "frob"; registered policies: /);
    const help = await run(["timeline", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("--kernels <eras>");
    expect(help.out).toContain("single-change");
  });
});
