/**
 * The messages between `pinlab fuzz` and its worker processes (Node IPC, structured clone).
 * The parent sends an `init` (where to load plugins from, which policies), then one `case` at a
 * time; the worker answers `ready` (or `init-error`) and a `done` per case.
 * @module
 */
import type { CaseReport } from "./fuzz-case.js";

/** How a worker sets itself up: the command's config and plugins, resolved from `cwd`. */
export interface WorkerInit {
  /** Message type. */
  readonly type: "init";
  /** Working directory (plugin and config paths are relative to it). */
  readonly cwd: string;
  /** `--config`. */
  readonly config?: string;
  /** `--plugin` paths. */
  readonly plugins: readonly string[];
  /** Policies to run under. */
  readonly policies: readonly string[];
  /** Most body steps per scenario. */
  readonly maxSteps: number;
  /** Shrink findings. */
  readonly shrink: boolean;
  /** Kernel era of the generated scenarios (`--kernel`), absent: each policy's own. */
  readonly kernel?: string;
}

/** Parent to worker. */
export type ToWorker = WorkerInit | { readonly type: "case"; readonly seed: number };

/** Worker to parent. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "init-error"; readonly message: string }
  | { readonly type: "done"; readonly report: CaseReport }
  | { readonly type: "case-error"; readonly seed: number; readonly message: string };
