import type { KernelInstance } from "../instance/create-kernel.js";
import type { Bindings } from "./bindings.js";
import type { LoadedScenario } from "./load-scenario.js";
import type { PluginView } from "./registry-view.js";
import type { StateSnapshot } from "./state-snapshot.js";

/** What a step executor sees. */
export interface RunContext {
  /** The kernel instance. */
  readonly inst: KernelInstance;
  /** Names bound so far. */
  readonly bindings: Bindings;
  /** The scenario. */
  readonly scenario: LoadedScenario;
  /** Registered plugins. */
  readonly plugins: PluginView;
  /** The policy being run. */
  readonly policy: string;
  /** (2.0) The id of the kernel era being run. */
  readonly kernel: string;
  /** The current step index. */
  index: number;
}

/** What a step did. */
export interface StepOutcome {
  /** An errno (positive) the modelled kernel returned. */
  readonly errno?: number;
  /** The result value. */
  readonly result?: unknown;
  /** A problem that is not an errno. */
  readonly error?: string;
  /** With `errno`: why, in the words of the kernel model or the device (a `KernelError`'s message, a device's `message`, a refused GUP call's reason); (issue 19) on a `gup` step that took fewer pages than asked, where and why it stopped. */
  readonly message?: string;
  /** (issue 19, `dump`) The state the step shows. */
  readonly state?: StateSnapshot;
  /** (mmap, mremap) The end of the mapping made, bound with its address for a later `after:`. */
  readonly end?: number;
}
