/** Observers are dispatched per hook: a hook reaches only the observers that implement it. */
import { describe, expect, it } from "vitest";
import { testContainer } from "../testing/index.js";
import { createKernel } from "../instance/create-kernel.js";
import { KERNEL_OBSERVER_HOOKS, type KernelObserver } from "./hooks.js";
import { ObserverList } from "./observer-list.js";

describe("ObserverList", () => {
  it("lists each observer under the hooks it implements, own or inherited, in the order added", () => {
    class Watcher {
      onFree(): void {}
    }
    const a = new Watcher();
    const b: KernelObserver = { onFree: () => undefined, onGrab: () => undefined };
    const list = new ObserverList<KernelObserver>(KERNEL_OBSERVER_HOOKS);
    expect(list.has("onFree")).toBe(false);
    expect(list.of("onFree")).toEqual([]);
    expect(list.push(a, b)).toBe(2);
    expect(list.of("onFree")).toEqual([a, b]);
    expect(list.of("onGrab")).toEqual([b]);
    expect([list.has("onGrab"), list.has("onRelease"), list.length]).toEqual([true, false, 2]);
    expect([...list]).toEqual([a, b]);
  });

  it("lets a kernel call only the observers of a hook, with the hook's arguments", () => {
    const inst = createKernel({ machine: { memory: 16 * 1024 * 1024 }, policy: "test-exact" }, { container: testContainer() });
    const heard: string[] = [];
    const before = inst.kernel.observers.of("onMigrate").length;
    inst.kernel.observers.push({ onMigrate: (from, to) => heard.push(`migrate ${from}->${to}`) }, { onFree: (pfn, nr) => heard.push(`free ${pfn} ${nr}`) });
    expect(inst.kernel.observers.of("onMigrate").length).toBe(before + 1);
    inst.kernel.observe("onFree", 7, 1);
    inst.kernel.observe("onMigrate", 1, 2);
    expect(heard).toEqual(["free 7 1", "migrate 1->2"]);
  });
});
