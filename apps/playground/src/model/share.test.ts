import { describe, expect, it } from "vitest";
import { decodeState, encodeState, fromBase64Url, MAX_SHARED_TEXT, toBase64Url } from "./share.js";
import { libraryEntry } from "./library.js";

describe("URL state", () => {
  it("round-trips the scenario, the position, the policies and the frame", async () => {
    const text = `${libraryEntry("rdma-mr-fork")!.text}\n# ünïcödé ✓ <img src=x onerror=alert(1)>\n`;
    const frag = await encodeState({ text, pos: 6, policies: ["legacy-get", "pin-bias"], pfn: 1 });
    expect(frag).toMatch(/^v=1&s=[A-Za-z0-9_-]+&p=6&pol=legacy-get%2Cpin-bias&f=1$/);
    expect(frag.length).toBeLessThan(text.length);
    expect(await decodeState(`#${frag}`)).toEqual({ text, pos: 6, policies: ["legacy-get", "pin-bias"], pfn: 1 });
  });

  it("carries no scenario when there is none", async () => {
    expect(await decodeState("")).toBeUndefined();
    expect(await decodeState("#p=3")).toBeUndefined();
  });

  it("rejects damaged, oversized and foreign links", async () => {
    await expect(decodeState("#v=1&s=!!!")).rejects.toThrow(/base64url/);
    await expect(decodeState("#v=1&s=AAAA")).rejects.toThrow(/damaged/);
    await expect(decodeState("#v=2&s=AAAA")).rejects.toThrow(/version/);
    const huge = await encodeState({ text: "a".repeat(MAX_SHARED_TEXT + 1), pos: 0, policies: [] });
    await expect(decodeState(huge)).rejects.toThrow(/larger than/);
  });

  it("ignores malformed position, policies and frame", async () => {
    const frag = (await encodeState({ text: "x", pos: 0, policies: [] })).replace("p=0", "p=-4&pol=a,<b>,pin-bias&f=1e9");
    expect(await decodeState(frag)).toEqual({ text: "x", pos: 0, policies: ["a", "pin-bias"] });
  });

  it("round-trips the era choices and keeps only known eras and plugin ids", async () => {
    const frag = await encodeState({ text: "x", pos: 1, policies: ["pin-bias"], mode: "kernels", kernel: "v5.9", policy: "legacy-get", kernels: ["v5.3", "v6.12"] });
    expect(frag).toMatch(/&m=kernels&k=v5\.9&kp=legacy-get&ker=v5\.3%2Cv6\.12$/);
    expect(await decodeState(frag)).toEqual({ text: "x", pos: 1, policies: ["pin-bias"], mode: "kernels", kernel: "v5.9", policy: "legacy-get", kernels: ["v5.3", "v6.12"] });
    const bad = frag.replace("m=kernels", "m=eras").replace("k=v5.9", "k=v9.9").replace("kp=legacy-get", "kp=<x>").replace("ker=v5.3%2Cv6.12", "ker=v5.3,v1,v5.3,<b>");
    expect(await decodeState(bad)).toEqual({ text: "x", pos: 1, policies: ["pin-bias"], kernels: ["v5.3"] });
  });

  it("encodes base64url without padding", () => {
    const bytes = new Uint8Array([251, 255, 191, 0, 1]);
    expect(toBase64Url(bytes)).toBe("-_-_AAE");
    expect([...fromBase64Url("-_-_AAE")]).toEqual([...bytes]);
  });
});
