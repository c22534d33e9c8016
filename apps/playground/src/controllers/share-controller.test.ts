import { describe, expect, it } from "vitest";
import { libraryEntry, libraryIdOf } from "../model/library.js";
import { decodeState, encodeState } from "../model/share.js";
import { registry } from "../model/test-support.js";
import { linkPolicies, linkState } from "./share-controller.js";

const DEFAULTS = ["legacy-get", "pin-bias"];

describe("the URL state of the page", () => {
  it("records the selected frame only when there is one", () => {
    expect(linkState({ text: "x", pos: 3, policies: ["pin-bias"], selected: undefined })).toEqual({ text: "x", pos: 3, policies: ["pin-bias"] });
    expect(linkState({ text: "x", pos: 3, policies: ["pin-bias"], selected: 0 })).toEqual({ text: "x", pos: 3, policies: ["pin-bias"], pfn: 0 });
  });

  it("round-trips what the page shows through the fragment", async () => {
    const text = libraryEntry("rdma-mr-fork")!.text;
    const shown = { text, pos: 4, policies: ["legacy-get", "pin-bias", "exact-pincount"], selected: 1 };
    const state = (await decodeState(`#${await encodeState(linkState(shown))}`))!;
    expect(state).toEqual({ text, pos: 4, policies: shown.policies, pfn: 1 });
    expect(libraryIdOf(state.text)).toBe("rdma-mr-fork");
    expect(linkPolicies(state.policies, registry.policyIds, DEFAULTS)).toEqual(shown.policies);
  });

  it("checks only registered policies, else the defaults", () => {
    expect(linkPolicies(["nope", "pin-bias"], registry.policyIds, DEFAULTS)).toEqual(["pin-bias"]);
    expect(linkPolicies(["nope"], registry.policyIds, DEFAULTS)).toEqual(DEFAULTS);
    expect(linkPolicies([], registry.policyIds, DEFAULTS)).toEqual(DEFAULTS);
  });
});
