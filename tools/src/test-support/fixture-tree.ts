/**
 * Throw-away workspaces for the checks' fixture tests: each test starts a fresh temporary folder
 * that stands for the workspace root, writes files by their workspace path, and the folder is
 * removed after the test.
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

/** Fixture trees named `prefix…`, for the tests of one `describe` (call it there: it registers the clean-up). */
export function fixtureTrees(prefix: string): { fresh(): string; write(path: string, text: string): void } {
  let root: string | undefined;
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });
  return {
    /** Start a new, empty tree; returns its root. */
    fresh() {
      root = mkdtempSync(join(tmpdir(), prefix));
      return root;
    },
    /** Write `text` at `path`, relative to the current tree's root, making its folders. */
    write(path, text) {
      if (root === undefined) throw new Error("fixtureTrees: call fresh() first");
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    },
  };
}
