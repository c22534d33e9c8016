/**
 * The "Load plugin" control: a button opening a file input for a plugin module (.mjs/.js) from
 * disk, loaded against the playground's own modules (`model/plugin-loader.ts`); one status line
 * says what it added or, in one line, what is wrong; the loaded plugins are listed.
 */
import { loadPlugin, type PluginLoad } from "../model/plugin-loader.js";
import type { Registry } from "../model/registry.js";
import { h, replace } from "../view/dom.js";

/** What the plugin control tells the app. */
export interface PluginControlHost {
  /** A plugin was loaded and registered (its policies and devices are usable now). */
  loaded(load: Extract<PluginLoad, { ok: true }>): void;
}

/** The button, the hidden file input, the status line and the list of loaded plugins. */
export class PluginControl {
  /** The element to place. */
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly list: HTMLElement;

  /** Load into `registry`; tell `host`. */
  constructor(private readonly registry: Registry, private readonly host: PluginControlHost) {
    this.input = h("input", { id: "plugin-file", attrs: { type: "file", accept: ".mjs,.js,text/javascript", hidden: true }, on: { change: () => void this.picked() } });
    this.status = h("span", { class: "plugin-status", attrs: { role: "status", "data-state": "none" } });
    this.list = h("ul", { class: "plugin-list" });
    this.element = h("div", { class: "plugins" },
      h("button", { id: "plugin-load", attrs: { type: "button" }, title: "load a policy or device plugin module (.mjs) from disk; it imports the playground's own @pinlab/core, @pinlab/policies, @pinlab/devices and zod", on: { click: () => this.input.click() } }, "Load plugin…"),
      this.input, this.status, this.list);
  }

  private async picked(): Promise<void> {
    const file = this.input.files?.[0];
    this.input.value = "";
    if (file === undefined) return;
    this.show("loading", `loading ${file.name}…`);
    let load: PluginLoad;
    try {
      load = await loadPlugin(this.registry, file.name, await file.text());
    } catch (e) {
      load = { ok: false, name: file.name, error: `plugin ${file.name}: ${(e as Error).message}` };
    }
    if (!load.ok) {
      this.show("error", load.error);
      return;
    }
    const kinds = [...load.policies.map((p) => `policy ${p}`), ...load.devices.map((d) => `device ${d}`)];
    const what = kinds.length > 0 ? kinds.join(", ") : "nothing new";
    this.show("loaded", `${load.name}: ${what}`);
    this.list.append(h("li", { attrs: { "data-plugin": load.name } }, `${load.name} — ${what}`));
    this.host.loaded(load);
  }

  private show(state: string, text: string): void {
    this.status.dataset.state = state;
    replace(this.status, text);
  }
}
