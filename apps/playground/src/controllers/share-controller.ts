/**
 * The URL fragment and the "Copy link" button: what is shown is written to the fragment (a
 * moment after it changes), and a fragment that carries a scenario, at start or when it
 * changes, is opened.
 */
import { DEFAULT_COMPARE_KERNELS, type ComparePlan } from "../model/run-plan.js";
import { decodeState, encodeState, type SharedState } from "../model/share.js";
import { h } from "../view/dom.js";

/** What the page shows, as a link records it. */
export interface Shown {
  /** The editor's text. */
  readonly text: string;
  /** The position. */
  readonly pos: number;
  /** (2.0) What the columns compare: the mode, the policies and the kernel era choices. */
  readonly plan: ComparePlan;
  /** The selected frame, if any. */
  readonly selected: number | undefined;
}

/** What the share controller asks of the app. */
export interface ShareHost {
  /** What the page shows now. */
  shown(): Shown;
  /** Show what a link carries. */
  open(state: SharedState): void;
  /** Say something in the status line. */
  say(msg: string): void;
}

/**
 * The link state for what the page shows (no frame field when none is selected; the era choice
 * only when one is made; kernels mode's policy and eras only in kernels mode, so a link of the
 * policies compared on their default eras reads as links did before eras).
 */
export function linkState(shown: Shown): SharedState {
  const { plan } = shown;
  return {
    text: shown.text, pos: shown.pos, policies: plan.policies, ...(shown.selected !== undefined ? { pfn: shown.selected } : {}),
    ...(plan.kernel !== undefined ? { kernel: plan.kernel } : {}),
    ...(plan.mode === "kernels" ? { mode: plan.mode, policy: plan.policy, kernels: plan.kernels } : {}),
  };
}

/**
 * (2.0) The comparison a link asks for: its mode (default policies), its registered policies
 * (else `defaults`), its era choice, and for kernels mode its policy (if registered, else the
 * first of the policies) and eras (else {@link DEFAULT_COMPARE_KERNELS}).
 */
export function linkPlan(state: SharedState, registered: readonly string[], defaults: readonly string[]): ComparePlan {
  const policies = linkPolicies(state.policies, registered, defaults);
  const policy = state.policy !== undefined && registered.includes(state.policy) ? state.policy : policies[0];
  return {
    mode: state.mode ?? "policies", policies, ...(state.kernel !== undefined ? { kernel: state.kernel } : {}),
    policy, kernels: state.kernels !== undefined && state.kernels.length > 0 ? state.kernels : DEFAULT_COMPARE_KERNELS,
  };
}

/** The policies to check for a link asking for `asked`: the registered ones among them, else `defaults`. */
export function linkPolicies(asked: readonly string[], registered: readonly string[], defaults: readonly string[]): readonly string[] {
  const known = asked.filter((p) => registered.includes(p));
  return known.length > 0 ? known : defaults;
}

/** Keeps the URL fragment in step with the page; owns the "Copy link" button. */
export class ShareController {
  /** The "Copy link" button (place it in the top bar). */
  readonly button: HTMLButtonElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Make the button; follow changes of the fragment made by the user. */
  constructor(private readonly host: ShareHost) {
    this.button = h("button", { attrs: { type: "button" }, on: { click: () => void this.copyLink() } }, "Copy link");
    window.addEventListener("hashchange", () => void this.openFromUrl());
  }

  /** Open what the fragment carries; false when it carries no scenario or cannot be read. */
  async openFromUrl(): Promise<boolean> {
    let state;
    try {
      state = await decodeState(location.hash);
    } catch (e) {
      this.host.say(`cannot open the link: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    if (state === undefined) return false;
    this.host.open(state);
    return true;
  }

  /** Write the fragment a moment from now (later calls push it back). */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.write(), 250);
  }

  private async write(): Promise<string> {
    const frag = await encodeState(linkState(this.host.shown()));
    history.replaceState(null, "", `#${frag}`);
    return location.href;
  }

  private async copyLink(): Promise<void> {
    const url = await this.write();
    try {
      await navigator.clipboard.writeText(url);
      this.host.say("link copied");
    } catch {
      this.host.say("the link is in the address bar");
    }
  }
}
